"""user_account.must_change_password: a password an administrator set is changed by its
user at the next sign-in. Existing accounts keep their passwords as they are (false).

Revision ID: 0021_must_change_password
Revises: 0020_notification_due
Create Date: 2026-11-27 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_must_change_password"
down_revision = "0020_notification_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE, on SQLite too: batch mode would copy the table and drop the old
    # one, and dropping it deletes, through ON DELETE CASCADE, every row that names an
    # account (role grants, notifications).
    op.add_column(
        "user_account",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("user_account", "must_change_password")
