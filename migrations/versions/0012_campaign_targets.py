"""campaign targets: pioneer posts and the office's manual entries

Revision ID: 0012_campaign_targets
Revises: 0011_flag_rectifications
Create Date: 2026-11-25 20:45:00
"""

import sqlalchemy as sa
from alembic import op

import dudao.core.database

revision = "0012_campaign_targets"
down_revision = "0011_flag_rectifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pioneer_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("retired_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"],
            name=op.f("fk_pioneer_post_created_by_id_user_account"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_pioneer_post_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pioneer_post")),
    )  # fmt: skip
    with op.batch_alter_table("pioneer_post") as batch:
        batch.create_index(batch.f("ix_pioneer_post_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "target_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_key", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit_of_count", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=500), nullable=True),
        sa.Column("evidence_name", sa.String(length=255), nullable=True),
        sa.Column("evidence_path", sa.String(length=255), nullable=True),
        sa.Column("evidence_type", sa.String(length=100), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["target_entry.id"], name=op.f("fk_target_entry_corrects_id_target_entry")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"],
            name=op.f("fk_target_entry_created_by_id_user_account"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_target_entry_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_entry")),
        sa.UniqueConstraint("corrects_id", name=op.f("uq_target_entry_corrects_id")),
    )  # fmt: skip
    with op.batch_alter_table("target_entry") as batch:
        batch.create_index(batch.f("ix_target_entry_target_key"), ["target_key"], unique=False)
        batch.create_index(batch.f("ix_target_entry_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("target_entry") as batch:
        batch.drop_index(batch.f("ix_target_entry_unit_id"))
        batch.drop_index(batch.f("ix_target_entry_target_key"))
    op.drop_table("target_entry")
    with op.batch_alter_table("pioneer_post") as batch:
        batch.drop_index(batch.f("ix_pioneer_post_unit_id"))
    op.drop_table("pioneer_post")
