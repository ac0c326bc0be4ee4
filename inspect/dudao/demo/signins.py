"""The table of demo sign-ins printed when `dudao demo` starts."""

from __future__ import annotations

import unicodedata

from dudao.demo.data import DemoOrg


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def signin_rows(org: DemoOrg) -> list[tuple[str, ...]]:
    names = {unit.code: unit.name for unit in org.units}
    return [
        (
            account.username,
            org.password,
            account.role.value,
            f"{account.unit_code} {names[account.unit_code]}",
            f"{account.display_name} ({account.description})",
        )
        for account in org.accounts
    ]


def signin_table(org: DemoOrg) -> str:
    """Username, password, role, the unit the role covers, and who the account is."""
    header = ("Username", "Password", "Role", "On unit (and below)", "Who")
    rows = [header, *signin_rows(org)]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row)]
        lines.append("  " + "  ".join(cells).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)
