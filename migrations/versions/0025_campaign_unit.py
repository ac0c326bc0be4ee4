"""survey_campaign_unit: the tree a campaign's answers are grouped by, fixed when it opens,
so a later reorganisation moves no answer out of figures already shown.

Campaigns already opened keep the tree they are grouped by today: every unit of their
scope's subtree (inactive ones too, as the results counted them).

Revision ID: 0025_campaign_unit
Revises: 0024_open_link_removed
Create Date: 2026-11-28 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_campaign_unit"
down_revision = "0024_open_link_removed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_campaign_unit",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["survey_campaign.id"],
            name=op.f("fk_survey_campaign_unit_campaign_id_survey_campaign"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["unit.id"], name=op.f("fk_survey_campaign_unit_parent_id_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_survey_campaign_unit_unit_id_unit"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", name=op.f("pk_survey_campaign_unit")),
    )  # fmt: skip
    op.execute(
        "INSERT INTO survey_campaign_unit (campaign_id, unit_id, parent_id) "
        "SELECT c.id, u.id, CASE WHEN u.id = c.scope_unit_id THEN NULL ELSE u.parent_id END "
        "FROM survey_campaign c JOIN unit s ON s.id = c.scope_unit_id "
        "JOIN unit u ON u.path LIKE s.path || '%' "
        "WHERE c.state <> 'draft'"
    )


def downgrade() -> None:
    op.drop_table("survey_campaign_unit")
