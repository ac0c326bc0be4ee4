"""trend detection flags

Revision ID: 0006_trend_flags
Revises: 0005_surveys
Create Date: 2026-11-25 18:50:00
"""

from alembic import op
import sqlalchemy as sa
import dudao.core.database


revision = "0006_trend_flags"
down_revision = "0005_surveys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=255), nullable=False),
        sa.Column("open_key", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("unit_codes", sa.JSON(), nullable=False),
        sa.Column("item_key", sa.String(length=100), nullable=True),
        sa.Column("definition_key", sa.String(length=100), nullable=True),
        sa.Column("first_detected", sa.String(length=16), nullable=False),
        sa.Column("last_detected", sa.String(length=16), nullable=False),
        sa.Column("detected", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "state_changed_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_trend_flag_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_flag")),
        sa.UniqueConstraint(
            "fingerprint", "open_key", name=op.f("uq_trend_flag_fingerprint_open_key")
        ),
    )
    with op.batch_alter_table("trend_flag", schema=None) as batch_op:
        batch_op.create_index("ix_trend_flag_rule_state", ["rule", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_trend_flag_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trend_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trend_flag_unit_id"))
        batch_op.drop_index("ix_trend_flag_rule_state")

    op.drop_table("trend_flag")
