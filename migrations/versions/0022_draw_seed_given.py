"""spot_check_draw.seed_given: whether the seed was typed in by whoever drew rather than
generated. An earlier draw's seed counts as given unless it has the generator's form, 32
lowercase hex digits (`draws.new_seed`): a typed seed of that form is all but unheard of.

Revision ID: 0022_draw_seed_given
Revises: 0021_must_change_password
Create Date: 2026-11-27 18:00:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0022_draw_seed_given"
down_revision = "0021_must_change_password"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE, on SQLite too (batch mode would copy and drop the table).
    op.add_column(
        "spot_check_draw",
        sa.Column("seed_given", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    draws = sa.table("spot_check_draw", sa.column("id"), sa.column("seed"),
                     sa.column("seed_given"))  # fmt: skip
    bind = op.get_bind()
    generated = re.compile(r"[0-9a-f]{32}")
    for draw_id, seed in bind.execute(sa.select(draws.c.id, draws.c.seed)).all():
        if not generated.fullmatch(seed):
            bind.execute(draws.update().where(draws.c.id == draw_id).values(seed_given=True))


def downgrade() -> None:
    op.drop_column("spot_check_draw", "seed_given")
