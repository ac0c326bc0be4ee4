"""The one aggregation of survey responses: every page, export, PDF and API answer calls it.

It enforces the campaign's thresholds itself (surveys/suppression.py), so no
output path can show more than this returns: hidden groups carry no numbers at
all, filters that would single out fewer than `min_group` answers are refused,
and free-text comments appear only for groups at or above `min_comment_group`,
in random order, per question, and never where a difference between groups or a
question's condition would isolate them (surveys/comments.py).
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.core.errors import N_, Message, NotFound, ValidationError, field_problem
from dudao.definitions.items import kind_of
from dudao.definitions.queries import pinned
from dudao.definitions.scoring import satisfaction_index
from dudao.definitions.spec import Definition, ItemType
from dudao.surveys import queries
from dudao.surveys.campaign_tree import campaign_tree
from dudao.surveys.comments import Comments, comment_groups, group_comments
from dudao.surveys.intervals import Interval, interval
from dudao.surveys.models import Campaign, Response
from dudao.surveys.suppression import (
    Tree,
    exposes,
    reach_totals,
    remainder,
    subtree_totals,
    suppress,
)

FILTERABLE = (ItemType.SINGLE_CHOICE, ItemType.YES_NO)
UNANSWERED = "__unanswered__"


class FilterRefused(ValidationError):
    """A filter that would let someone isolate a group under the threshold."""


@dataclass(frozen=True)
class ItemStat:
    key: str
    type: str
    answered: int
    mean: float | None
    distribution: tuple[tuple[str, int], ...]


@dataclass
class Group:
    unit_id: int
    code: str
    name: str
    depth: int
    parent_id: int | None
    hidden: str | None = None  # None, "small", "within" or "complementary"
    responses: int | None = None
    invited: int | None = None
    rate: float | None = None
    satisfaction: Interval | None = None
    items: dict[str, ItemStat] = field(default_factory=dict)
    #: Per text question, in the definition's order; None: the group shows no comments.
    comments: list[Comments] | None = None

    @property
    def shown(self) -> bool:
        return self.hidden is None


@dataclass
class Report:
    campaign_id: int
    definition: Definition
    period_label: str
    min_group: int
    min_comment_group: int
    groups: list[Group]
    pending: int
    filter: tuple[str, str] | None = None
    #: False while answers can still arrive: then only counts and rates are shown.
    final: bool = True


def _item_stat(definition: Definition, key: str, answers: list[dict[str, Any]]) -> ItemStat:
    item = definition.item(key)
    values = [a[key] for a in answers if key in a]
    counts: dict[str, int] = {}
    if item.type in (ItemType.SCALE, ItemType.RATING):
        low, high = kind_of(item).bounds(item)
        counts = {str(v): 0 for v in range(low, high + 1)}
    elif item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        counts = {o.key: 0 for o in item.options}
    elif item.type == ItemType.YES_NO:
        counts = {"yes": 0, "no": 0, **({"na": 0} if item.allow_na else {})}
    for value in values:
        for v in value if isinstance(value, list) else [value]:
            counts[str(v)] = counts.get(str(v), 0) + 1
    numeric = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    mean = (
        round(statistics.fmean(numeric), 2)
        if numeric and item.type in (ItemType.SCALE, ItemType.RATING, ItemType.NUMBER)
        else None
    )
    return ItemStat(key, str(item.type), len(values), mean, tuple(counts.items()))


def _cell(answers: dict[str, Any], key: str) -> str:
    value = answers.get(key)
    return UNANSWERED if value in (None, "", []) else str(value)


def aggregate(
    session: Session,
    campaign: Campaign,
    *,
    root_unit_id: int | None = None,
    filter_item: str | None = None,
    filter_value: str | None = None,
    locale: str = "zh_CN",
    rng: random.Random | None = None,
    items: bool = True,
) -> Report:
    """Per-unit (and parent) figures of a campaign with every threshold applied.

    Scores, distributions and comments appear only once the campaign is over and no
    answer is pending: figures that changed batch by batch could be compared before
    and after a batch to work out the answers it added. Until then a report holds
    counts and response rates only, and filters are refused.

    `items=False` leaves out the per-question figures (`Group.items` stays empty) for
    callers that read only counts and the satisfaction index: they are most of the work.
    """
    definition = pinned(session, campaign.definition_version_id)
    pending = queries.pending_count(session, campaign.id)
    final = campaign.is_over(utcnow()) and pending == 0
    k, kc = campaign.min_group, campaign.min_comment_group
    units, tree = campaign_tree(session, campaign)
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for unit_id, answers in session.execute(
        select(Response.unit_id, Response.answers).where(Response.campaign_id == campaign.id)
    ):
        by_unit.setdefault(unit_id, []).append(answers)
    direct = {u: len(a) for u, a in by_unit.items()}
    hidden = suppress(tree, direct, k)
    chosen: tuple[str, str] | None = None
    if filter_item and not final:
        message = Message(
            N_("Filters are available once the campaign has closed and every answer is in.")
        )
        raise FilterRefused(message, [message])
    if filter_item:
        chosen = _check_filter(definition, tree, by_unit, hidden, k, filter_item, filter_value)
        by_unit = {
            u: [a for a in answers if _cell(a, chosen[0]) == chosen[1]]
            for u, answers in by_unit.items()
        }
        direct = {u: len(a) for u, a in by_unit.items()}
    totals = subtree_totals(tree, direct)
    invited_totals = reach_totals(tree, queries.invited_counts(session, campaign.id))
    rng = rng or random.SystemRandom()
    order = tree.preorder()
    if root_unit_id is not None:
        if root_unit_id not in units:
            raise NotFound("That unit is not part of this campaign.")
        keep = set(Tree(root_unit_id, tree.children).preorder())
        order = [u for u in order if u in keep]
    stat_keys = [
        i.key
        for i in definition.items
        if i.type not in (ItemType.TEXT, ItemType.NOTE, ItemType.PHOTO, ItemType.DATE)
    ]
    subtree_answers = _subtree_answers(tree, by_unit)
    # An answer counts in its own group and in every group above it: score it once.
    index_of = (
        {id(a): satisfaction_index(definition, a) for rows in by_unit.values() for a in rows}
        if final
        else {}
    )
    comment_ok = comment_groups(tree, totals, hidden, kc) if final and not chosen else set()
    comments = group_comments(definition, tree, by_unit, subtree_answers, comment_ok, k, rng)
    placing = tree.placing()
    groups: list[Group] = []
    for unit_id in order:
        unit = units[unit_id]
        parent, depth = placing[unit_id]
        group = Group(
            unit_id, unit.code, unit.name_in(locale), depth, parent, hidden=hidden.get(unit_id)
        )
        groups.append(group)
        if not group.shown:
            continue
        answers = subtree_answers[unit_id]
        group.responses = totals[unit_id]
        if not chosen:
            group.invited = invited_totals.get(unit_id, 0)
            if group.invited:
                group.rate = round(100.0 * group.responses / group.invited, 1)
        if not final:
            continue
        indexes = [s for a in answers if (s := index_of[id(a)]) is not None]
        group.satisfaction = interval(indexes)
        if items:
            group.items = {key: _item_stat(definition, key, answers) for key in stat_keys}
        group.comments = comments.get(unit_id)
    return Report(
        campaign.id,
        definition,
        campaign.period_label,
        k,
        kc,
        groups,
        pending,
        chosen,
        final,
    )


def _subtree_answers(
    tree: Tree, by_unit: dict[int, list[dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    result: dict[int, list[dict[str, Any]]] = {}
    for node in reversed(tree.preorder()):
        merged = list(by_unit.get(node, []))
        for child in tree.children.get(node, ()):
            merged.extend(result[child])
        result[node] = merged
    return result


def _check_filter(
    definition: Definition,
    tree: Tree,
    by_unit: dict[int, list[dict[str, Any]]],
    hidden: dict[int, str],
    k: int,
    key: str,
    value: str | None,
) -> tuple[str, str]:
    """Refuse a filter unless every piece it cuts, in every group shown, is 0 or at least k."""
    item = definition._index.get(key)
    if item is None or item.type not in FILTERABLE:
        message = Message(N_("You can only filter by a single-choice or yes/no question."))
        raise FilterRefused(message, [field_problem("filter_item", message)])
    cells = (
        [o.key for o in item.options]
        if item.type == ItemType.SINGLE_CHOICE
        else ["yes", "no", "na"]
    )
    if value not in cells:
        message = Message(N_("Choose one of the question's answers to filter by."))
        raise FilterRefused(message, [field_problem("filter_value", message)])
    message = Message(
        N_(
            "This filter is refused: in at least one group it would single out fewer than "
            "%(k)s answers, directly or by subtracting one figure from another."
        ),
        k=k,
    )
    for cell in [*cells, UNANSWERED]:
        direct = {u: sum(1 for a in rows if _cell(a, key) == cell) for u, rows in by_unit.items()}
        totals = subtree_totals(tree, direct)
        for node in tree.preorder():
            if node in hidden:
                continue
            if 0 < totals[node] < k or exposes(*remainder(tree, node, hidden, totals, direct), k):
                raise FilterRefused(message, [message])
    return key, str(value)
