"""imported inspections' reason: imports no longer store the English "imported history" as
their reason (the origin says where they came from, in the reader's language); this clears
it from inspections imported before. Data only.

Revision ID: 0018_imported_reason
Revises: 0017_notification_indexes
Create Date: 2026-11-26 06:10:00
"""

from alembic import op

revision = "0018_imported_reason"
down_revision = "0017_notification_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE inspection SET reason = NULL"
        " WHERE origin = 'import' AND reason = 'imported history'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE inspection SET reason = 'imported history'"
        " WHERE origin = 'import' AND reason IS NULL"
    )
