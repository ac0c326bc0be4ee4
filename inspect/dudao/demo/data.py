"""The demo organisation as plain data, generated reproducibly from a seed.

`build_demo(seed)` is pure: the same seed gives the same group, companies, units,
branches and accounts, so a demo, a test and a screenshot all see the same
names. Loading it into a database is `dudao.demo.loader`'s job.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dudao.core.enums import Role, UnitLevel
from dudao.demo import names
from dudao.demo.names import Dept, UnitKind

DEFAULT_SEED = 2026
DEMO_PASSWORD = "demo-2026"
COMPANY_COUNT = len(names.SECTORS)
UNITS_PER_COMPANY = 8
BRANCH_TOTAL = 250
REMOTE_SHARE = 0.2


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    name_en: str
    level: UnitLevel
    parent_code: str | None
    tags: tuple[str, ...]
    headcount: int


@dataclass(frozen=True)
class DemoAccount:
    """A sign-in printed at start; `home_code` is the company an inspector belongs to."""

    username: str
    display_name: str
    role: Role
    unit_code: str
    description: str
    home_code: str | None = None


@dataclass(frozen=True)
class DemoOrg:
    seed: int
    units: tuple[DemoUnit, ...]  # parents always come before their children
    accounts: tuple[DemoAccount, ...]
    password: str = DEMO_PASSWORD

    @property
    def root(self) -> DemoUnit:
        return self.units[0]

    def by_level(self, level: UnitLevel) -> list[DemoUnit]:
        return [unit for unit in self.units if unit.level == level]

    def children(self, code: str) -> list[DemoUnit]:
        return [unit for unit in self.units if unit.parent_code == code]


def build_demo(seed: int = DEFAULT_SEED) -> DemoOrg:
    """The whole demo organisation and its accounts for `seed`."""
    rng = random.Random(seed)
    places = list(names.PLACES)
    rng.shuffle(places)
    plan = [_plan_company(rng, index, sector) for index, sector in enumerate(names.SECTORS)]
    weights = [weight for company in plan for (_, _, _, weight) in company[1]]
    counts = iter(_apportion(rng, weights, BRANCH_TOTAL))

    companies: list[tuple[DemoUnit, list[tuple[DemoUnit, list[DemoUnit]]]]] = []
    for (code, kinds), (sector_zh, sector_en) in zip(
        plan, (names.SECTORS[s][0] for s in names.SECTORS), strict=True
    ):
        short_zh = sector_zh.removesuffix("有限公司")
        short_en = sector_en.removesuffix(" Co., Ltd.")
        units = []
        for unit_code, kind, remote, _weight in kinds:
            if kind.placed:
                place_zh, place_en = places.pop()
                name, name_en = place_zh + kind.zh, f"{place_en} {kind.en}"
            else:
                name, name_en = short_zh + kind.zh.removeprefix("公司"), f"{short_en} {kind.en}"
            tags = (*kind.tags, names.REMOTE) if remote else kind.tags
            branches = _branches(rng, unit_code, name, name_en, kind, tags, next(counts))
            unit = DemoUnit(
                unit_code,
                name,
                name_en,
                UnitLevel.UNIT,
                code,
                _tags(tags),
                sum(b.headcount for b in branches),
            )
            units.append((unit, branches))
        company = DemoUnit(
            code,
            sector_zh,
            sector_en,
            UnitLevel.COMPANY,
            names.GROUP_CODE,
            (),
            sum(u.headcount for u, _ in units),
        )
        companies.append((company, units))

    group = DemoUnit(
        names.GROUP_CODE,
        names.GROUP_NAME[0],
        names.GROUP_NAME[1],
        UnitLevel.GROUP,
        None,
        (),
        sum(c.headcount for c, _ in companies),
    )
    ordered = [group]
    for company, units in companies:
        ordered.append(company)
        ordered.extend(unit for unit, _ in units)
        ordered.extend(branch for _, branches in units for branch in branches)
    org = DemoOrg(seed, tuple(ordered), ())
    return DemoOrg(seed, org.units, _accounts(rng, org))


def _plan_company(
    rng: random.Random, index: int, sector: str
) -> tuple[str, list[tuple[str, UnitKind, bool, float]]]:
    """Headquarters plus every kind of the sector once, then more of them, by weight."""
    code = f"{names.GROUP_CODE}{index + 1:02d}"
    kinds = list(names.SECTORS[sector][1])
    spare = UNITS_PER_COMPANY - 1 - len(kinds)
    extra = rng.choices(kinds, weights=[k.weight for k in kinds], k=spare)
    chosen = [names.HEADQUARTERS, *sorted(kinds + extra, key=kinds.index)]
    planned = []
    for position, kind in enumerate(chosen, start=1):
        remote = kind is not names.HEADQUARTERS and rng.random() < REMOTE_SHARE
        weight = kind.weight * rng.uniform(0.75, 1.25)
        planned.append((f"{code}-{position:02d}", kind, remote, weight))
    return code, planned


def _apportion(rng: random.Random, weights: list[float], total: int, minimum: int = 2) -> list[int]:
    """Split `total` by `weights` (largest remainder), each share at least `minimum`."""
    spare = total - minimum * len(weights)
    exact = [spare * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - counts[i], rng.random()))
    for i in reversed(by_remainder[len(by_remainder) - (spare - sum(counts)) :]):
        counts[i] += 1
    return [c + minimum for c in counts]


def _expand(kind: UnitKind, count: int) -> list[tuple[Dept, int]]:
    """The first `count` departments of a kind, numbering repeated teams (一队, 二队, ...)."""
    listed = [(dept, n) for dept in kind.depts for n in range(1, dept.repeat + 1)]
    repeating = [dept for dept in kind.depts if "{n}" in dept.zh]
    next_number = {dept: dept.repeat + 1 for dept in repeating}
    while len(listed) < count:
        if repeating:
            dept = repeating[(len(listed) - len(kind.depts)) % len(repeating)]
            listed.append((dept, next_number[dept]))
            next_number[dept] += 1
        else:
            generic = names.Dept("第{n}", "No. {n}", kind.tags)
            listed.append((generic, len(listed) + 1))
    return listed[:count]


def _branches(
    rng: random.Random,
    unit_code: str,
    unit_name: str,
    unit_name_en: str,
    kind: UnitKind,
    unit_tags: tuple[str, ...],
    count: int,
) -> list[DemoUnit]:
    branches = []
    remote = (names.REMOTE,) if names.REMOTE in unit_tags else ()
    for position, (dept, n) in enumerate(_expand(kind, count), start=1):
        zh = dept.zh.replace("{n}", names.numeral(n))
        en = dept.en.replace("{n}", str(n))
        retired = names.RETIRED in dept.tags
        branches.append(
            DemoUnit(
                f"{unit_code}-{position:02d}",
                f"{unit_name}{zh}党支部",
                f"{unit_name_en} {en} Party Branch",
                UnitLevel.BRANCH,
                unit_code,
                _tags((*dept.tags, *remote)),
                rng.randint(20, 80) if retired else rng.randint(8, 45),
            )
        )
    return branches


def _tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(tags)))


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN_NAMES)
        if name not in taken:
            taken.add(name)
            return name


def _accounts(rng: random.Random, org: DemoOrg) -> tuple[DemoAccount, ...]:
    """One account per role; inspectors work group-wide but each belongs to a company."""
    group = org.root.code
    companies = org.by_level(UnitLevel.COMPANY)
    lead_company = companies[0]
    branch_unit = org.children(companies[1].code)[1]  # a production unit, not headquarters
    lead_branch = org.children(branch_unit.code)[0]
    represented = companies[3]
    taken: set[str] = set()
    accounts = [
        DemoAccount("admin", _person(rng, taken), Role.ADMIN, group, "administrator"),
        DemoAccount("office", _person(rng, taken), Role.OFFICE, group, "supervision office"),
    ]
    for number, home in enumerate(companies[:3], start=1):
        accounts.append(
            DemoAccount(
                f"inspector{number}",
                _person(rng, taken),
                Role.INSPECTOR,
                group,
                f"inspector, home company {home.code}",
                home.code,
            )
        )
    accounts += [
        DemoAccount(
            "company_lead",
            _person(rng, taken),
            Role.UNIT_LEAD,
            lead_company.code,
            "company leader",
        ),
        DemoAccount(
            "branch_lead",
            _person(rng, taken),
            Role.UNIT_LEAD,
            lead_branch.code,
            "branch secretary",
        ),
        DemoAccount(
            "representative",
            _person(rng, taken),
            Role.REPRESENTATIVE,
            represented.code,
            "party representative",
        ),
    ]
    return tuple(accounts)
