"""Report rows for CSV, XLSX and JSON: flat views of `aggregate.Report`, never more
(spreadsheet cells neutralised against formula injection)."""

from __future__ import annotations

import csv
import io
from typing import Any

from dudao.core.spreadsheet import neutralise
from dudao.surveys.aggregate import Report


def header(report: Report) -> list[str]:
    items = [key for key in (report.groups[0].items if report.groups else {})] or [
        i.key for i in report.definition.items
    ]
    return [
        "unit_code",
        "unit",
        "depth",
        "status",
        "responses",
        "invited",
        "response_rate",
        "satisfaction",
        "satisfaction_low",
        "satisfaction_high",
        *[f"mean:{key}" for key in items],
    ]


def rows(report: Report) -> list[list[Any]]:
    """One row per group; hidden groups carry only their name and why they are hidden."""
    keys = [h.split(":", 1)[1] for h in header(report) if h.startswith("mean:")]
    out: list[list[Any]] = []
    for group in report.groups:
        status = "shown" if group.shown else f"hidden:{group.hidden}"
        if not group.shown:
            out.append([group.code, group.name, group.depth, status] + [""] * (6 + len(keys)))
            continue
        sat = group.satisfaction
        means = [group.items[k].mean if k in group.items else "" for k in keys]
        out.append(
            [
                group.code,
                group.name,
                group.depth,
                status,
                group.responses,
                "" if group.invited is None else group.invited,
                "" if group.rate is None else group.rate,
                sat.mean if sat else "",
                sat.low if sat else "",
                sat.high if sat else "",
                *["" if m is None else m for m in means],
            ]
        )
    return out


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header(report))
    writer.writerows([neutralise(cell) for cell in row] for row in rows(report))
    return "\ufeff" + out.getvalue()


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "results"
    sheet.append(header(report))
    for row in rows(report):
        sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(report: Report) -> dict[str, Any]:
    groups = []
    for g in report.groups:
        entry: dict[str, Any] = {
            "unit_code": g.code,
            "unit": g.name,
            "depth": g.depth,
            "hidden": g.hidden,
        }
        if g.shown:
            entry.update(
                responses=g.responses,
                invited=g.invited,
                response_rate=g.rate,
                satisfaction=None
                if g.satisfaction is None
                else {
                    "mean": g.satisfaction.mean,
                    "low": g.satisfaction.low,
                    "high": g.satisfaction.high,
                },
                items={
                    k: {
                        "answered": s.answered,
                        "mean": s.mean,
                        "distribution": dict(s.distribution),
                    }
                    for k, s in g.items.items()
                },
                comments=g.comments,
            )
        groups.append(entry)
    return {
        "campaign": report.campaign_id,
        "period": report.period_label,
        "min_group": report.min_group,
        "min_comment_group": report.min_comment_group,
        "pending": report.pending,
        "final": report.final,
        "filter": None
        if report.filter is None
        else {"item": report.filter[0], "value": report.filter[1]},
        "groups": groups,
    }
