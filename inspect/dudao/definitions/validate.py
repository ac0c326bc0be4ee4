"""Validate a parsed definition and normalise it: every default filled in, stable order.

The normalised data is what gets stored and hashed as a version, so the same
content always normalises to the same data, and normalising it again changes
nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from dudao.core.errors import N_, Message
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.conditionrules import ConditionChecker
from dudao.definitions.itemrules import ItemChecker
from dudao.definitions.problems import Path, format_path
from dudao.definitions.spec import ItemType, Kind
from dudao.definitions.yamlsource import Source

TOP_COMMON = ("kind", "key", "title", "description", "sections")
CHECKLIST_TOP = ("grades",)
QUESTIONNAIRE_TOP = ("anonymous", "min_group", "min_comment_group")
#: Allowed at the top and dropped: lets JSON files name their schema.
IGNORED_TOP = ("$schema",)
SECTION_FIELDS = ("key", "title", "description", "items")

DEFAULT_GRADES = [
    {"min": 90, "label": {"zh": "优秀", "en": "Excellent"}},
    {"min": 80, "label": {"zh": "良好", "en": "Good"}},
    {"min": 60, "label": {"zh": "合格", "en": "Pass"}},
    {"min": 0, "label": {"zh": "不合格", "en": "Fail"}},
]
MIN_GROUP_FLOOR = 3
#: A checklist that scores nothing gives every inspection "—" and never a finding.
NOTHING_SCORED = Message(
    N_(
        "a checklist needs at least one scored item, with a pass rule and a weight above 0 "
        "(yes_no, scale and rating items pass by default; a choice or number item needs "
        "'pass'): without one no inspection gets a score or a finding, and the checklist "
        "counts in no ranking or trend. If nothing is to be scored, make it a questionnaire"
    )
)

#: A photo (its file name, its metadata, what it shows) can tell who took it, and an
#: anonymous answer keeps no file: the member would think it was sent (docs/anonymity.md).
ANONYMOUS_PHOTO = Message(
    N_(
        "an anonymous questionnaire cannot ask for photos: a photo can tell who took it, and "
        "anonymous answers keep none. Remove the item, or make the questionnaire named "
        "with 'anonymous: false'"
    )
)


def validate(source: Source, *, stored: bool = False) -> dict[str, Any]:
    """The normalised data; problems are added to `source.problems`.

    `stored`: data of a version already stored, which stays readable (its answers pin it)
    under the rules for new versions only (ANONYMOUS_PHOTO)."""
    return _Document(source, stored).run()


class _Document:
    def __init__(self, source: Source, stored: bool) -> None:
        self.source = source
        self.check = Checker(source)
        self.stored = stored

    def run(self) -> dict[str, Any]:
        c = self.check
        raw = self.source.data
        if not isinstance(raw, dict):
            c.add(
                (), Message(N_("a definition must be a mapping (kind, key, title, sections, ...)"))
            )
            return {}
        kind = None
        if c.require(raw, (), "kind"):
            kinds = [k.value for k in Kind]
            kind = c.choice(raw["kind"], ("kind",), kinds, Message(N_("kind"))) or None
        allowed = [*TOP_COMMON, *IGNORED_TOP]
        why: dict[str, str] = {}
        for name in CHECKLIST_TOP:
            if kind == Kind.QUESTIONNAIRE:
                why[name] = Message(N_("'%(name)s' applies only to checklists"), name=name)
            else:
                allowed.append(name)
        for name in QUESTIONNAIRE_TOP:
            if kind == Kind.CHECKLIST:
                why[name] = Message(N_("'%(name)s' applies only to questionnaires"), name=name)
            else:
                allowed.append(name)
        c.fields(raw, (), allowed, why)

        data: dict[str, Any] = {"kind": kind}
        data["key"] = c.key(raw["key"], ("key",)) if c.require(raw, (), "key") else INVALID
        data["title"] = (
            c.local_text(raw["title"], ("title",)) if c.require(raw, (), "title") else INVALID
        )
        data["description"] = (
            None
            if raw.get("description") is None
            else c.local_text(raw["description"], ("description",))
        )
        if kind == Kind.CHECKLIST:
            data["grades"] = self._grades(raw)
        if kind == Kind.QUESTIONNAIRE:
            self._questionnaire(raw, data)
        data["sections"] = self._sections(raw, kind)
        if kind == Kind.CHECKLIST and not _scores_something(data["sections"]):
            c.add(("sections",), NOTHING_SCORED)
        if kind == Kind.QUESTIONNAIRE and data["anonymous"] is True and not self.stored:
            for path in _photo_items(data["sections"]):
                c.add((*path, "type"), ANONYMOUS_PHOTO)
        return data

    def _questionnaire(self, raw: dict[str, Any], data: dict[str, Any]) -> None:
        c = self.check
        data["anonymous"] = c.boolean(c.optional(raw, "anonymous", True), ("anonymous",))
        data["min_group"] = c.integer(
            c.optional(raw, "min_group", 5), ("min_group",), MIN_GROUP_FLOOR, 10_000
        )
        group = data["min_group"]
        default = max(10, group) if group is not INVALID else 10
        data["min_comment_group"] = c.integer(
            c.optional(raw, "min_comment_group", default),
            ("min_comment_group",),
            MIN_GROUP_FLOOR,
            10_000,
        )
        group, comment = data["min_group"], data["min_comment_group"]
        if group is not INVALID and comment is not INVALID and comment < group:
            c.add(
                ("min_comment_group",),
                Message(
                    N_("min_comment_group (%(comment)s) must be at least min_group (%(group)s)"),
                    comment=comment,
                    group=group,
                ),
            )

    def _grades(self, raw: dict[str, Any]) -> list[dict[str, Any]] | Any:
        c = self.check
        if raw.get("grades") is None:
            return copy.deepcopy(DEFAULT_GRADES)
        what = Message(N_("grade bands ({min, label})"))
        bands = c.sequence(raw["grades"], ("grades",), what, empty_ok=True)
        if bands is INVALID:
            return INVALID
        result: list[dict[str, Any]] = []
        seen: dict[Any, int] = {}
        for i, band in enumerate(bands):
            path: Path = ("grades", i)
            if c.mapping(band, path, Message(N_("a grade band ({min, label})"))) is INVALID:
                continue
            c.fields(band, path, ("min", "label"))
            low = (
                c.number(band["min"], (*path, "min"), 0, 100)
                if c.require(band, path, "min")
                else INVALID
            )
            label = (
                c.local_text(band["label"], (*path, "label"))
                if c.require(band, path, "label")
                else INVALID
            )
            if low is not INVALID and low in seen:
                c.add(
                    (*path, "min"),
                    Message(
                        N_("two grade bands start at %(low)s (also grades[%(other)d])"),
                        low=low,
                        other=seen[low],
                    ),
                )
            elif low is not INVALID:
                seen[low] = i
            result.append({"min": low, "label": label})
        result.sort(
            key=lambda band: band["min"] if band["min"] is not INVALID else -1, reverse=True
        )
        return result

    def _sections(self, raw: dict[str, Any], kind: str | None) -> list[dict[str, Any]] | Any:
        c = self.check
        if not c.require(raw, (), "sections"):
            return INVALID
        sections = c.sequence(raw["sections"], ("sections",), Message(N_("sections")))
        if sections is INVALID:
            return INVALID
        items = ItemChecker(c, kind)
        section_keys: dict[str, int] = {}
        item_paths: dict[str, Path] = {}
        normalised: list[tuple[Path, dict[str, Any], Any]] = []
        result = []
        for i, section in enumerate(sections):
            path: Path = ("sections", i)
            if c.mapping(section, path, Message(N_("a section ({key, title, items})"))) is INVALID:
                result.append(INVALID)
                continue
            c.fields(section, path, SECTION_FIELDS)
            data: dict[str, Any] = {}
            data["key"] = (
                c.key(section["key"], (*path, "key"))
                if c.require(section, path, "key")
                else INVALID
            )
            if data["key"] and data["key"] in section_keys:
                c.add(
                    (*path, "key"),
                    Message(
                        N_("duplicate section key '%(key)s' (also sections[%(other)d])"),
                        key=data["key"],
                        other=section_keys[data["key"]],
                    ),
                )
            elif data["key"]:
                section_keys[data["key"]] = i
            data["title"] = (
                c.local_text(section["title"], (*path, "title"))
                if c.require(section, path, "title")
                else INVALID
            )
            data["description"] = (
                None
                if section.get("description") is None
                else c.local_text(section["description"], (*path, "description"))
            )
            data["items"] = INVALID
            if c.require(section, path, "items"):
                raws = c.sequence(section["items"], (*path, "items"), Message(N_("items")))
                if raws is not INVALID:
                    data["items"] = []
                    for j, raw_item in enumerate(raws):
                        at: Path = (*path, "items", j)
                        what = Message(N_("an item ({key, type, label, ...})"))
                        if c.mapping(raw_item, at, what) is INVALID:
                            data["items"].append(INVALID)
                            continue
                        item = items.item(raw_item, at)
                        key = item["key"]
                        if key and key in item_paths:
                            c.add(
                                (*at, "key"),
                                Message(
                                    N_("duplicate item key '%(key)s' (also %(other)s)"),
                                    key=key,
                                    other=format_path(item_paths[key]),
                                ),
                            )
                        elif key:
                            item_paths[key] = at
                        data["items"].append(item)
                        normalised.append((at, item, raw_item.get("show_if")))
            result.append(data)
        self._conditions(normalised, set(item_paths))
        return result

    def _conditions(
        self, items: list[tuple[Path, dict[str, Any], Any]], all_keys: set[str]
    ) -> None:
        earlier: dict[str, dict[str, Any]] = {}
        for path, item, raw in items:
            if raw is not None:
                checker = ConditionChecker(self.check, earlier, item["key"], all_keys)
                item["show_if"] = checker.condition(raw, (*path, "show_if"))
            if item["key"] and item["key"] not in earlier:
                earlier[item["key"]] = item


def _scores_something(sections: list[dict[str, Any]] | Any) -> bool:
    """Whether a checklist has a scored item; True too when a section or an item is
    broken (it may be the scored one, and its own problem is reported)."""
    if sections is INVALID or any(s is INVALID or s["items"] is INVALID for s in sections):
        return True
    items = [item for section in sections for item in section["items"]]
    if any(item is INVALID or INVALID in (item.get("pass"), item.get("weight")) for item in items):
        return True
    return any(item.get("pass") is not None and item.get("weight") for item in items)


def _photo_items(sections: list[dict[str, Any]] | Any) -> list[Path]:
    """The paths of the photo items among the sections (broken ones are reported already)."""
    if sections is INVALID:
        return []
    return [
        ("sections", i, "items", j)
        for i, section in enumerate(sections)
        if section is not INVALID and section["items"] is not INVALID
        for j, item in enumerate(section["items"])
        if item is not INVALID and item.get("type") == ItemType.PHOTO
    ]
