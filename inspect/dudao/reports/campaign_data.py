"""What a questionnaire campaign report shows, read only through the surveys aggregation.

Every figure, distribution and comment comes from `surveys.aggregate.aggregate`, which
applies the campaign's thresholds (hidden groups carry no numbers; complementary
suppression; comments only at or above the comment threshold, shuffled). This module
adds nothing but the campaign's own facts and the labels the PDF prints, in the report's
language ("zh" or "en": questions, options, names and titles in English where they have it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from dudao.core.database import utcnow
from dudao.core.enums import in_tree_order
from dudao.core.errors import N_, Message, NotFound
from dudao.definitions.display import YES_NO
from dudao.definitions.items import kind_of
from dudao.definitions.models import DefinitionVersion
from dudao.definitions.spec import Item, ItemType
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.reports.services import app_locale, catalogue_for, gettext_for
from dudao.surveys.aggregate import Group, Report, aggregate
from dudao.surveys.folding import Row, fold_quiet, unit_rows
from dudao.surveys.models import Campaign
from dudao.surveys.queries import covering_or_within

STATES = {"draft": N_("Draft"), "open": N_("Open"), "closed": N_("Closed")}
NOT_SHOWN = N_("not shown")
#: Why a group is hidden, as the report says it (docs/anonymity.md).
HIDDEN = {
    "small": N_("Fewer than %(k)d answers: not shown on its own; its answers count in the "
                "figures of the unit above."),
    "top": N_("Fewer than %(k)d answers: not shown."),  # the scope: no unit above it
    "within": N_("The unit above is not shown, so neither is this one."),
    "complementary": N_("Not shown either, so that a hidden unit cannot be worked out by "
                        "subtraction."),
}  # fmt: skip


@dataclass(frozen=True)
class ItemResult:
    label: str
    answered: int
    mean: float | None
    distribution: list[tuple[str, int]]  # option label, count


@dataclass
class CampaignReport:
    campaign_id: int
    title: str
    questionnaire: str
    version: int
    scope_code: str
    scope_name: str
    levels: list[str]
    opens_at: Any
    closes_at: Any
    period_label: str
    state: str
    over: bool
    report: Report
    #: Satisfaction index per unit in earlier campaigns of the same questionnaire over the
    #: same scope, then this one: [(period label, {unit id: printed cell})], oldest first; a
    #: unit with no answers in a campaign has no cell in it.
    history: list[tuple[str, dict[int, str]]] = field(default_factory=list)
    locale: str = "zh"  # the language it is in: "zh" or "en"

    def reason(self, group: Group) -> str:
        top = group.hidden == "small" and group.code == self.scope_code  # as the results page
        why = HIDDEN.get("top" if top else group.hidden or "")
        return gettext_for(self.locale)(why) % {"k": self.report.min_group} if why else ""

    def unit_rows(self) -> list[Row]:
        """Section 二's rows: a unit with no answers below it stands for its subtree, and so
        does a hidden unit for the units below it hidden only because it is."""
        return unit_rows(self.report.groups)

    def history_rows(self) -> list[Row]:
        """Section 三's rows: a unit with no answers below it in any of the campaigns
        stands for its subtree; one that answered in some campaign keeps its row."""
        active = {unit for _label, cells in self.history for unit in cells}
        return fold_quiet(self.report.groups, active)

    def item_results(self, group: Group) -> list[ItemResult]:
        """The group's per-question figures with printable option labels (aggregate's only)."""
        results = []
        for key, stat in group.items.items():
            item = self.report.definition.item(key)
            shares = [(value_label(item, v, self.locale), n) for v, n in stat.distribution]
            label = item.label.get(self.locale)
            results.append(ItemResult(label, stat.answered, stat.mean, shares))
        return results


def value_label(item: Item, value: str, locale: str) -> str:
    """One value of a distribution as a reader sees it (the PDF and the results page)."""
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        return next((o.label.get(locale) for o in item.options if o.key == value), value)
    if item.type == ItemType.YES_NO:
        pair = YES_NO.get(value)
        return pair[1 if locale.startswith("en") else 0] if pair else value
    if item.type == ItemType.SCALE and item.labels:
        low, _high = kind_of(item).bounds(item)
        index = int(value) - low if value.lstrip("-").isdigit() else -1
        if 0 <= index < len(item.labels):
            return f"{value} {item.labels[index].get(locale)}"
    if item.type in (ItemType.SCALE, ItemType.RATING) and value.lstrip("-").isdigit():
        points = int(value)  # "1 point", "2 points"
        return catalogue_for(locale).ngettext("%(num)d point", "%(num)d points", points) % {
            "num": points
        }
    return value


def _cells(report: Report, locale: str) -> dict[int, str]:
    """The printed index of each unit that is hidden or answered (none for the others)."""
    hidden = gettext_for(locale)(NOT_SHOWN)
    return {
        g.unit_id: (hidden if not g.shown else "—" if g.satisfaction is None
                    else f"{g.satisfaction.mean:.1f}")
        for g in report.groups if not g.shown or g.responses
    }  # fmt: skip


def _history(session: Session, campaign: Campaign, report: Report, definition_id: int,
             locale: str, periods: int = 4) -> list[tuple[str, dict[int, str]]]:  # fmt: skip
    """The last `periods` finished campaigns of this questionnaire over this scope, each
    through its own aggregation (its own thresholds), ending with this one."""
    if not report.final:
        return []
    earlier = session.scalars(
        select(Campaign)
        .join(DefinitionVersion, DefinitionVersion.id == Campaign.definition_version_id)
        .where(DefinitionVersion.definition_id == definition_id,
               Campaign.scope_unit_id == campaign.scope_unit_id, Campaign.id != campaign.id,
               Campaign.closes_at < campaign.closes_at)
        .order_by(Campaign.closes_at.desc())
        .limit(periods - 1)
    ).all()  # fmt: skip
    columns = []
    for old in reversed(earlier):
        past = aggregate(session, old, locale=app_locale(locale), items=False)
        if past.final:
            columns.append((old.period_label, _cells(past, locale)))
    return [*columns, (campaign.period_label, _cells(report, locale))] if columns else []


def load_campaign_report(session: Session, campaign_id: int, locale: str = "zh") -> CampaignReport:
    """The campaign's facts and its one aggregation (thresholds applied there)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(Message(N_("Campaign %(id)d does not exist."), id=campaign_id))
    version = session.get(DefinitionVersion, campaign.definition_version_id)
    assert version is not None
    report = aggregate(session, campaign, locale=app_locale(locale))
    scope = campaign.scope_unit
    return CampaignReport(
        campaign_id=campaign.id,
        title=campaign.title,
        questionnaire=report.definition.title.get(locale),
        version=version.number,
        scope_code=scope.code,
        scope_name=scope.name_in(locale),
        levels=in_tree_order(campaign.levels or []),  # stored alphabetically before 27 Nov 2026
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        period_label=campaign.period_label,
        state=gettext_for(locale)(STATES.get(str(campaign.state), str(campaign.state))),
        over=campaign.is_over(utcnow()),
        report=report,
        history=_history(session, campaign, report, version.definition_id, locale),
        locale=locale,
    )


def campaigns_in_scope(
    session: Session, tz: tzinfo, unit: Unit | None = None, start: date | None = None,
    end: date | None = None, paths: Sequence[str] | None = None, locale: str = "zh",
) -> list[tuple[Campaign, Report]]:  # fmt: skip
    """The campaigns a report covers, in closing order: closing from `start` to `end` (the
    organisation's dates in `tz`, inclusive), the scope covering `unit` or inside its
    subtree and (if given) inside `paths`, the viewer's subtrees. Each is aggregated from `unit`
    when the campaign covers it from above, else from the campaign's own scope; group
    names in `locale`."""
    query = (
        select(Campaign)
        .join(Unit, Unit.id == Campaign.scope_unit_id)
        .options(contains_eager(Campaign.scope_unit))
    )
    if paths is not None:
        query = query.where(within(paths))
    if unit is not None:
        query = query.where(covering_or_within(unit))
    if start is not None:
        query = query.where(Campaign.closes_at >= datetime.combine(start, time.min, tz))
    if end is not None:
        after = datetime.combine(end + timedelta(days=1), time.min, tz)
        query = query.where(Campaign.closes_at < after)
    found = []
    for campaign in session.scalars(query.order_by(Campaign.closes_at, Campaign.id)):
        above = unit is not None and not campaign.scope_unit.path.startswith(unit.path)
        root = unit.id if above and unit is not None else None
        found.append((campaign, aggregate(session, campaign, root_unit_id=root, items=False,
                                          locale=app_locale(locale))))  # fmt: skip
    return found
