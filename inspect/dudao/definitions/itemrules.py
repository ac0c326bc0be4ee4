"""Rules and defaults for one item of a definition, per type and kind (scoring: `scorerules`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from dudao.core.errors import N_, Message
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import Path
from dudao.definitions.scorerules import SCORABLE, SCORING, check_scoring
from dudao.definitions.spec import ItemType, Kind

COMMON = ("key", "type", "label", "help", "required", "show_if")

#: Fields each type adds to the common ones, in the order they are stored.
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    ItemType.YES_NO: ("allow_na",),
    ItemType.SINGLE_CHOICE: ("options",),
    ItemType.MULTI_CHOICE: ("options", "max_choices"),
    ItemType.SCALE: ("points", "labels"),
    ItemType.RATING: (),
    ItemType.NUMBER: ("min", "max", "unit", "decimals"),
    ItemType.TEXT: ("multiline", "max_length"),
    ItemType.DATE: (),
    ItemType.PHOTO: ("min_count", "max_count", "keep_location"),
    ItemType.NOTE: (),
}
SATISFACTION_TYPES = (ItemType.SCALE, ItemType.RATING)
ALL_FIELDS = sorted({*COMMON, *SCORING, "satisfaction", *sum(TYPE_FIELDS.values(), ())})

POINTS_MIN, POINTS_MAX = 2, 10
TEXT_MAX = 100_000


@cache
def allowed_fields(item_type: str | None, kind: str | None) -> tuple[list[str], dict[str, str]]:
    """The fields an item may have, and why each other known field is refused."""
    if item_type not in TYPE_FIELDS:
        return list(ALL_FIELDS), {}
    allowed = [name for name in COMMON if not (item_type == ItemType.NOTE and name == "required")]
    allowed += TYPE_FIELDS[item_type]
    scorable = item_type in SCORABLE
    if kind != Kind.QUESTIONNAIRE and scorable:
        allowed += SCORING
    if kind != Kind.CHECKLIST and item_type in SATISFACTION_TYPES:
        allowed.append("satisfaction")
    why: dict[str, str] = {}
    for name in ALL_FIELDS:
        if name in allowed:
            continue
        if name in SCORING:
            why[name] = (
                Message(N_("'%(name)s' applies only to checklist items"), name=name)
                if kind == Kind.QUESTIONNAIRE
                else Message(
                    N_("'%(name)s' does not apply to a %(type)s item (it cannot be scored)"),
                    name=name,
                    type=item_type,
                )
            )
        elif name == "satisfaction":
            why[name] = (
                Message(N_("'satisfaction' applies only to questionnaires"))
                if kind == Kind.CHECKLIST
                else Message(N_("'satisfaction' applies only to scale and rating items"))
            )
        else:
            why[name] = Message(
                N_("'%(name)s' does not apply to a %(type)s item"), name=name, type=item_type
            )
    return allowed, why


class ItemChecker:
    """Normalises one item; `seen` holds the earlier items (for show_if)."""

    def __init__(self, check: Checker, kind: str | None) -> None:
        self.check = check
        self.kind = kind

    def item(self, raw: dict[str, Any], path: Path) -> dict[str, Any]:
        c = self.check
        item_type = None
        if c.require(raw, path, "type"):
            item_type = c.choice(
                raw["type"], (*path, "type"), list(TYPE_FIELDS), Message(N_("item type"))
            )
        allowed, why = allowed_fields(item_type or None, self.kind)
        c.fields(raw, path, allowed, why)
        data: dict[str, Any] = {"key": INVALID, "type": item_type}
        if c.require(raw, path, "key"):
            data["key"] = c.key(raw["key"], (*path, "key"))
        data["label"] = INVALID
        if c.require(raw, path, "label"):
            data["label"] = c.local_text(raw["label"], (*path, "label"))
        data["help"] = None
        if raw.get("help") is not None:
            data["help"] = c.local_text(raw["help"], (*path, "help"))
        if item_type != ItemType.NOTE:
            data["required"] = c.boolean(c.optional(raw, "required", False), (*path, "required"))
        data["show_if"] = raw.get("show_if")  # checked later, against the earlier items
        if item_type:
            getattr(self, f"_{item_type}")(raw, path, data)
            if item_type in SCORABLE and self.kind != Kind.QUESTIONNAIRE:
                check_scoring(c, raw, path, data)
            if item_type in SATISFACTION_TYPES and self.kind != Kind.CHECKLIST:
                value = c.optional(raw, "satisfaction", False)
                data["satisfaction"] = c.boolean(value, (*path, "satisfaction"))
        return data

    # -- per type ------------------------------------------------------------

    def _yes_no(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        data["allow_na"] = self.check.boolean(
            self.check.optional(raw, "allow_na", False), (*path, "allow_na")
        )

    def _single_choice(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        c = self.check
        data["options"] = INVALID
        if raw.get("options") is None:
            c.add(
                (*path, "options"),
                Message(N_("a %(type)s item needs 'options'"), type=data["type"]),
            )
            return
        what = Message(N_("options ({key, label})"))
        options = c.sequence(raw["options"], (*path, "options"), what)
        if options is INVALID:
            return
        result, keys = [], {}
        for i, raw_option in enumerate(options):
            at = (*path, "options", i)
            if c.mapping(raw_option, at, Message(N_("an option ({key, label})"))) is INVALID:
                result.append(INVALID)
                continue
            c.fields(raw_option, at, ("key", "label"))
            key = (
                c.key(raw_option["key"], (*at, "key"))
                if c.require(raw_option, at, "key")
                else INVALID
            )
            label = (
                c.local_text(raw_option["label"], (*at, "label"))
                if c.require(raw_option, at, "label")
                else INVALID
            )
            if key and key in keys:
                c.add(
                    (*at, "key"),
                    Message(
                        N_("duplicate option key '%(key)s' (also options[%(other)d])"),
                        key=key,
                        other=keys[key],
                    ),
                )
            elif key:
                keys[key] = i
            result.append({"key": key, "label": label})
        data["options"] = result

    def _multi_choice(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        """Options as for single_choice; `max_choices` is kept only when given, so that
        definitions without it keep their content hash."""
        self._single_choice(raw, path, data)
        if raw.get("max_choices") is not None:
            count = max(1, len(data["options"]) if isinstance(data["options"], list) else 1)
            data["max_choices"] = self.check.integer(
                raw["max_choices"], (*path, "max_choices"), 1, count
            )

    def _scale(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        c = self.check
        points = c.integer(c.optional(raw, "points", 5), (*path, "points"), POINTS_MIN, POINTS_MAX)
        data["points"] = points
        labels = c.sequence(
            c.optional(raw, "labels", []), (*path, "labels"), Message(N_("labels")), empty_ok=True
        )
        if labels is INVALID:
            data["labels"] = INVALID
            return
        data["labels"] = [
            c.local_text(label, (*path, "labels", i)) for i, label in enumerate(labels)
        ]
        if points and labels and len(labels) != points:
            c.add(
                (*path, "labels"),
                Message(
                    N_(
                        "a scale of %(points)d points needs %(points)d labels (one per point), "
                        "got %(count)d"
                    ),
                    points=points,
                    count=len(labels),
                ),
            )

    def _rating(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        pass

    def _number(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        c = self.check
        low = high = None
        if raw.get("min") is not None:
            low = c.number(raw["min"], (*path, "min"))
        if raw.get("max") is not None:
            high = c.number(raw["max"], (*path, "max"))
        if low not in (None, INVALID) and high not in (None, INVALID) and low > high:
            c.add(
                (*path, "max"),
                Message(N_("max (%(high)s) is less than min (%(low)s)"), high=high, low=low),
            )
        data["min"], data["max"] = low, high
        data["unit"] = self._unit(raw.get("unit"), (*path, "unit"))
        data["decimals"] = c.integer(c.optional(raw, "decimals", 0), (*path, "decimals"), 0, 6)

    def _unit(self, raw: Any, path: Path) -> str | dict[str, str | None] | Any:
        """A number's unit: one (Chinese) string, kept as it is, so the versions made before
        units could have an English name keep their content hash; or {zh, en}, with
        `en_one` for English after exactly one (kept only when given, for the same reason)."""
        if raw is None:
            return None
        if not isinstance(raw, dict):
            return self.check.text(raw, path, max_length=40)
        c = self.check
        c.fields(raw, path, ("zh", "en", "en_one"))
        unit = c.local_text({k: raw[k] for k in ("zh", "en") if k in raw}, path, max_length=40)
        if raw.get("en_one") is None:
            return unit
        one = c.text(raw["en_one"], (*path, "en_one"), max_length=40)
        if unit is not INVALID and one is not INVALID and unit["en"] is None:
            needed = Message(N_("needed with en_one: the unit after other counts"))
            return c.add((*path, "en"), needed)
        return INVALID if INVALID in (unit, one) else unit | {"en_one": one}

    def _text(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        c = self.check
        multiline = c.boolean(c.optional(raw, "multiline", False), (*path, "multiline"))
        data["multiline"] = multiline
        default = 2000 if multiline else 500
        data["max_length"] = c.integer(
            c.optional(raw, "max_length", default), (*path, "max_length"), 1, TEXT_MAX
        )

    def _date(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        pass

    def _photo(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        c = self.check
        low = c.integer(c.optional(raw, "min_count", 0), (*path, "min_count"), 0, 20)
        high = c.integer(c.optional(raw, "max_count", 5), (*path, "max_count"), 1, 20)
        if low is not INVALID and high is not INVALID and low > high:
            c.add(
                (*path, "max_count"),
                Message(
                    N_("max_count (%(high)s) is less than min_count (%(low)s)"), high=high, low=low
                ),
            )
        data["min_count"], data["max_count"] = low, high
        data["keep_location"] = c.boolean(
            c.optional(raw, "keep_location", False), (*path, "keep_location")
        )

    def _note(self, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
        pass
