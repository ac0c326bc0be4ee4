"""Translate the common subset of XLSForm `relevant` expressions into `show_if` data.

Supported: ``${q} = 'x'``, ``!=``, ``>``, ``<``, ``>=``, ``<=`` against a string or
number literal, ``selected(${q}, 'x')``, ``and``, ``or`` and parentheses. Anything
else raises `UntranslatableExpression` naming what was not understood.
"""

from __future__ import annotations

import re
from typing import Any

from dudao.core.errors import N_, Invalid, Message

TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<name>[A-Za-z_][\w.\-]*)\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<word>and|or|selected)\b
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)

COMPARISONS = {"=": "equals", "!=": "not_equals", ">": "gt", "<": "lt", ">=": "gte", "<=": "lte"}


class UntranslatableExpression(Invalid):
    """A `relevant` expression with no show_if equivalent; the message says which part."""


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = expression.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            rest = text[position:].strip()
            raise UntranslatableExpression(Message(N_("cannot translate %(text)r"), text=rest[:40]))
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
            found = Message(N_("the end")) if token is None else repr(str(token[1]))
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
        return parts[0] if len(parts) == 1 else {group: parts}

    def atom(self) -> dict[str, Any]:
        token = self.peek()
        if token == ("punct", "("):
            self.position += 1
            inner = self.expression()
            self.take("punct", ")")
            return inner
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
        return {"item": item, COMPARISONS[operator]: value}


def translate_relevant(expression: str, rename: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The `show_if` data and the XLSForm names it refers to."""
    parser = _Parser(_tokenize(expression), rename)
    condition = parser.expression()
    if parser.peek() is not None:
        raise UntranslatableExpression(
            Message(N_("cannot translate %(text)r here"), text=str(parser.peek()[1]))
        )
    return condition, parser.referenced
