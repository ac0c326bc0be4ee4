"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from dudao.audit.models import AuditEvent, AuditSeal
from dudao.auth.models import RoleGrant, User
from dudao.notifications.models import Notification
from dudao.org.models import Unit

__all__ = ["AuditEvent", "AuditSeal", "Notification", "RoleGrant", "Unit", "User"]
