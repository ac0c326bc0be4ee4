"""survey_open_link.token_hash nullable: a unit's open link removed after it took answers
keeps its row (its cap and count of answers) without a token, so nothing can answer
through it and the answers it took stay counted.

Revision ID: 0024_open_link_removed
Revises: 0023_unit_deactivated_at
Create Date: 2026-11-27 18:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_open_link_removed"
down_revision = "0023_unit_deactivated_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_open_link") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    # A removed link gets a value no token hashes to (not hexadecimal): it still answers nothing.
    op.execute("UPDATE survey_open_link SET token_hash = 'removed-' || id WHERE token_hash IS NULL")
    with op.batch_alter_table("survey_open_link") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(64), nullable=False)
