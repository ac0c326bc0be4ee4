"""A `show_if` condition in words, for people reading a definition's version page.

The YAML form (`pio_posts equals yes`) names keys and operators; a reader wants the
question and the answer as the form shows them ("“Has a model post?” is Yes").
"""

from __future__ import annotations

from dudao.core.errors import N_, Listed, Message
from dudao.definitions.display import display_value
from dudao.definitions.spec import Condition, Definition, Operator

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


def describe(condition: Condition, definition: Definition, locale: str) -> Message:
    """The condition as a sentence: question labels and answers in `locale`, the words
    around them a Message for the page to translate."""
    if condition.op in (Operator.ALL, Operator.ANY):  # never empty: the loader refuses that
        parts = Listed(describe(c, definition, locale) for c in condition.conditions)
        every = condition.op is Operator.ALL
        return Message(N_("all of: %(parts)s") if every else N_("any of: %(parts)s"), parts=parts)
    item = definition._index.get(condition.item or "")
    label = f"“{item.label.get(locale)}”" if item else str(condition.item)
    if condition.op is Operator.ANSWERED:
        answered = condition.value is None or bool(condition.value)
        template = N_("%(item)s is answered") if answered else N_("%(item)s is not answered")
        return Message(template, item=label)
    values = condition.value if isinstance(condition.value, list | tuple) else [condition.value]
    value = " / ".join(display_value(item, v, locale) if item else str(v) for v in values)
    return Message(COMPARISONS[condition.op], item=label, value=value)
