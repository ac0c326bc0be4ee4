"""survey invitation mailing: which roster members were e-mailed a link for a campaign

Revision ID: 0013_invitation_mailing
Revises: 0012_campaign_targets
Create Date: 2026-11-25 21:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_invitation_mailing"
down_revision = "0012_campaign_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_invitation_mailing",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["survey_campaign.id"],
            name=op.f("fk_survey_invitation_mailing_campaign_id_survey_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["survey_roster_member.id"],
            name=op.f("fk_survey_invitation_mailing_member_id_survey_roster_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "member_id", name=op.f("pk_survey_invitation_mailing")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("survey_invitation_mailing")
