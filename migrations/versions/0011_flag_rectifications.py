"""flag rectifications: the rectification tasks opened from a trend flag

Revision ID: 0011_flag_rectifications
Revises: 0010_saved_flag_filters
Create Date: 2026-11-25 20:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_flag_rectifications"
down_revision = "0010_saved_flag_filters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_rectification",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["trend_flag.id"],
            name="fk_flag_rectification_flag_id_trend_flag",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["rectification.id"],
            name="fk_flag_rectification_rectification_id_rectification",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flag_id", "rectification_id", name="pk_flag_rectification"),
    )
    op.create_index(
        "ix_flag_rectification_rectification_id",
        "flag_rectification",
        ["rectification_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_flag_rectification_rectification_id", table_name="flag_rectification")
    op.drop_table("flag_rectification")
