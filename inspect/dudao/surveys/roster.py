"""Member roster import (CSV or XLSX), all or nothing like the org chart import.

Columns: unit (code), member (an id such as a staff number), email (optional).
The file replaces the roster of every unit it names: members absent from it are
deactivated. The roster only decides how many invitations a unit gets and where
links may be e-mailed; nothing links a member to an invitation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.errors import N_, Message, Plural
from dudao.org.import_files import UnreadableFile, read_table
from dudao.org.import_rows import Problem, refused
from dudao.org.models import Unit
from dudao.surveys.models import RosterMember

ALIASES: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "unit code", "单位", "单位编码", "组织编码", "支部编码"),
    "member": ("member", "member id", "id", "staff number", "工号", "编号", "人员编号", "党员编号"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱"),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class RosterReport:
    filename: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    units: int = 0
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> Message:
        """One sentence for the page, in the reader's language."""
        if self.errors:
            return refused(self.filename, len(self.errors))
        return Plural(
            "%(file)s: %(num)d row imported. Units: %(units)d; members added: %(added)d, "
            "updated: %(updated)d, deactivated: %(deactivated)d.",
            "%(file)s: %(num)d rows imported. Units: %(units)d; members added: %(added)d, "
            "updated: %(updated)d, deactivated: %(deactivated)d.",
            num=self.rows, file=self.filename, units=self.units, added=self.added,
            updated=self.updated, deactivated=self.deactivated,
        )  # fmt: skip


def _key(text: str) -> str:
    return re.sub(r"[\s_]", "", text).lower()


def _columns(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    lookup = {_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = lookup.get(_key(title or ""))
        if name and name not in found:
            found[name] = index
    problems = [
        Problem(N_("The column %(column)s is missing."), {"column": name}, row=1)
        for name in ("unit", "member")
        if name not in found
    ]
    return found, problems


def import_roster(
    session: Session, actor: Any, data: bytes, filename: str, scope: Sequence[str] | None = None
) -> RosterReport:
    """Check the whole file, then replace the rosters of the units it names; caller commits."""
    report = RosterReport(filename)
    try:
        table = read_table(data, filename)
    except UnreadableFile as exc:
        report.errors.append(Problem(exc.text, dict(exc.params)))
        return report
    columns, problems = _columns(table.header)
    if problems:
        report.errors = problems
        return report
    units = {u.code: u for u in session.scalars(select(Unit))}
    wanted: dict[int, dict[str, str | None]] = {}
    seen: dict[tuple[int, str], int] = {}
    for number, cells in table.rows:
        code, member, email = (_cell(cells, columns, n) for n in ("unit", "member", "email"))
        email = email or None
        unit = units.get(code)
        if not code:
            problems.append(Problem(N_("The unit is empty."), {}, number, "unit"))
        elif unit is None:
            problems.append(
                Problem(N_("There is no unit %(code)s."), {"code": code}, number, "unit")
            )
        elif scope is not None and not any(unit.path.startswith(p) for p in scope):
            problems.append(
                Problem(
                    N_("The unit %(code)s is outside your scope."), {"code": code}, number, "unit"
                )
            )
        if not member:
            problems.append(Problem(N_("The member id is empty."), {}, number, "member"))
        elif len(member) > 64:
            problems.append(
                Problem(N_("The member id is longer than 64 characters."), {}, number, "member")
            )
        if email is not None and (len(email) > 254 or not EMAIL.match(email)):
            problems.append(
                Problem(
                    N_("%(email)s is not an e-mail address."), {"email": email}, number, "email"
                )
            )
        if unit is not None and member:
            first = seen.setdefault((unit.id, member), number)
            if first != number:
                problems.append(
                    Problem(
                        N_("The member %(member)s is listed twice (first in row %(row)s)."),
                        {"member": member, "row": first},
                        number,
                        "member",
                    )
                )
            wanted.setdefault(unit.id, {})[member] = email
    report.rows = len(table.rows)
    if problems:
        report.errors = sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
        return report
    _apply(session, report, wanted)
    record(
        session,
        actor,
        "survey.roster_imported",
        "survey_roster",
        filename,  # the file names the event (it spans units)
        None,
        {
            "file": filename,
            "units": report.units,
            "added": report.added,
            "updated": report.updated,
            "deactivated": report.deactivated,
        },
    )
    return report


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _apply(
    session: Session, report: RosterReport, wanted: dict[int, dict[str, str | None]]
) -> None:
    existing = session.scalars(
        select(RosterMember).where(RosterMember.unit_id.in_(list(wanted)))
    ).all()
    by_key = {(m.unit_id, m.external_id): m for m in existing}
    for member in existing:
        if member.external_id not in wanted[member.unit_id] and member.active:
            member.active = False
            report.deactivated += 1
    for unit_id, members in wanted.items():
        for external_id, email in members.items():
            current = by_key.get((unit_id, external_id))
            if current is None:
                session.add(RosterMember(unit_id=unit_id, external_id=external_id, email=email))
                report.added += 1
            elif current.email != email or not current.active:
                current.email, current.active = email, True
                report.updated += 1
    report.units = len(wanted)
    session.flush()
