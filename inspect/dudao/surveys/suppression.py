"""Which groups of a report are hidden, so no group under the threshold can be read or derived.

Pure functions over the unit tree and response counts (no database), used only
by `aggregate.aggregate`. A group is hidden when it has fewer than `k` answers
("small"); a hidden group hides its whole subtree ("within"). Under every
visible parent, what the parent shows minus what its visible children show must
not single anything out: the hidden remainder (hidden children plus answers
given at the parent unit itself) must be 0, or at least `k` and not one small
group on its own; otherwise the smallest visible sibling is hidden too
("complementary"), until nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

SMALL, WITHIN, COMPLEMENTARY = "small", "within", "complementary"


@dataclass(frozen=True)
class Tree:
    root: int
    children: Mapping[int, Sequence[int]]

    def preorder(self) -> list[int]:
        order, stack = [], [self.root]
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(reversed(self.children.get(node, ())))
        return order

    def placing(self) -> dict[int, tuple[int | None, int]]:
        """Each node's parent and depth below the root."""
        placed: dict[int, tuple[int | None, int]] = {self.root: (None, 0)}
        for node in self.preorder():
            for child in self.children.get(node, ()):
                placed[child] = (node, placed[node][1] + 1)
        return placed


def subtree_totals(tree: Tree, direct: Mapping[int, int]) -> dict[int, int]:
    return _upwards(tree, direct, lambda own, below: own + below)


def reach_totals(tree: Tree, direct: Mapping[int, int]) -> dict[int, int]:
    """The people a subtree's links and invitations reach: a unit's own figure, or its
    children's together where that is more. A unit's headcount counts its whole subtree
    (a company's is its units' together), so the open link of a unit whose children answer
    too reaches the same people as theirs: adding them counted everyone twice."""
    return _upwards(tree, direct, max)


def _upwards(
    tree: Tree, direct: Mapping[int, int], combine: Callable[[int, int], int]
) -> dict[int, int]:
    """Each node's figure from its own and its children's together, leaves first."""
    totals: dict[int, int] = {}
    for node in reversed(tree.preorder()):
        below = sum(totals[c] for c in tree.children.get(node, ()))
        totals[node] = combine(direct.get(node, 0), below)
    return totals


def remainder(
    tree: Tree,
    node: int,
    hidden: Mapping[int, str],
    totals: Mapping[int, int],
    direct: Mapping[int, int],
) -> tuple[int, list[int]]:
    """(answers under `node` that no visible child shows, the sizes of the hidden parts)."""
    parts = [totals[c] for c in tree.children.get(node, ()) if c in hidden and totals[c] > 0]
    if direct.get(node, 0) > 0:
        parts.append(direct[node])
    return sum(parts), parts


def exposes(total: int, parts: list[int], k: int) -> bool:
    """True when a hidden remainder reveals a group under `k`: by size, or by being one group."""
    return total > 0 and (total < k or (len(parts) == 1 and parts[0] < k))


def suppress(tree: Tree, direct: Mapping[int, int], k: int) -> dict[int, str]:
    """Hidden groups and why: {unit id: "small" | "within" | "complementary"}."""
    totals = subtree_totals(tree, direct)
    hidden: dict[int, str] = {n: SMALL for n, total in totals.items() if 0 < total < k}
    order = tree.preorder()
    changed = True
    while changed:
        changed = False
        for node in order:
            if node in hidden:
                for child in tree.children.get(node, ()):
                    if child not in hidden:
                        hidden[child] = WITHIN
                        changed = True
        for node in reversed(order):
            if node in hidden:
                continue
            total, parts = remainder(tree, node, hidden, totals, direct)
            if not exposes(total, parts, k):
                continue
            visible = sorted(
                (totals[c], c)
                for c in tree.children.get(node, ())
                if c not in hidden and totals[c] > 0
            )
            hidden[visible[0][1] if visible else node] = COMPLEMENTARY
            changed = True
    return hidden
