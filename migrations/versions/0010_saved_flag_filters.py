"""saved flag filters: each office user's named queue filters

Revision ID: 0010_saved_flag_filters
Revises: 0009_flag_assignee
Create Date: 2026-11-25 20:50:00
"""

import sqlalchemy as sa
from alembic import op

from dudao.core.database import UTCDateTime

revision = "0010_saved_flag_filters"
down_revision = "0009_flag_assignee"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_flag_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name="fk_saved_flag_filter_user_id_user_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_saved_flag_filter"),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_flag_filter_user_id_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_flag_filter")
