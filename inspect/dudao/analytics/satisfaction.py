"""Questionnaire satisfaction over periods, read only through the surveys aggregation.

Each campaign whose scope covers the chosen unit is one point: the figure that
`surveys.aggregate.aggregate` gives for the unit's group, with every anonymity
threshold and complementary suppression applied there. A hidden group is a point
without numbers that carries the reason; a campaign still collecting answers shows no
score either. One aggregation per campaign (campaigns are few; units are not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.analytics.queries import Filters
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.org.models import Unit
from dudao.surveys.aggregate import aggregate
from dudao.surveys.models import Campaign, CampaignState
from dudao.surveys.queries import covering_or_within


@dataclass(frozen=True)
class SatisfactionPoint:
    campaign_id: int
    title: str
    period: str  # the campaign's period label
    opens: date
    responses: int | None
    mean: float | None
    low: float | None
    high: float | None
    hidden: str | None  # "small", "within" or "complementary": suppressed by the aggregation
    final: bool  # False while answers may still arrive (no score is shown then)
    min_group: int  # the campaign's threshold


@dataclass(frozen=True)
class SatisfactionSeries:
    definition: str
    title: str
    points: tuple[SatisfactionPoint, ...]


@dataclass(frozen=True)
class Satisfaction:
    series: tuple[SatisfactionSeries, ...]
    narrower: tuple[tuple[str, str, str], ...]  # campaigns inside the unit: (code, name, title)


def satisfaction(
    session: Session, paths: Sequence[str], filters: Filters, tz: str, locale: str = "zh_CN"
) -> Satisfaction:
    """Campaigns (not drafts) opened in the range whose scope contains the chosen unit."""
    unit = filters.unit
    zone = ZoneInfo(tz)
    rows = session.execute(
        select(Campaign, FormDefinition, Unit)
        .join(DefinitionVersion, DefinitionVersion.id == Campaign.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .join(Unit, Unit.id == Campaign.scope_unit_id)
        .where(Campaign.state != CampaignState.DRAFT,
               covering_or_within(unit))
        .order_by(Campaign.opens_at, Campaign.id)
    ).all()  # fmt: skip
    grouped: dict[str, list[SatisfactionPoint]] = {}
    titles: dict[str, str] = {}
    narrower = []
    for campaign, definition, scope in rows:
        opens = campaign.opens_at.astimezone(zone).date()
        if not filters.range.first <= opens <= filters.range.last:
            continue
        if filters.definition and definition.key != filters.definition:
            continue
        if scope.id != unit.id and scope.path.startswith(unit.path):
            narrower.append((scope.code, scope.name_in(locale), campaign.title))
            continue
        if not paths or not any(unit.path.startswith(p) for p in paths):
            continue
        report = aggregate(session, campaign, root_unit_id=unit.id, locale=locale, items=False)
        group = report.groups[0]
        interval = group.satisfaction
        grouped.setdefault(definition.key, []).append(SatisfactionPoint(
            campaign.id, campaign.title, campaign.period_label, opens, group.responses,
            interval.mean if interval else None, interval.low if interval else None,
            interval.high if interval else None, group.hidden, report.final, report.min_group,
        ))  # fmt: skip
        titles[definition.key] = definition.title(locale)
    return Satisfaction(
        tuple(
            SatisfactionSeries(key, titles[key], tuple(points))
            for key, points in sorted(grouped.items())
        ),
        tuple(narrower),
    )
