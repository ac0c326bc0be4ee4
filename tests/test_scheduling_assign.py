"""Assignment policies, and the conflict-avoidance property (回避) on random trees and pools."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dudao.scheduling.assign import Person, Target, choose, conflicted, people_from_grants


def tree_paths(parents: list[int]) -> list[str]:
    """Unit i's parent is parents[i-1] (< i): the paths of a random tree rooted at unit 0."""
    paths = ["/1/"]
    for index, parent in enumerate(parents, start=1):
        paths.append(f"{paths[parent % index]}{index + 1}/")
    return paths


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[str], list[Person], dict]:
    size = draw(st.integers(1, 40))
    paths = tree_paths(draw(st.lists(st.integers(0, 1000), min_size=size - 1, max_size=size - 1)))
    people = []
    for number in range(draw(st.integers(1, 8))):
        homes = draw(st.lists(st.sampled_from(paths), max_size=2))
        scope = draw(st.lists(st.sampled_from(paths), min_size=1, max_size=2))
        people.append(Person(number + 1, f"u{number}", tuple(scope), tuple(homes)))
    policy = {
        "policy": draw(st.sampled_from(["pool", "named"])),
        "count": draw(st.integers(1, 4)),
    }
    policy["pool" if policy["policy"] == "pool" else "inspectors"] = [p.username for p in people]
    return paths, people, policy


@settings(max_examples=300, deadline=None)
@given(worlds(), st.integers(0, 2**32))
def test_no_inspector_is_ever_assigned_inside_their_own_subtree(world, seed):
    paths, people, policy = world
    targets = [Target(index, path) for index, path in enumerate(paths)]
    choose(policy, targets, {p.username: p for p in people}, rng=random.Random(seed))
    by_id = {p.id: p for p in people}
    for target in targets:
        assert len(target.chosen) == len(set(target.chosen))
        if policy["policy"] == "pool":
            assert len(target.chosen) <= policy["count"]
        for user_id in target.chosen:
            person = by_id[user_id]
            assert not any(target.unit_path.startswith(home) for home in person.home_paths)
            assert not any(home.startswith(target.unit_path) for home in person.home_paths)
            assert any(target.unit_path.startswith(scope) for scope in person.inspect_paths)


def test_pool_balances_the_load_and_fills_the_count():
    people = {f"u{n}": Person(n, f"u{n}", ("/1/",)) for n in range(4)}
    targets = [Target(n, f"/1/{n + 2}/") for n in range(40)]
    choose({"policy": "pool", "pool": list(people), "count": 2}, targets, people)
    loads = [sum(n in t.chosen for t in targets) for n in range(4)]
    assert all(len(t.chosen) == 2 for t in targets) and loads == [20, 20, 20, 20]


def test_the_same_seed_gives_the_same_assignment():
    people = {f"u{n}": Person(n, f"u{n}", ("/1/",)) for n in range(6)}

    def once() -> list[list[int]]:
        targets = [Target(n, f"/1/{n + 2}/") for n in range(10)]
        choose({"policy": "pool", "pool": list(people)}, targets, people, rng=random.Random("k"))
        return [t.chosen for t in targets]

    assert once() == once()


def test_home_units_come_from_lead_and_representative_grants():
    people = people_from_grants(
        [(1, "a", "inspector", "/1/"), (1, "a", "unit_lead", "/1/2/"), (1, "a", "office", "/1/"),
         (2, "b", "representative", "/1/3/")]
    )  # fmt: skip
    assert people["a"] == Person(1, "a", ("/1/",), ("/1/2/",))
    assert conflicted(people["a"], "/1/2/9/") and conflicted(people["a"], "/1/")
    assert not conflicted(people["a"], "/1/3/")


def test_unit_lead_policy_takes_the_nearest_lead():
    targets = [Target(1, "/1/2/3/"), Target(2, "/1/4/"), Target(3, "/5/")]
    choose({"policy": "unit_lead"}, targets, {}, leads={"/1/2/3/": [7], "/1/": [8, 9]})
    assert [t.chosen for t in targets] == [[7], [8, 9], []]
