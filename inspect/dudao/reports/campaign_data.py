"""What a questionnaire campaign report shows, read only through the surveys aggregation.

Every figure, distribution and comment comes from `surveys.aggregate.aggregate`, which
applies the campaign's thresholds (hidden groups carry no numbers; complementary
suppression; comments only at or above the comment threshold, shuffled). This module
adds nothing but the campaign's own facts and the labels the PDF prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from dudao.core.database import utcnow
from dudao.core.errors import NotFound
from dudao.definitions.items import kind_of
from dudao.definitions.models import DefinitionVersion
from dudao.definitions.spec import Item, ItemType
from dudao.org.models import Unit
from dudao.org.queries import covering_or_within, within
from dudao.surveys.aggregate import Group, Report, aggregate
from dudao.surveys.models import Campaign

STATES = {"draft": "草稿", "open": "进行中", "closed": "已结束"}
YES_NO = {"yes": "是", "no": "否", "na": "不适用"}
#: Why a group is hidden, as the report says it (docs/anonymity.md).
HIDDEN = {
    "small": "答卷少于 {k} 份，不单独显示；其答卷计入上级单位的数据。",
    "within": "上级单位未显示，本单位随之不显示。",
    "complementary": "为防止通过相减推算出未显示的单位，本单位一并不显示。",
}


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
    #: same scope, then this one: [(period label, {unit id: printed cell})], oldest first.
    history: list[tuple[str, dict[int, str]]] = field(default_factory=list)

    def reason(self, group: Group) -> str:
        return HIDDEN.get(group.hidden or "", "").format(k=self.report.min_group)

    def item_results(self, group: Group) -> list[ItemResult]:
        """The group's per-question figures with printable option labels (aggregate's only)."""
        results = []
        for key, stat in group.items.items():
            item = self.report.definition.item(key)
            results.append(
                ItemResult(
                    item.label.zh,
                    stat.answered,
                    stat.mean,
                    [(_value_label(item, value), n) for value, n in stat.distribution],
                )
            )
        return results


def _value_label(item: Item, value: str) -> str:
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        return next((o.label.zh for o in item.options if o.key == value), value)
    if item.type == ItemType.YES_NO:
        return YES_NO.get(value, value)
    if item.type == ItemType.SCALE and item.labels:
        low, _high = kind_of(item).bounds(item)
        index = int(value) - low if value.lstrip("-").isdigit() else -1
        if 0 <= index < len(item.labels):
            return f"{value} {item.labels[index].zh}"
    if item.type in (ItemType.SCALE, ItemType.RATING):
        return f"{value}分"
    return value


def _cells(report: Report) -> dict[int, str]:
    return {
        g.unit_id: ("未显示" if not g.shown else "—" if g.satisfaction is None
                    else f"{g.satisfaction.mean:.1f}")
        for g in report.groups
    }  # fmt: skip


def _history(session: Session, campaign: Campaign, report: Report, definition_id: int,
             periods: int = 4) -> list[tuple[str, dict[int, str]]]:  # fmt: skip
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
        past = aggregate(session, old, locale="zh_CN", items=False)
        if past.final:
            columns.append((old.period_label, _cells(past)))
    return [*columns, (campaign.period_label, _cells(report))] if columns else []


def load_campaign_report(session: Session, campaign_id: int) -> CampaignReport:
    """The campaign's facts and its one aggregation (thresholds applied there)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"Campaign {campaign_id} does not exist.")
    version = session.get(DefinitionVersion, campaign.definition_version_id)
    assert version is not None
    report = aggregate(session, campaign, locale="zh_CN")
    scope = campaign.scope_unit
    return CampaignReport(
        campaign_id=campaign.id,
        title=campaign.title,
        questionnaire=report.definition.title.zh,
        version=version.number,
        scope_code=scope.code,
        scope_name=scope.name,
        levels=list(campaign.levels or []),
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        period_label=campaign.period_label,
        state=STATES.get(str(campaign.state), str(campaign.state)),
        over=campaign.is_over(utcnow()),
        report=report,
        history=_history(session, campaign, report, version.definition_id),
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
        language = "en" if locale.startswith("en") else "zh_CN"  # the groups' unit names
        found.append((campaign, aggregate(session, campaign, root_unit_id=root, items=False,
                                          locale=language)))  # fmt: skip
    return found
