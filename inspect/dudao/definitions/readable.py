"""A definition's rules in words, for people reading a version page: when an item is shown
and when it passes, with the questions and answers as the form shows them.

The YAML form (`pio_posts equals yes`, `pass: {options: [yes]}`) names keys and
operators; a reader wants “Pioneer posts set up” is Yes.
"""

from __future__ import annotations

from typing import Any

from dudao.core.errors import N_, Listed, Message
from dudao.definitions.display import display_value
from dudao.definitions.itembase import plain_number
from dudao.definitions.spec import Condition, Definition, Item, Operator

#: One sentence per comparison; `in` lists its values with " / ", as the page lists options.
COMPARISONS = {
    Operator.EQUALS: N_("%(item)s is %(value)s"),
    Operator.NOT_EQUALS: N_("%(item)s is not %(value)s"),
    Operator.IN: N_("%(item)s is one of %(value)s"),
    Operator.LT: N_("%(item)s is below %(value)s"),
    Operator.LTE: N_("%(item)s is at most %(value)s"),
    Operator.GT: N_("%(item)s is above %(value)s"),
    Operator.GTE: N_("%(item)s is at least %(value)s"),
}


def shown_when(condition: Condition, definition: Definition, locale: str) -> Message:
    """The `show_if` condition as a sentence: question labels and answers in `locale`, the
    words around them a Message for the page to translate."""
    if condition.op in (Operator.ALL, Operator.ANY):  # never empty: the loader refuses that
        parts = Listed(shown_when(c, definition, locale) for c in condition.conditions)
        every = condition.op is Operator.ALL
        return Message(N_("all of: %(parts)s") if every else N_("any of: %(parts)s"), parts=parts)
    item = definition._index.get(condition.item or "")
    label = f"“{item.label.get(locale)}”" if item else str(condition.item)
    if condition.op is Operator.ANSWERED:
        answered = condition.value is None or bool(condition.value)
        template = N_("%(item)s is answered") if answered else N_("%(item)s is not answered")
        return Message(template, item=label)
    values = condition.value if isinstance(condition.value, list | tuple) else [condition.value]
    value = " / ".join(_answer(item, v, locale) for v in values)
    return Message(COMPARISONS[condition.op], item=label, value=value)


def passes_when(item: Item, locale: str) -> Message:
    """The answers with which a scored item passes, as the form shows them: "Yes",
    "2–20 exits", "at least 8 / 10"."""
    rule = item.pass_rule
    assert rule is not None, "only items with a pass rule have one to read"
    if rule.options:
        return _as_is(" / ".join(_answer(item, option, locale) for option in rule.options))
    if rule.min is not None and rule.max is not None:
        return _as_is(f"{plain_number(rule.min)}–{_answer(item, rule.max, locale)}")
    if rule.min is not None:
        return Message(N_("at least %(value)s"), value=_answer(item, rule.min, locale))
    return Message(N_("at most %(value)s"), value=_answer(item, rule.max, locale))


def _as_is(text: str) -> Message:
    """Answers only, already in the reader's language: nothing to translate around them."""
    return Message("%(text)s", text=text)


def _answer(item: Item | None, value: Any, locale: str) -> str:
    return display_value(item, value, locale) if item else str(value)
