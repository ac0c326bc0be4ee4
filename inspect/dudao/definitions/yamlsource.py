"""Parse YAML (or JSON) into plain data plus the line and column of every node.

PyYAML's composer (run by `yamlcompose`) gives nodes with start marks; we turn
them into plain Python values ourselves so that (1) duplicate mapping keys are
reported instead of silently overwritten, (2) every key and value keeps its
location, keyed by its path, and (3) scalars follow the YAML 1.2 core schema:
`yes`, `no`, `on` and `off` stay strings (a yes_no answer is the string "yes"),
and there are no timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dudao.core.errors import N_, Message
from dudao.definitions.problems import DOCUMENT, DefinitionError, Path, Problem, format_path
from dudao.definitions.yamlcompose import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    MAP_TAG,
    MERGE_TAG,
    NULL_TAG,
    SEQ_TAG,
    STR_TAG,
    compose,
)

Mark = tuple[int, int]
T = TypeVar("T")

#: More nodes than this (after expanding aliases) is not a definition but an attack.
MAX_NODES = 200_000


@dataclass
class Source:
    """Plain data, where each node came from, and problems found while reading."""

    filename: str
    data: Any = None
    marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, path: Path, *, key: bool = False) -> Mark:
        """The mark of the key (or value) at `path`, else of its nearest ancestor."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        while True:
            if path in self.marks:
                return self.marks[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        line, col = self.locate(path, key=key)
        return Problem(self.filename, line, col, format_path(path), message)

    def add(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(self.problem(path, message, key=key))


def _mark(node: Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: ScalarNode) -> Any:
    value = node.value
    if node.tag == STR_TAG:
        return value
    if node.tag == NULL_TAG:
        return None
    if node.tag == BOOL_TAG:
        return value.lower() == "true"
    if node.tag == INT_TAG:
        text = value.replace("_", "")
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    if node.tag == FLOAT_TAG:
        return float(value.replace("_", "").lower().replace(".inf", "inf").replace(".nan", "nan"))
    raise ValueError(f"unsupported tag {node.tag}")


class _Builder:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge()
        self.source.marks.setdefault(path, _mark(node))
        if id(node) in self.active:
            self.source.add(path, Message(N_("an alias refers to a node that contains it")))
            return None
        if isinstance(node, ScalarNode):
            try:
                return _scalar(node)
            except ValueError:
                self.source.add(path, _unsupported(node))
                return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == SEQ_TAG:
                return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode) and node.tag == MAP_TAG:
                return self.mapping(node, path)
            self.source.add(path, _unsupported(node))
            return None
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == MERGE_TAG:
                self.merge(value_node, path, merged)
                continue
            if not (isinstance(key_node, ScalarNode) and key_node.tag == STR_TAG):
                line, col = _mark(key_node)
                self.source.problems.append(
                    Problem(
                        self.source.filename,
                        line,
                        col,
                        format_path(path),
                        Message(N_("a field name must be text")),
                    )
                )
                continue
            key = key_node.value
            child = (*path, key)
            if key in result:
                first = self.source.key_marks[child]
                line, col = _mark(key_node)
                self.source.problems.append(
                    Problem(
                        self.source.filename,
                        line,
                        col,
                        format_path(child),
                        Message(
                            N_("duplicate key '%(key)s' (first at line %(line)d)"),
                            key=key,
                            line=first[0],
                        ),
                    )
                )
                continue
            self.source.key_marks[child] = _mark(key_node)
            result[key] = self.build(value_node, child)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def merge(self, node: Node, path: Path, merged: dict[str, Any]) -> None:
        """`<<: *anchor` (or a list of them): earlier and explicit keys win."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                line, col = _mark(source)
                self.source.problems.append(
                    Problem(
                        self.source.filename,
                        line,
                        col,
                        format_path(path),
                        Message(N_("'<<' must merge a mapping")),
                    )
                )
                continue
            for key, value in self.mapping(source, path).items():
                merged.setdefault(key, value)


def _unsupported(node: Node) -> Message:
    return Message(N_("unsupported YAML tag '%(tag)s'"), tag=node.tag)


class _TooLarge(Exception):
    pass


def _json_problem(text: str, filename: str) -> Problem | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        message = Message(N_("invalid JSON: %(reason)s"), reason=exc.msg)
        return Problem(filename, exc.lineno, exc.colno, DOCUMENT, message)
    except RecursionError:
        return Problem(filename, 1, 1, DOCUMENT, Message(N_("invalid JSON: nested too deeply")))
    return None


def parse(text: str, filename: str = "<text>") -> Source:
    """Plain data with marks; raises DefinitionError only when nothing can be read."""
    source = Source(filename)
    if text.startswith("\ufeff"):
        text = text[1:]
    if filename.lower().endswith(".json"):
        problem = _json_problem(text, filename)
        if problem is not None:
            raise DefinitionError([problem])
        # Literal tabs can only be whitespace in valid JSON; YAML refuses them in places.
        text = text.replace("\t", " ")
    node = compose(text, filename)
    if node is None:
        raise DefinitionError([Problem(filename, 1, 1, DOCUMENT, Message(N_("the file is empty")))])
    try:
        source.data = _Builder(source).build(node, ())
    except _TooLarge:
        raise DefinitionError(
            [Problem(filename, 1, 1, DOCUMENT, Message(N_("the document is too large")))]
        ) from None
    except RecursionError:
        raise DefinitionError(
            [Problem(filename, 1, 1, DOCUMENT, Message(N_("the document is nested too deeply")))]
        ) from None
    return source


def read_checked(
    text: str, filename: str, read: Callable[[Source], T | None], error: type[DefinitionError]
) -> T:
    """`read(source)` of the parsed `text`; `error` listing every located problem when
    the YAML is unreadable, `read` gives nothing or it recorded problems (the shared
    shape of the workflow, schedule, target and assessment loaders)."""
    try:
        source = parse(text, filename)
    except DefinitionError as exc:  # unreadable YAML
        raise error(exc.problems) from None
    result = read(source)
    if result is None or source.problems:
        raise error(source.problems)
    return result
