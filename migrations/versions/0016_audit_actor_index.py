"""audit actor index: the audit log page's filter by user name reads an index, newest first,
instead of every event (it and its count scanned the whole log)

Revision ID: 0016_audit_actor_index
Revises: 0015_campaign_mailing_url
Create Date: 2026-11-26 06:00:00
"""

from alembic import op

revision = "0016_audit_actor_index"
down_revision = "0015_campaign_mailing_url"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_actor_name", "audit_event", ["actor_name", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_actor_name", table_name="audit_event")
