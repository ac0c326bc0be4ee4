"""notification subject: a notification about a workflow subject keeps its subject type, id
and unit, so its title is written in the reader's language when shown (the stored title
held the noun in both languages and the unit's Chinese name)

Existing notifications are placed by their link (the subject's page, e.g.
/inspections/7) where the title names the same number and the subject still exists;
others (alerts, anything unplaced) keep showing their stored title.

Revision ID: 0019_notification_subject
Revises: 0018_imported_reason
Create Date: 2026-11-26 08:50:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0019_notification_subject"
down_revision = "0018_imported_reason"
branch_labels = None
depends_on = None

#: A subject page's first path segment -> (subject type, its table), as of this revision.
PAGES = {
    "inspections": "inspection",
    "rectifications": "rectification",
    "flags": "trend_flag",
    "feedback": "feedback_item",
}
LINK = re.compile(r"^/([a-z]+)/(\d+)$")
CHUNK = 500


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("subject_type", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_notification_unit_id_unit", "unit", ["unit_id"], ["id"])
    _place_existing(op.get_bind())


def _place_existing(connection: sa.Connection) -> None:
    """Fill the new columns of the notifications made before them, where they can be placed."""
    rows = connection.execute(
        sa.text("SELECT id, title, link FROM notification WHERE link IS NOT NULL")
    ).all()
    wanted: dict[str, list[tuple[int, int]]] = {}
    for notification_id, title, link in rows:
        match = LINK.match(link)
        if match and match[1] in PAGES and f"#{match[2]} " in f"{title} ":
            wanted.setdefault(PAGES[match[1]], []).append((notification_id, int(match[2])))
    for table, found in wanted.items():
        ids = sorted({subject_id for _nid, subject_id in found})
        units: dict[int, int] = {}
        for start in range(0, len(ids), CHUNK):
            select = sa.text(f"SELECT id, unit_id FROM {table} WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            )
            units.update(connection.execute(select, {"ids": ids[start : start + CHUNK]}).all())
        values = [
            {"id": nid, "type": table, "subject": sid, "unit": units[sid]}
            for nid, sid in found
            if sid in units
        ]
        if values:
            connection.execute(
                sa.text(
                    "UPDATE notification SET subject_type = :type, subject_id = :subject,"
                    " unit_id = :unit WHERE id = :id"
                ),
                values,
            )


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("fk_notification_unit_id_unit", type_="foreignkey")
        batch.drop_column("unit_id")
        batch.drop_column("subject_id")
        batch.drop_column("subject_type")
