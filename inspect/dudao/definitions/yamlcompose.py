"""Compose YAML text into PyYAML's node tree under the YAML 1.2 core schema.

The first step of reading a definition: libyaml (or PyYAML's pure-Python parser)
with a resolver that keeps `yes`, `no`, `on` and `off` as strings and knows no
timestamps, and every syntax error turned into a located `DefinitionError`, with a
hint for tabs. `yamlsource` builds plain data with marks from the nodes.
"""

from __future__ import annotations

import re

import yaml
from yaml.composer import Composer
from yaml.nodes import Node
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from dudao.core.errors import N_, Message
from dudao.definitions import yamlreasons
from dudao.definitions.problems import DOCUMENT, DefinitionError, Problem

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"


class _CoreResolver(BaseResolver):
    """The YAML 1.2 core schema (what JSON and most editors assume)."""

    yaml_implicit_resolvers: dict = {}


_CoreResolver.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    INT_TAG, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_CoreResolver.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), [*"~nN", ""])
_CoreResolver.add_implicit_resolver(MERGE_TAG, re.compile(r"^<<$"), ["<"])


class _PyLoader(Reader, Scanner, Parser, Composer, _CoreResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _CoreResolver.__init__(self)


try:  # libyaml composes about ten times faster, with the same marks
    from yaml._yaml import CParser

    class _CLoader(CParser, _CoreResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

    _Loader: type = _CLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = _PyLoader


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def compose(text: str, filename: str) -> Node | None:
    """PyYAML's node tree, or a DefinitionError located at the first syntax problem."""
    bad = Reader.NON_PRINTABLE.search(text)
    if bad:
        line, col = _position(text, bad.start())
        code = ord(bad.group())
        message = Message(N_("character U+%(code)04X is not allowed"), code=code)
        raise DefinitionError([Problem(filename, line, col, DOCUMENT, message)])
    loader = None
    try:
        loader = _Loader(text)
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = yamlreasons.reason(exc)
        lines = text.splitlines()
        tab = mark and line <= len(lines) and lines[line - 1][col - 1 : col] == "\t"
        message = (
            Message(N_("invalid YAML: %(reason)s; indent with spaces, not tabs"), reason=reason)
            if tab
            else Message(N_("invalid YAML: %(reason)s"), reason=reason)
        )
        raise DefinitionError([Problem(filename, line, col, DOCUMENT, message)]) from None
    except yaml.YAMLError as exc:
        message = Message(N_("invalid YAML: %(reason)s"), reason=str(exc))
        raise DefinitionError([Problem(filename, 1, 1, DOCUMENT, message)]) from None
    except RecursionError:
        message = Message(N_("invalid YAML: nested too deeply"))
        raise DefinitionError([Problem(filename, 1, 1, DOCUMENT, message)]) from None
    finally:
        if loader is not None:
            loader.dispose()
