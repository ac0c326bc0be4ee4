"""notification indexes: the unread count every page shows and the inbox read only the
user's unread rows (or their newest), not every notification they ever received

Replaces the plain index on notification.user_id with one in the inbox's order (user,
newest first) and adds one on (user, read_at, newest first) for the unread count and
the unread ones.

Revision ID: 0017_notification_indexes
Revises: 0016_audit_actor_index
Create Date: 2026-11-26 06:00:00
"""

from alembic import op

revision = "0017_notification_indexes"
down_revision = "0016_audit_actor_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_notification_user_id", table_name="notification")
    op.create_index(
        "ix_notification_unread", "notification", ["user_id", "read_at", "created_at", "id"]
    )
    op.create_index("ix_notification_user_created", "notification", ["user_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_notification_user_created", table_name="notification")
    op.drop_index("ix_notification_unread", table_name="notification")
    op.create_index("ix_notification_user_id", "notification", ["user_id"])
