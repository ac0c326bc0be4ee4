"""notification due date: a reminder or escalation keeps its due date, written in the
reader's language when shown, where its body held it in both ("到期日 / Due: 2026-06-04")

Existing ones with such a body get the date and lose the body.

Revision ID: 0020_notification_due
Revises: 0019_notification_subject
Create Date: 2026-11-26 09:10:00
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0020_notification_due"
down_revision = "0019_notification_subject"
branch_labels = None
depends_on = None

#: The body timers wrote before this revision, followed by the ISO date.
OLD_BODY = "到期日 / Due: "


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, body FROM notification WHERE body LIKE :old"),
        {"old": OLD_BODY + "%"},
    ).all()
    values = []
    for notification_id, body in rows:
        try:
            due = date.fromisoformat(body[len(OLD_BODY) :].strip())
        except ValueError:
            continue
        values.append({"id": notification_id, "due": due})
    if values:
        connection.execute(
            sa.text("UPDATE notification SET due_on = :due, body = '' WHERE id = :id"), values
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, due_on FROM notification WHERE due_on IS NOT NULL")
    ).all()
    values = [
        {
            "id": notification_id,
            "body": OLD_BODY + (due if isinstance(due, str) else due.isoformat()),
        }
        for notification_id, due in rows
    ]
    if values:
        connection.execute(sa.text("UPDATE notification SET body = :body WHERE id = :id"), values)
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("due_on")
