"""What a flag says: one sentence per rule and the table of numbers (the series and its
chart are in evidence_chart)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import pinned
from dudao.feedback.models import category_label
from dudao.trends.models import Flag
from dudao.triage.evidence_labels import (
    FIELD_LABELS,
    RULE_LABELS,
    TEST_LABELS,
    VALUE_LABELS,
)
from dudao.triage.evidence_periods import campaign_period
from dudao.triage.months import runs, span, window
from dudao.web.setup import select_locale, unit_name

CONSECUTIVE = re.compile(r"^(\d+) consecutive failures$")
SAME_THEME = re.compile(
    r"^same (keyword|category) from at least (\d+) units( and as many representatives)? "
    r"within (\d+) days$"  # representatives since November 2026
)
#: Lists shown elsewhere on the page (links, the series table), not in the numbers table.
NOT_IN_TABLE = {
    "inspection_ids", "submission_ids", "rectification_ids", "periods", "scores",
    "failures_series", "inspections_series", "unit_codes", "campaign_id", "feedback_ids",
}  # fmt: skip
#: Mann–Kendall's one-sided p below which a deterioration flag's scores are said to be
#: still falling (the level at which the benchmark counts a CUSUM flag as confirmed).
TREND_P = 0.05
#: Shares the rules write as fractions, shown as per cent like the chart.
PERCENT = {"rate", "baseline_rate", "wilson_95", "proportion", "upper_limit", "coverage",
           "organisation_proportion"}  # fmt: skip


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


#: definition key -> (title, {item key: label}) in the reader's language.
Names = dict[str, tuple[str, dict[str, str]]]


def names(session: Session, flags: Iterable[Flag], locale: str) -> Names:
    """The titles and item labels of the flags' definitions (their current versions), so a
    sentence names the checklist and the item as people know them: one query, then the
    versions from the pinned-definition cache."""
    keys = {f.definition_key for f in flags if f.definition_key}
    if not keys:
        return {}
    rows = session.execute(
        select(FormDefinition.key, DefinitionVersion.id)
        .join(DefinitionVersion, DefinitionVersion.definition_id == FormDefinition.id)
        .where(FormDefinition.key.in_(keys),
               DefinitionVersion.number == FormDefinition.current_number)
    )  # fmt: skip
    found: Names = {}
    for key, version_id in rows:
        definition = pinned(session, version_id)
        found[key] = (definition.title.get(locale),
                      {i.key: i.label.get(locale) for i in definition.items})  # fmt: skip
    return found


def sentence(flag: Flag, known: Names | None = None) -> str:
    """What was detected, in one sentence in the reader's language (`known`: the titles and
    labels from `names`; the keys stand in without them)."""
    e = flag.evidence or {}
    units = ", ".join(flag.unit_codes or []) or flag.unit.code
    title, labels = (known or {}).get(flag.definition_key or "", (flag.definition_key or "", {}))
    item = f"“{labels.get(flag.item_key, flag.item_key)}”" if flag.item_key else ""
    first, last = flag.first_detected, flag.last_detected
    args = {
        "units": units, "item": item, "definition": title, "first": first, "last": last,
        "span": first if first == last else _("%(first)s to %(last)s", first=first, last=last),
    }  # fmt: skip
    rule = flag.rule
    if rule == "critical_failure":
        return _("Critical item %(item)s of %(definition)s failed at %(units)s "
                 "(last in %(last)s).", **args)  # fmt: skip
    if rule == "recurring_failure":
        return _("Item %(item)s of %(definition)s failed %(n)d times in a row at %(units)s "
                 "(last in %(last)s).", n=int(e.get("consecutive", 0)), **args)  # fmt: skip
    if rule == "cross_unit":  # the window tested, its figures against the baseline's
        scope = f"{flag.unit.code} {unit_name(flag.unit)}"  # an f-string in _() trips extraction
        return _("Item %(item)s of %(definition)s failed unusually often in %(scope)s in "
                 "%(window)s: %(failures)s of %(inspections)s inspections (%(rate)s) against "
                 "%(baseline)s before; at %(count)d units.",
                 scope=scope, window=window(e, last),
                 failures=e.get("failures", "?"), inspections=e.get("inspections", "?"),
                 rate=_percent(e.get("rate")), baseline=_percent(e.get("baseline_rate")),
                 count=len(flag.unit_ids or []), **args)  # fmt: skip
    if rule == "deterioration":
        return _deterioration(e, args)
    if rule == "outlier":
        return _("%(units)s failed %(failed)s of %(scored)s scored items in %(window)s "
                 "(%(share)s), above the funnel limit of %(limit)s (since %(first)s).",
                 failed=e.get("failed_items", "?"), scored=e.get("scored_items", "?"),
                 window=window(e, last), share=_percent(e.get("proportion")),
                 limit=_percent(e.get("upper_limit")), **args)  # fmt: skip
    if rule == "questionnaire_decline":
        return _decline(e, args)
    if rule == "overdue_rectification":
        return ngettext("%(units)s has %(num)d overdue rectification.",
                        "%(units)s has %(num)d overdue rectifications.",
                        int(e.get("overdue", 0)), **args)  # fmt: skip
    if rule == "feedback_theme":
        if e.get("keyword"):
            return _("Representatives of %(units)s raised the same concern, “%(keyword)s” "
                     "(%(span)s).", keyword=e["keyword"], **args)  # fmt: skip
        return _("Representatives of %(units)s raised feedback on %(category)s (%(span)s).",
                 category=category_label(str(e.get("category")), _english()), **args)  # fmt: skip
    if rule == "returned_inspection":
        return _("An inspection at %(units)s was returned %(n)d times.",
                 n=int(e.get("returns", 0)), **args)  # fmt: skip
    return _("%(rule)s at %(units)s (%(span)s).", rule=rule_label(rule), **args)


def _deterioration(e: dict, args: dict[str, object]) -> str:
    """What the CUSUM found, a level below the unit's own since the open run began (older
    flags: the first signal), then whether Mann–Kendall backs it as a decline that goes on:
    a step down and a slide call for different follow-up."""
    since = {**args, "first": e.get("decline_from", args["first"])}
    if e.get("baseline_score") is not None and e.get("mean_score_since") is not None:
        shift = _("The scores of %(definition)s at %(units)s have been below the unit's own "
                  "baseline since %(first)s: %(now)s on average since then, against "
                  "%(before)s before.",
                  now=e["mean_score_since"], before=e["baseline_score"], **since)  # fmt: skip
    else:
        shift = _("The scores of %(definition)s at %(units)s have been below the unit's own "
                  "baseline since %(first)s.", **since)  # fmt: skip
    if "mann_kendall_p" not in e:  # written before the rule reported it
        return shift
    p, slope = e["mann_kendall_p"], e.get("sen_slope")
    if not isinstance(p, int | float):
        trend = _("Mann-Kendall was not run (a month of its window had no score).")
    elif p < TREND_P and isinstance(slope, int | float) and slope < 0:
        trend = _("Mann-Kendall finds a continuing downward trend: %(slope)s points per month "
                  "(Sen's slope; p = %(p)s).", slope=_number(slope), p=_number(p))  # fmt: skip
    else:
        trend = _("A shift, not a continuing decline: Mann-Kendall finds no downward trend "
                  "(p = %(p)s).", p=_number(p))  # fmt: skip
    return _("%(shift)s %(trend)s", shift=shift, trend=trend)  # no space between in Chinese


def _decline(e: dict, args: dict[str, object]) -> str:
    """A questionnaire flag says what its test compared: the organisation's index, the
    unit's earlier campaigns, or its latest campaigns together against those before."""
    period = campaign_period(e["period_label"]) if e.get("period_label") else args["last"]
    args = {**args, "period": period, "index": _points(e.get("index")),
            "reference": _points(e.get("reference")), "drop": _points(e.get("drop"))}  # fmt: skip
    if e.get("against") == "organisation":
        return _("In %(period)s satisfaction in %(definition)s at %(units)s was %(index)s, "
                 "%(drop)s points below the organisation's %(reference)s.", **args)  # fmt: skip
    if e.get("run"):
        return _("Satisfaction in %(definition)s at %(units)s has stayed lower over its last "
                 "%(n)d campaigns (to %(period)s): on average %(drop)s points below its "
                 "campaigns before them (%(reference)s).", n=len(e["run"]), **args)  # fmt: skip
    return _("In %(period)s satisfaction in %(definition)s at %(units)s fell to %(index)s, "
             "%(drop)s points below its earlier campaigns (%(reference)s).", **args)  # fmt: skip


def _percent(value: object) -> str:
    """A share written as a fraction, in per cent ("36.3%"); "?" where there is none."""
    return f"{100 * value:.1f}%" if isinstance(value, int | float) else "?"


def _points(value: object) -> str:
    """An index or a difference of indices as the survey results show it ("81.3")."""
    return f"{value:.1f}" if isinstance(value, int | float) else "?"


def _english() -> bool:
    return select_locale().startswith("en")


def numbers(flag: Flag) -> list[tuple[str, str]]:
    """The evidence's scalar figures as (label, value) rows."""
    rows = []
    e = flag.evidence or {}
    for key, value in e.items():
        if key in NOT_IN_TABLE or isinstance(value, dict):
            continue
        if value is None:  # e.g. a test that could not be run
            shown = "—"
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif key in ("baseline", "run") and isinstance(value, list):
            shown = "; ".join(_campaign(b) for b in value if isinstance(b, dict))
        elif key in PERCENT:
            shown = " – ".join(map(_percent, value if isinstance(value, list) else [value]))
        elif key == "window_periods" and e.get("period"):
            shown = f"{value} ({window(e, str(e['period']))})"
        elif key == "baseline_months" and isinstance(value, list):
            shown = span(value)
        elif key == "baseline_left_out" and isinstance(value, list):
            shown = runs(value) or _("None")
        elif isinstance(value, list):
            shown = " – ".join(map(str, value))
        elif key == "test":
            shown = _test_label(str(value))
        elif key == "period_label":
            shown = campaign_period(value)
        elif key == "category":
            shown = category_label(str(value), _english())
        elif isinstance(value, float):
            shown = _number(value)
        else:
            shown = str(VALUE_LABELS.get(value, value)) if isinstance(value, str) else str(value)
        rows.append((str(FIELD_LABELS.get(key, key)), shown))
    return rows


def _campaign(campaign: dict) -> str:
    """A baseline campaign with its weight, or a campaign of the window tested."""
    args = {"period": campaign_period(campaign.get("period_label", "?")),
            "index": campaign.get("index", "?"),
            "n": campaign.get("responses", "?")}  # fmt: skip
    if "weight" not in campaign:
        return _("%(period)s: %(index)s from %(n)s answers", **args)
    return _("%(period)s: %(index)s from %(n)s answers, weight %(weight)s",
             weight=campaign.get("weight", "?"), **args)  # fmt: skip


def _number(value: float) -> str:
    """Four significant digits (a p-value of 2.4015505301306586e-07 reads 2.40e-07)."""
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.2e}"
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"


def _test_label(test: str) -> str:
    match = CONSECUTIVE.match(test)
    if match:
        return _("%(n)s consecutive failures", n=match.group(1))
    match = SAME_THEME.match(test)
    if match:
        what = _("keyword") if match.group(1) == "keyword" else _("category")
        args = {"what": what, "n": match.group(2), "days": match.group(4)}
        if match.group(3):
            return _("The same %(what)s from at least %(n)s units and as many representatives "
                     "within %(days)s days", **args)  # fmt: skip
        return _("The same %(what)s from at least %(n)s units within %(days)s days", **args)
    return str(TEST_LABELS.get(test, test))
