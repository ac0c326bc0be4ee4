"""The period summary's sections from other features, registered on `register_summary_section`.

Open trend flags by severity and the flags themselves, questionnaire results (only
through the surveys aggregation, so the anonymity thresholds hold), the assessment's
ranking and tier moves (`dudao.assessment.queries`) and score trends. Reports sit at the
top of the dependency order, so the builders live here and read the other features'
public queries. Each speaks the summary's language (`locale`, "zh" or "en").
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dudao.core.database import org_timezone
from dudao.core.errors import N_, Plural
from dudao.org.models import Unit, name_in
from dudao.org.queries import within
from dudao.reports.services import Period, app_locale, aside, catalogue_for, gettext_for
from dudao.reports.summary import SummarySection, register_summary_section

#: Open flags listed one by one, most severe and most recently detected first.
FLAG_ROWS = 20
MOVES = {"up": N_("Up"), "down": N_("Down"), "same": N_("Unchanged")}
SIGNALS = {"above": N_("above the upper limit"), "below": N_("below the lower limit"),
           "run": N_("a run on one side")}  # fmt: skip
HIDDEN = {"small": N_("too few answers, not shown"), "within": N_("not shown: the level above"),
          "complementary": N_("not shown: it would reveal another group")}  # fmt: skip


@register_summary_section
def open_flags(session: Session, unit: Unit, period: Period, locale: str) -> SummarySection | None:
    """Open trend flags about units of the subtree, by severity (today's state)."""
    from dudao.trends.models import CLOSED_STATES, SEVERITY_NAMES, Flag

    _ = gettext_for(locale)
    rows = session.execute(
        select(Flag.severity, func.count(), func.sum(case((Flag.state == "new", 1), else_=0)))
        .join(Unit, Unit.id == Flag.unit_id)
        .where(within([unit.path]), Flag.state.not_in(CLOSED_STATES))
        .group_by(Flag.severity)
    ).all()
    counts = {severity: (n, int(new or 0)) for severity, n, new in rows}
    return SummarySection(
        _("Open trend flags"),
        [_("Severity"), _("Open flags"), _("Of which new")],
        [[_(name), *counts.get(key, (0, 0))] for key, name in SEVERITY_NAMES.items()],
        _(
            "Flags the trend analysis raised that are not yet resolved or dismissed, as of "
            "the day this summary was made."
        ),
    )


@register_summary_section
def open_flag_list(
    session: Session, unit: Unit, period: Period, locale: str
) -> SummarySection | None:
    """The open flags themselves: what the analysis found, where, in which months, and
    how far triage has got, so the printed summary carries the findings, not only counts."""
    from dudao.trends.models import CLOSED_STATES, RULE_NAMES, SEVERITY_NAMES, Flag
    from dudao.triage.evidence import names
    from dudao.workflow.registry import get_workflow

    _, workflow = gettext_for(locale), get_workflow("flag_triage")
    query = (
        select(Flag)
        .join(Unit, Unit.id == Flag.unit_id)
        .where(within([unit.path]), Flag.state.not_in(CLOSED_STATES))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if not total:
        return None
    rank = case({key: n for n, key in enumerate(SEVERITY_NAMES)}, value=Flag.severity, else_=9)
    flags = session.scalars(
        query.order_by(rank, Flag.last_detected.desc(), Flag.id).limit(FLAG_ROWS)
    ).all()
    known = names(session, flags, locale)
    rows = []
    for flag in flags:
        labels = known.get(flag.definition_key or "", ("", {}))[1]
        months = flag.first_detected
        if flag.last_detected != flag.first_detected:
            months = f"{flag.first_detected} – {flag.last_detected}"
        state = workflow.state(flag.state).label.get(locale)
        where = aside(_, flag.unit.name_in(locale), flag.unit.code)
        if len(flag.unit_ids or ()) > 1:  # a scope's flag (cross-unit): how far it reaches
            where = _("%(scope)s; units affected: %(n)d") % {
                "scope": where,
                "n": len(flag.unit_ids),
            }
        rows.append([
            _(SEVERITY_NAMES.get(flag.severity, flag.severity)),
            _(RULE_NAMES.get(flag.rule, flag.rule)),
            where,
            labels.get(flag.item_key, flag.item_key) if flag.item_key else "—",
            months,
            state if flag.detected else aside(_, state, _("no longer detected")),
        ])  # fmt: skip
    return SummarySection(
        _("Open trend flags, most severe first"),
        [_("Severity"), _("Problem"), _("Unit"), _("Checklist item"), _("Detected in"),
         _("Triage")],
        rows,
        Plural("%(shown)d of %(num)d open flag, the most severe and most recently detected "
               "first; the flag queue holds them all with their evidence.",
               "%(shown)d of %(num)d open flags, the most severe and most recently detected "
               "first; the flag queue holds them all with their evidence.",
               num=total, shown=len(rows)).in_language(catalogue_for(locale)),
        widths=(0.10, 0.155, 0.225, 0.19, 0.18, 0.15),  # whole words; the months on one line
    )  # fmt: skip


@register_summary_section
def questionnaire_results(
    session: Session, unit: Unit, period: Period, locale: str
) -> SummarySection | None:
    """Campaigns closing in the period that cover the unit or lie inside its subtree, each
    through `aggregate` at the summary's unit (or the campaign's own scope below it)."""
    from dudao.reports.campaign_data import NOT_SHOWN, campaigns_in_scope

    _, tz = gettext_for(locale), ZoneInfo(org_timezone(session))
    rows = []
    found = campaigns_in_scope(session, tz, unit, period.start, period.end, locale=locale)
    for campaign, report in found:
        top = report.groups[0]
        name = aside(_, top.name, top.code)
        if not top.shown:
            rows.append([campaign.title, name, _(HIDDEN.get(top.hidden or "", NOT_SHOWN)),
                         "", ""])  # fmt: skip
            continue
        sat = top.satisfaction
        rows.append([
            campaign.title, name, top.responses,
            "—" if top.rate is None else f"{top.rate:.1f}%",
            _("in progress (counts only)") if not report.final else
            "—" if sat is None else aside(_, f"{sat.mean:.1f}", f"{sat.low:.1f}–{sat.high:.1f}"),
        ])  # fmt: skip
    if not rows:
        return None
    return SummarySection(
        _("Questionnaire campaign results"),
        [_("Questionnaire campaign"), _("Unit"), _("Responses"), _("Response rate"),
         _("Satisfaction index (95 per cent confidence interval)")],
        rows,
        _("Protected for anonymity: units with fewer answers than the campaign requires are "
          "not shown; satisfaction is shown once the campaign has ended and all its answers "
          "are stored."),
    )  # fmt: skip


#: A subtree of hundreds of branches early in a period has hundreds not yet assessed.
NAMED_UNASSESSED = 10


@register_summary_section
def assessment_ranking(
    session: Session, unit: Unit, period: Period, locale: str
) -> SummarySection | None:
    """The assessment's ranking and tier moves in the subtree, when its period is this one."""
    from dudao.assessment.config import assessment_config
    from dudao.assessment.queries import ranking

    _, config = gettext_for(locale), assessment_config()
    result = ranking(session, [unit.path], period.key)
    if result.period != period.key or not result.rows:
        return None
    rows = [
        [score.rank, aside(_, name_in(score.name, score.name_en, locale), score.code),
         f"{score.composite:.1f}",
         (config.tier(score.tier).title(locale) if config.tier(score.tier) else "—"),
         _(MOVES[score.move]) if score.move in MOVES else "—"]
        for score in result.rows
    ]  # fmt: skip
    # TRANSLATORS: joins "Up 3", "Down 2" in the assessment's note.
    moves = _(", ").join(_("%(move)s %(n)d") % {"move": _(MOVES[m]), "n": n}
                         for m, n in result.moves.items() if n)  # fmt: skip
    note = _("Assessment and tiers: composite scores and tiers")
    if result.provisional:
        note = _("%(note)s (the period is not over: provisional)") % {"note": note}
    note = (_("%(note)s; tiers: %(moves)s.") % {"note": note, "moves": moves} if moves
            else _("%(note)s.") % {"note": note})  # fmt: skip
    if result.unassessed:  # left out of the table: say who (the first few), and why
        names = _(", ").join(aside(_, name_in(s.name, s.name_en, locale), s.code)
                             for s in result.unassessed[:NAMED_UNASSESSED])  # fmt: skip
        more = len(result.unassessed) - NAMED_UNASSESSED
        if more > 0:
            names = _("%(names)s and %(more)d more (the assessment page lists them all)") % {
                "names": names, "more": more}  # fmt: skip
        left_out = _("Not assessed (fewer than %(min)d counted inspections): %(units)s.") % {
            "min": config.min_inspections, "units": names}  # fmt: skip
        # TRANSLATORS: two sentences one after the other (no space between them in Chinese).
        note = _("%(first)s %(second)s") % {"first": note, "second": left_out}
    return SummarySection(
        _("Assessment ranking and tier changes"),
        [_("Rank"), _("Unit"), _("Composite score"), _("Tier"), _("Since the last period")],
        rows, note, widths=(0.08, 0.46, 0.14, 0.16, 0.16),
    )  # fmt: skip


@register_summary_section
def score_trends(
    session: Session, unit: Unit, period: Period, locale: str
) -> SummarySection | None:
    """Monthly mean scores per checklist over the twelve months up to the period's end, with
    Shewhart control limits and signals (`dudao.analytics.queries.scores`)."""
    from dudao.analytics.charts import control_chart
    from dudao.analytics.periods import Range, shift_months
    from dudao.analytics.queries import Filters, scores
    from dudao.reports.fonts import register_font

    _, months = gettext_for(locale), Range(shift_months(period.start, -9), period.end, "month")
    first = period.start.strftime("%Y-%m")
    series = [s for s in scores(session, [unit.path], Filters(unit, months), app_locale(locale))
              if any(p.n and p.period >= first for p in s.chart.points)]  # fmt: skip
    if not series:
        return None
    settings = session.info.get("settings")
    font = register_font(settings.pdf_font if settings else None)
    labels = {"mean": _("Monthly average score"), "center": _("Centre line"),
              "limits": _("Control limits (±3σ)"), "signal": _("Out of control")}  # fmt: skip
    rows = [
        [s.title, p.period, p.n, f"{p.mean:.1f}%",
         "—" if p.lcl is None else f"{p.lcl:.1f}–{p.ucl:.1f}",
         _(SIGNALS[p.signal]) if p.signal in SIGNALS else ""]
        for s in series for p in s.chart.points if p.n
    ]  # fmt: skip
    return SummarySection(
        _("Score trends (last twelve months)"),
        [
            _("Checklist"),
            _("Month of the year"),
            _("Number of inspections"),
            _("Average score"),
            _("Control limits"),
            _("Signal"),
        ],
        rows,
        _(
            "Monthly average score with control limits (the first half of the months is the "
            "baseline, ±3σ); a month outside the limits or in a run on one side of the centre "
            "line is marked as a signal."
        ),
        tuple(control_chart(s.chart, s.title, labels, font) for s in series),
    )
