"""Which free-text answers a group of a campaign's results shows, question by question.

A group shows comments only with at least `min_comment_group` answers, and only when the
comments it holds beyond those of its shown children come from 0 or at least that many
answers (otherwise a set difference isolates them). Each text question's comments come
under its label, which links them to the question's condition: the answers to "why were
you not satisfied?" (show_if) are those of the few who were not. So a question's comments
are shown only where at least `min_group` answers of the group were asked it (its
condition held), and those of them no shown child covers are 0 or at least `min_group`;
otherwise they are withheld and the page says so (docs/anonymity.md).
"""

from __future__ import annotations

import random
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from dudao.definitions.showif import visible_items
from dudao.definitions.spec import Definition, ItemType
from dudao.surveys.suppression import Tree, subtree_totals


@dataclass(frozen=True)
class Comments:
    """One text question's comments in a group, shuffled; `texts` None: withheld, as too
    few of the group's answers were asked the question."""

    key: str
    texts: list[str] | None


def comment_groups(
    tree: Tree, totals: dict[int, int], excluded: Container[int], threshold: int
) -> set[int]:
    """Groups (not `excluded`) whose comments may be shown: at least `threshold` answers,
    and those no shown child covers are 0 or at least `threshold` (so a set difference
    isolates none)."""
    allowed: set[int] = set()
    covered: dict[int, int] = {}
    for node in reversed(tree.preorder()):
        below = sum(covered[c] for c in tree.children.get(node, ()))
        rest = totals[node] - below
        if node not in excluded and totals[node] >= threshold and (rest == 0 or rest >= threshold):
            allowed.add(node)
            covered[node] = totals[node]
        else:
            covered[node] = below
    return allowed


def group_comments(
    definition: Definition,
    tree: Tree,
    by_unit: dict[int, list[dict[str, Any]]],
    subtree_answers: dict[int, list[dict[str, Any]]],
    allowed: set[int],
    min_group: int,
    rng: random.Random,
) -> dict[int, list[Comments]]:
    """The comments of each `allowed` group (see `comment_groups`), per text question."""
    questions = [i for i in definition.items if i.type == ItemType.TEXT]
    asked: dict[int, set[str]] = {}
    if any(q.show_if is not None for q in questions):
        asked = {id(a): visible_items(definition, a) for rows in by_unit.values() for a in rows}
    excluded = set(tree.preorder()) - allowed
    shown: dict[str, set[int]] = {}
    for question in questions:
        if question.show_if is None:  # asked of every answer: the group's own rule holds
            shown[question.key] = allowed
            continue
        direct = {
            unit: sum(1 for a in rows if question.key in asked[id(a)])
            for unit, rows in by_unit.items()
        }
        totals = subtree_totals(tree, direct)
        unasked = {unit for unit in allowed if totals[unit] == 0}  # nothing to withhold
        shown[question.key] = comment_groups(tree, totals, excluded, min_group) | unasked
    result: dict[int, list[Comments]] = {}
    for unit in allowed:
        result[unit] = []
        for question in questions:
            texts = None
            if unit in shown[question.key]:
                texts = [a[question.key] for a in subtree_answers[unit] if a.get(question.key)]
                rng.shuffle(texts)
            result[unit].append(Comments(question.key, texts))
    return result
