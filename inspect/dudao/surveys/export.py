"""Report rows for CSV, XLSX and JSON: flat views of `aggregate.Report`, never more.
CSV and XLSX are for people, in the reader's words (the shared writers neutralise cells
against formula injection); JSON keeps keys and codes for scripts."""

from __future__ import annotations

from typing import Any

from dudao.core.spreadsheet import csv_bytes, xlsx_bytes
from dudao.surveys.aggregate import Report


def header(report: Report, locale: str) -> list[str]:
    """The columns in the reader's words; a mean for each question that has one."""
    from dudao.reports.export_text import header as named

    english = locale.startswith("en")
    mean = "Mean: %s" if english else "平均分：%s"
    fixed = ["unit_code", "unit", "depth", "status", "responses", "invited", "response_rate",
             "satisfaction", "satisfaction_low", "satisfaction_high"]  # fmt: skip
    labels = {i.key: i.label.get(locale) for i in report.definition.items}
    depth = "Level below the scope" if english else "下级层次"
    return [depth if k == "depth" else named(k, locale) for k in fixed] + [
        mean % labels.get(key, key) for key in _means(report)
    ]


def _means(report: Report) -> list[str]:
    """The questions with a mean in some shown group (scales and numbers, not choices)."""
    order = [i.key for i in report.definition.items]
    have = {k for g in report.groups for k, stat in g.items.items() if stat.mean is not None}
    return [key for key in order if key in have]


def rows(report: Report, locale: str) -> list[list[Any]]:
    """One row per group; hidden groups carry only their name and why they are hidden."""
    from dudao.reports.export_text import SHOWN

    english, keys = locale.startswith("en"), _means(report)
    out: list[list[Any]] = []
    for group in report.groups:
        status = "shown" if group.shown else f"hidden:{group.hidden}"
        said = SHOWN[status][english] if status in SHOWN else status
        if not group.shown:
            out.append([group.code, group.name, group.depth, said] + [None] * (6 + len(keys)))
            continue
        sat = group.satisfaction
        out.append([
            group.code, group.name, group.depth, said, group.responses, group.invited,
            group.rate, sat.mean if sat else None, sat.low if sat else None,
            sat.high if sat else None,
            *[group.items[k].mean if k in group.items else None for k in keys],
        ])  # fmt: skip
    return out


def to_csv(report: Report, locale: str) -> bytes:
    return csv_bytes(header(report, locale), rows(report, locale))


def to_xlsx(report: Report, locale: str) -> bytes:
    sheet = "Results" if locale.startswith("en") else "测评结果"
    return xlsx_bytes([(sheet, header(report, locale), rows(report, locale))])


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
                # Per text question: its comments, or null where they are withheld.
                comments=None if g.comments is None else {c.key: c.texts for c in g.comments},
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
