"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from dudao.audit.models import AuditEvent, AuditSeal
from dudao.auth.models import RoleGrant, User
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.feedback.models import FeedbackAttachment, FeedbackItem
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.inspections.submission_models import (
    Finding,
    InspectionDraft,
    Photo,
    Rectification,
    Submission,
)
from dudao.notifications.models import Notification
from dudao.org.models import Unit
from dudao.reports.models import ReportRequest
from dudao.scheduling.models import Schedule, SpotCheckDraw
from dudao.surveys.models import (
    Campaign,
    Invitation,
    OpenLink,
    PendingResponse,
    Response,
    RosterMember,
)
from dudao.targets.models import PioneerPost, TargetEntry
from dudao.trends.models import Flag
from dudao.triage.models import FlagRectification, SavedFilter

__all__ = [
    "AuditEvent",
    "AuditSeal",
    "Campaign",
    "DefinitionVersion",
    "FeedbackAttachment",
    "FeedbackItem",
    "Finding",
    "Flag",
    "FlagRectification",
    "FormDefinition",
    "Inspection",
    "InspectionAssignment",
    "InspectionDraft",
    "Invitation",
    "Notification",
    "OpenLink",
    "PendingResponse",
    "Photo",
    "PioneerPost",
    "Rectification",
    "ReportRequest",
    "Response",
    "RoleGrant",
    "RosterMember",
    "SavedFilter",
    "Schedule",
    "SpotCheckDraw",
    "Submission",
    "TargetEntry",
    "Unit",
    "User",
]
