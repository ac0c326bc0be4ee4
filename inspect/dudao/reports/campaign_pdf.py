"""The questionnaire campaign report (问卷测评报告) as an A4 PDF, in the report's language.

It prints only what `surveys.aggregate` returned (campaign_data.py): a hidden group
gets its name and the reason, never a number; comments appear only where the
aggregation released them, in the order it shuffled them. Every text a member or
the office typed goes through `pdfkit.para` (escaped, never markup).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    Spacer,
)

from dudao.core.errors import N_, Plural
from dudao.reports.campaign_data import CampaignReport
from dudao.reports.campaign_tables import history_table, units_table
from dudao.reports.charts import interval_chart
from dudao.reports.pdfkit import (
    INK,
    TEXT_WIDTH,
    Styles,
    build_a4,
    generated_at,
    grid,
    make_styles,
    numbered,
    para,
)
from dudao.reports.services import Gettext, aside, catalogue_for, gettext_for
from dudao.surveys.aggregate import Group
from dudao.surveys.models import closing_moment

Progress = Callable[[int, int], None]
MAX_BARS = 30
#: The levels below the scope a campaign asks, as "… and its companies, branches".
LEVELS = {"group": N_("groups"), "company": N_("companies"), "unit": N_("units"),
          "branch": N_("branches")}  # fmt: skip


def _local(moment: Any, tz: Any) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if tz else moment.isoformat()


def _closing(moment: Any, tz: Any) -> str:
    """As the campaign pages say it: a window that closes after 20 December ends at
    "2026-12-20 24:00", not "2026-12-21 00:00", which read as a day more."""
    if not tz:
        return moment.isoformat()
    day, hour = closing_moment(moment, tz)
    return f"{day.isoformat()} {hour}"


def _overview(data: CampaignReport, s: Styles, tz: Any, _: Gettext) -> list[Any]:
    report = data.report
    joiner = ", " if data.locale.startswith("en") else "、"
    levels = joiner.join(_(LEVELS[level]) if level in LEVELS else level for level in data.levels)
    scope = {"scope": data.scope_name, "code": data.scope_code, "levels": levels}
    covered = (_("%(scope)s (%(code)s) and its %(levels)s") if levels
               else _("%(scope)s (%(code)s) and every unit below")) % scope  # fmt: skip
    rows = [
        [_("Fact"), _("Detail")],
        [_("Questionnaire"), _("%(title)s (version %(n)d)") % {"title": data.questionnaire,
                                                               "n": data.version}],
        [_("Campaign scope"), covered],
        [_("Campaign dates"), _("%(start)s to %(end)s") % {"start": _local(data.opens_at, tz),
                                                 "end": _closing(data.closes_at, tz)}],
        [_("Campaign period"), data.period_label],
        [_("Status"), data.state],
        [_("Anonymity"), _("Units with fewer than %(k)d answers show no scores; comments are "
                           "shown only for units with %(c)d answers or more.")
                         % {"k": report.min_group, "c": report.min_comment_group}],
    ]  # fmt: skip
    story: list[Any] = [grid(rows, s, [30 * mm, TEXT_WIDTH - 30 * mm])]
    if not report.final:
        story.append(Spacer(1, 2 * mm))
        story.append(para(_(
            "The campaign is still open or answers are waiting to be stored: this report lists "
            "only answer counts and response rates. Satisfaction, the results per question "
            "and comments are shown once the campaign has ended and every answer is stored, "
            "so that comparing two reports cannot reveal the answers added in between."
        ), s.body))  # fmt: skip
    if report.pending:
        waiting = Plural(
            "%(num)d more answer is waiting to be stored and is not counted in this report.",
            "%(num)d more answers are waiting to be stored and are not counted in this report.",
            num=report.pending,
        )
        story.append(para(waiting.in_language(catalogue_for(data.locale)), s.small))
    return story


def _named(_: Gettext, group: Group) -> str:
    return aside(_, group.name, group.code)


def _distribution(shares: list[tuple[str, int]], s: Styles, _: Gettext) -> Paragraph:
    """A question's answers ("1 非常不满意：2；2 不满意：34；…") wrapped between answers,
    never inside one ("4" / "满意：470"): an answer's own spaces do not break, the cell
    breaks only at spaces, and one follows each separator (the Chinese "；" has none)."""
    share, separator = _("%(label)s: %(n)d"), _("; ")
    text = (separator if separator.endswith(" ") else f"{separator} ").join(
        (share % {"label": label, "n": n}).replace(" ", "\u00a0") for label, n in shares
    )
    return para(text, ParagraphStyle("spaced", parent=s.cell, wordWrap=None))


def _group_detail(data: CampaignReport, group: Group, s: Styles, _: Gettext) -> list[Any]:
    report = data.report
    story: list[Any] = [
        CondPageBreak(50 * mm),
        para(_("%(unit)s · %(n)d answers") % {"unit": _named(_, group), "n": group.responses},
             s.h2),
    ]  # fmt: skip
    results = data.item_results(group)
    rows = [[_("Question"), para(_("Answered"), s.right), para(_("Mean score"), s.right),
             _("Answers given")]] + [
        [r.label, para(r.answered, s.right),
         para("—" if r.mean is None else f"{r.mean:.2f}", s.right),
         _distribution(r.distribution, s, _) if r.answered
         else para(_("No one answered this question."), s.cell_muted)]
        for r in results
    ]  # fmt: skip
    story.append(grid(rows, s, [56 * mm, 19 * mm, 18 * mm, TEXT_WIDTH - 93 * mm]))
    if group.comments is None:
        story.append(para(_("Comments: shown only for a unit with %(c)d answers or more that "
                            "cannot be singled out by comparing it with the units below it.")
                          % {"c": report.min_comment_group}, s.small))  # fmt: skip
        return story
    story += [Spacer(1, 3 * mm), Paragraph(_("Comments (in random order)"), s.body),
              Spacer(1, 1 * mm)]  # fmt: skip
    for comments in group.comments:
        label = report.definition.item(comments.key).label.get(data.locale)
        story.append(para(label, s.body))
        if comments.texts is None:
            story.append(para(_("Withheld: too few answers here were asked this question "
                                "(fewer than %(k)s, or fewer than %(k)s beyond the units "
                                "below), so its comments could point to who wrote them.")
                              % {"k": report.min_group}, s.small))  # fmt: skip
        elif not comments.texts:
            story.append(para(_("None."), s.small))
        for text in comments.texts or ():
            story.append(KeepTogether([para(f"· {text}", s.body), Spacer(1, 1 * mm)]))
    return story


def campaign_story(data: CampaignReport, s: Styles, tz: Any = None,
                   progress: Progress | None = None) -> list[Any]:  # fmt: skip
    report, _ = data.report, gettext_for(data.locale)
    details = [g for g in report.groups if report.final and g.shown and g.responses]
    steps = 2 + len(details)
    story: list[Any] = [
        # The campaign's own title, whatever it ends in ("…满意度测评"), then what this is:
        # "<title> 测评报告" read "测评 测评报告".
        para(data.title, s.title),
        para(_("Campaign report"), ParagraphStyle("kind", parent=s.subtitle, fontSize=12,
                                                  leading=17, textColor=INK, spaceAfter=1 * mm)),
        para(f"{data.scope_name} · {data.period_label}", s.subtitle),
        numbered(1, _("The campaign"), s, data.locale),
        *_overview(data, s, tz, _),
        numbered(2, _("Response rates and satisfaction by unit"), s, data.locale),
        para(_("The satisfaction index is the mean over the answers of each answer's "
               "satisfaction questions scaled to 0–100, with its 95 per cent confidence "
               "interval (t distribution). A unit's figures include the answers of every "
               "unit below it."), s.small),
        Spacer(1, 2 * mm),
        units_table(data, s, _),
    ]  # fmt: skip
    rated = [g for g in report.groups if g.shown and g.satisfaction is not None]
    title = _("Satisfaction index (0–100) with its 95 per cent confidence interval")
    if len(rated) > MAX_BARS:  # a chart must fit a page: the upper levels (the table has all)
        rated = [g for g in rated if g.depth <= 1][:MAX_BARS]
        title = _("%(title)s (the scope and the units directly below it)") % {"title": title}
    bars = [(g.name, g.satisfaction.mean, g.satisfaction.low, g.satisfaction.high)
            for g in rated if g.satisfaction is not None]  # fmt: skip
    if bars:
        story += [Spacer(1, 3 * mm), interval_chart(bars, s.font, title)]
    if data.history:
        story += [CondPageBreak(50 * mm),
                  numbered(3, _("Satisfaction index in earlier campaigns"), s, data.locale),
                  para(_("Earlier campaigns of the same questionnaire over the same scope, "
                         "each under its own anonymity rules."), s.small),
                  Spacer(1, 2 * mm), history_table(data, s, _)]  # fmt: skip
    if progress is not None:
        progress(1, steps)
    if details:
        number = 4 if data.history else 3
        story += [CondPageBreak(90 * mm),
                  numbered(number, _("Results per question and comments by unit"), s,
                           data.locale)]  # fmt: skip
    for done, group in enumerate(details, start=2):
        story += _group_detail(data, group, s, _)
        if progress is not None:
            progress(done, steps)
    if progress is not None:
        progress(steps, steps)
    return story


def render_campaign_pdf(
    data: CampaignReport, *, font: str | None = None, tz: Any = None,
    progress: Progress | None = None,
) -> bytes:  # fmt: skip
    styles, _ = make_styles(font, data.locale), gettext_for(data.locale)
    footer = _("Dudao · generated %(at)s · campaign %(id)d · %(period)s") % {
        "at": generated_at(tz),
        "id": data.campaign_id,
        "period": data.period_label,
    }
    title = f"{data.title} · {_('Campaign report')}"
    return build_a4(campaign_story(data, styles, tz, progress), styles.font, footer, title,
                    pages=_("Page {n} of {total}"))  # fmt: skip
