"""unit.deactivated_at: the moment an inactive unit was deactivated, shared by the units
deactivated in one act, so that reactivating the unit can offer the units below it that
went with it. Units already inactive keep none (NULL): they come back one at a time.

Revision ID: 0023_unit_deactivated_at
Revises: 0022_draw_seed_given
Create Date: 2026-11-27 17:30:00
"""

import sqlalchemy as sa
from alembic import op

import dudao.core.database

revision = "0023_unit_deactivated_at"
down_revision = "0022_draw_seed_given"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: a plain ALTER TABLE on SQLite too, no batch copy of the table.
    moment = dudao.core.database.UTCDateTime(timezone=True)
    op.add_column("unit", sa.Column("deactivated_at", moment, nullable=True))


def downgrade() -> None:
    op.drop_column("unit", "deactivated_at")
