"""flag queue indexes: counts and page ids of the triage queue from an index alone

Replaces the plain index on trend_flag.unit_id with one that leads with unit_id and
carries every column the queue filters on, and adds one in created_at order for the
newest/oldest sort and deep pages (bench/flag_queue_bench.py).

Revision ID: 0014_flag_queue_indexes
Revises: 0013_invitation_mailing
Create Date: 2026-11-25 21:00:00
"""

from alembic import op

revision = "0014_flag_queue_indexes"
down_revision = "0013_invitation_mailing"
branch_labels = None
depends_on = None

QUEUE_COLUMNS = ["state", "severity", "rule", "assignee_id", "first_detected", "last_detected"]


def upgrade() -> None:
    op.drop_index("ix_trend_flag_unit_id", table_name="trend_flag")
    op.create_index(
        "ix_trend_flag_queue_scope", "trend_flag", ["unit_id", *QUEUE_COLUMNS, "created_at"]
    )
    op.create_index(
        "ix_trend_flag_queue_created", "trend_flag", ["created_at", "id", "unit_id", *QUEUE_COLUMNS]
    )


def downgrade() -> None:
    op.drop_index("ix_trend_flag_queue_created", table_name="trend_flag")
    op.drop_index("ix_trend_flag_queue_scope", table_name="trend_flag")
    op.create_index("ix_trend_flag_unit_id", "trend_flag", ["unit_id"])
