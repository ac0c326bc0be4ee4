"""flag assignee: the office user following a trend flag up

Revision ID: 0009_flag_assignee
Revises: 0008_report_requests
Create Date: 2026-11-25 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_flag_assignee"
down_revision = "0008_report_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trend_flag") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.create_index("ix_trend_flag_assignee_id", ["assignee_id"], unique=False)
        batch.create_foreign_key(
            "fk_trend_flag_assignee_id_user_account",
            "user_account",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("trend_flag") as batch:
        batch.drop_constraint("fk_trend_flag_assignee_id_user_account", type_="foreignkey")
        batch.drop_index("ix_trend_flag_assignee_id")
        batch.drop_column("assignee_id")
