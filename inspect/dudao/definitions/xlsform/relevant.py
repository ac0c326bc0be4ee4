"""Translate the common subset of XLSForm `relevant` expressions into `show_if` data.

Supported: ``${q} = 'x'``, ``!=``, ``>``, ``<``, ``>=``, ``<=`` against a string or
number literal, ``${q} = ''`` and ``${q} != ''`` (not answered, answered) and the
same tests as ``string-length(${q}) > 0`` or ``count-selected(${q}) >= 1``,
``selected(${q}, 'x')``, ``not(…)``, ``and``, ``or`` and parentheses. Anything else
raises `UntranslatableExpression` naming what was not understood.
"""

from __future__ import annotations

import re
from typing import Any

from dudao.core.errors import N_, Invalid, Message, quoted

TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<name>[A-Za-z_][\w.\-]*)\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<word>and|or|selected|not|string-length|count-selected)\b
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)

COMPARISONS = {"=": "equals", "!=": "not_equals", ">": "gt", "<": "lt", ">=": "gte", "<=": "lte"}
#: An operator and its exact negation under show_if's rules (definitions/showif.py).
NEGATED = {"equals": "not_equals", "not_equals": "equals"}
#: An order comparison is false for no answer, so its negation is the opposite
#: comparison or no answer.
ORDER_NEGATED = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}
#: `string-length(${q})` or `count-selected(${q})` compared with a number: the
#: comparisons that test for an answer, and whether they want one.
ANSWERED_WHEN = {(">", 0): True, (">=", 1): True, ("!=", 0): True,
                 ("=", 0): False, ("<", 1): False, ("<=", 0): False}  # fmt: skip


class UntranslatableExpression(Invalid):
    """A `relevant` expression with no show_if equivalent; the message says which part."""


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = expression.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            rest = text[position:].strip()
            raise UntranslatableExpression(
                Message(N_("cannot translate '%(text)s'"), text=rest[:40])
            )
        kind = match.lastgroup if match.lastgroup != "name" else "ref"
        if match.group("ref"):
            tokens.append(("ref", match.group("name")))
        elif match.group("string") is not None:
            tokens.append(("literal", match.group("string")[1:-1]))
        elif match.group("number") is not None:
            number = match.group("number")
            tokens.append(("literal", float(number) if "." in number else int(number)))
        else:
            tokens.append((kind or "", match.group(kind or 0)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], rename: dict[str, str]) -> None:
        self.tokens, self.position, self.rename = tokens, 0, rename
        self.referenced: list[str] = []

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, value: Any = None) -> Any:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            found = Message(N_("the end")) if token is None else quoted(token[1])
            raise UntranslatableExpression(
                Message(
                    N_("expected %(wanted)s, found %(found)s"), wanted=value or kind, found=found
                )
            )
        self.position += 1
        return token[1]

    def ref(self) -> str:
        name = self.take("ref")
        self.referenced.append(name)
        return self.rename.get(name, name)

    def expression(self) -> dict[str, Any]:
        return self._joined("or", "any", self.conjunction)

    def conjunction(self) -> dict[str, Any]:
        return self._joined("and", "all", self.atom)

    def _joined(self, word: str, group: str, operand: Any) -> dict[str, Any]:
        parts = [operand()]
        while self.peek() == ("word", word):
            self.position += 1
            parts.append(operand())
        return _grouped(group, parts)

    def parenthesised(self) -> dict[str, Any]:
        self.take("punct", "(")
        inner = self.expression()
        self.take("punct", ")")
        return inner

    def atom(self) -> dict[str, Any]:
        token = self.peek()
        if token == ("punct", "("):
            return self.parenthesised()
        if token == ("word", "not"):
            self.position += 1
            return negate(self.parenthesised())
        if token in (("word", "string-length"), ("word", "count-selected")):
            self.position += 1
            self.take("punct", "(")
            item = self.ref()
            self.take("punct", ")")
            operator, value = self.take("op"), self.take("literal")
            if (operator, value) not in ANSWERED_WHEN:
                only = Message(N_("%(function)s(…) %(op)s %(value)s: only a test for an answer "
                                  "(> 0 or = 0) translates"),
                               function=token[1], op=operator, value=value)  # fmt: skip
                raise UntranslatableExpression(only)
            return {"item": item, "answered": ANSWERED_WHEN[operator, value]}
        if token == ("word", "selected"):
            self.position += 1
            self.take("punct", "(")
            item = self.ref()
            self.take("punct", ",")
            value = self.take("literal")
            self.take("punct", ")")
            return {"item": item, "equals": str(value)}
        item = self.ref()
        operator = self.take("op")
        value = self.take("literal")
        if value == "" and operator in ("=", "!="):  # XLSForm's test for (no) answer
            return {"item": item, "answered": operator == "!="}
        return {"item": item, COMPARISONS[operator]: value}


def _grouped(group: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """`{group: parts}`, with a part that is itself such a group spliced in ("a or (b or c)"
    is one `any` of three)."""
    flat = [inner for part in parts for inner in part.get(group, [part])]
    return flat[0] if len(flat) == 1 else {group: flat}


def negate(condition: dict[str, Any]) -> dict[str, Any]:
    """`not(condition)` as show_if data, holding for exactly the answers it does not."""
    if "all" in condition:
        return _grouped("any", [negate(part) for part in condition["all"]])
    if "any" in condition:
        return _grouped("all", [negate(part) for part in condition["any"]])
    item = condition["item"]
    ((operator, value),) = ((k, v) for k, v in condition.items() if k != "item")
    if operator in NEGATED:
        return {"item": item, NEGATED[operator]: value}
    if operator == "answered":
        return {"item": item, "answered": not value}
    return {
        "any": [{"item": item, ORDER_NEGATED[operator]: value}, {"item": item, "answered": False}]
    }


def translate_relevant(expression: str, rename: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The `show_if` data and the XLSForm names it refers to."""
    parser = _Parser(_tokenize(expression), rename)
    condition = parser.expression()
    if parser.peek() is not None:
        raise UntranslatableExpression(
            Message(N_("cannot translate '%(text)s' here"), text=str(parser.peek()[1]))
        )
    return condition, parser.referenced
