"""campaign mailing address: the site address e-mailed links point to, set when the office
asks to e-mail them; the periodic sweep finishes the mailing of open campaigns that have it

Revision ID: 0015_campaign_mailing_url
Revises: 0014_flag_queue_indexes
Create Date: 2026-11-26 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_campaign_mailing_url"
down_revision = "0014_flag_queue_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_campaign") as batch:
        batch.add_column(sa.Column("mailing_base_url", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_campaign") as batch:
        batch.drop_column("mailing_base_url")
