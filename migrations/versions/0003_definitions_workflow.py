"""definitions, inspections, schedules and draws

Revision ID: 0003_definitions_workflow
Revises: 0002_audit_seal
Create Date: 2026-11-25 18:07:03.241159
"""

from alembic import op
import sqlalchemy as sa
import dudao.core.database


revision = "0003_definitions_workflow"
down_revision = "0002_audit_seal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("checklist", "questionnaire", name="kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("current_number", sa.Integer(), nullable=False),
        sa.Column("synced_hash", sa.String(length=64), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("retired_at", dudao.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_definition")),
        sa.UniqueConstraint("key", name=op.f("uq_form_definition_key")),
    )
    op.create_table(
        "definition_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_definition_version_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["form_definition.id"],
            name=op.f("fk_definition_version_definition_id_form_definition"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_version")),
        sa.UniqueConstraint(
            "definition_id",
            "content_hash",
            name=op.f("uq_definition_version_definition_id_content_hash"),
        ),
        sa.UniqueConstraint(
            "definition_id", "number", name=op.f("uq_definition_version_definition_id_number")
        ),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition_key", sa.String(length=100), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("scope_unit_id", sa.Integer(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("exclude_codes", sa.JSON(), nullable=False),
        sa.Column("rrule", sa.Text(), nullable=False),
        sa.Column("dtstart", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("assignment", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scope_unit_id"], ["unit.id"], name=op.f("fk_schedule_scope_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
        sa.UniqueConstraint("key", name=op.f("uq_schedule_key")),
    )
    op.create_table(
        "spot_check_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition_key", sa.String(length=100), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("result_hash", sa.String(length=64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", dudao.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_spot_check_draw_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_check_draw")),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("definition_version_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("period_key", sa.String(length=32), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "state_changed_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["definition_version_id"],
            ["definition_version.id"],
            name=op.f("fk_inspection_definition_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["spot_check_draw.id"], name=op.f("fk_inspection_draw_id_spot_check_draw")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedule.id"], name=op.f("fk_inspection_schedule_id_schedule")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_inspection_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint(
            "schedule_id",
            "unit_id",
            "period_key",
            name=op.f("uq_inspection_schedule_id_unit_id_period_key"),
        ),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_draw_id"), ["draw_id"], unique=False)
        batch_op.create_index("ix_inspection_state_due", ["state", "due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "inspection_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", dudao.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_assignment_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_assignment_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_assignment")),
        sa.UniqueConstraint(
            "inspection_id", "user_id", name=op.f("uq_inspection_assignment_inspection_id_user_id")
        ),
    )
    with op.batch_alter_table("inspection_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_assignment_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("emailed_at", dudao.core.database.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("emailed_at")

    with op.batch_alter_table("inspection_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_assignment_user_id"))

    op.drop_table("inspection_assignment")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_unit_id"))
        batch_op.drop_index("ix_inspection_state_due")
        batch_op.drop_index(batch_op.f("ix_inspection_draw_id"))

    op.drop_table("inspection")
    op.drop_table("spot_check_draw")
    op.drop_table("schedule")
    op.drop_table("definition_version")
    op.drop_table("form_definition")
