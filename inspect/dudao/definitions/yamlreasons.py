"""PyYAML's reasons for a syntax error, in words a catalogue translates.

An administrator reading the upload page in Chinese met "found unexpected end of
stream (while scanning a quoted scalar…)". The reasons people meet when they write a
definition by hand are worded here, with a hint at the usual cause; any other stays
PyYAML's English. PyYAML's "while scanning…" context becomes where that part began.
"""

from __future__ import annotations

import re

import yaml

from dudao.core.errors import N_, Message

#: libyaml's wording first, PyYAML's pure-Python parser's second (either may run).
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"found unexpected end of stream",
         N_("the file ends before a quoted text is closed")),
        (r"found a tab character",
         N_("a tab character breaks the indentation")),
        (r"could not find expected ':'",
         N_("a ':' is missing: a line is neither a field with ':' nor a list entry")),
        (r"mapping values are not allowed",
         N_("a ':' is not allowed here: check the indentation, or put a value that "
            "contains ': ' in quotes")),
        (r"sequence entries are not allowed",
         N_("a list entry ('-') is not allowed here: check the indentation")),
        (r"did not find expected '-' indicator",
         N_("a list entry ('-') was expected here: check the indentation")),
        (r"did not find expected key|expected <block end>",
         N_("the indentation does not line up with the lines above")),
        (r"expected ',' or '\]'",
         N_("a list in [ ] lacks a ',' or its closing ']'")),
        (r"expected ',' or '}'",
         N_("a mapping in { } lacks a ',' or its closing '}'")),
        (r"that cannot start any token",
         N_("a value cannot begin with this character: put the value in quotes")),
        (r"expected node content|expected the node content",
         N_("a value is missing here")),
        (r"found unknown escape character",
         N_("unknown escape in double quotes: write \\\\ for a backslash, or use single "
            "quotes")),
        (r"found undefined alias",
         N_("an alias (*name) names no anchor (&name) above it")),
        (r"expected a single document|but found another document|expected <document start>",
         N_("the file holds more than one document: a second '---', or text after the end")),
    )
)  # fmt: skip


def reason(exc: yaml.MarkedYAMLError) -> str | Message:
    """Why PyYAML stopped, worded for the reader where we know the reason, with the line
    where the quote or bracket it was reading opened when that is another line."""
    problem = str(exc.problem or exc.context)
    worded = next(
        (Message(template) for pattern, template in _REASONS if pattern.search(problem)), problem
    )
    began = exc.context_mark if exc.problem else None
    # Where a quote, a bracket or a key opened helps; where the enclosing block or the
    # document began (often line 1) does not.
    opening = any(part in str(exc.context) for part in ("quoted", "flow", "simple key"))
    if began is None or not opening or (exc.problem_mark and exc.problem_mark.line == began.line):
        return worded
    return Message(N_("%(problem)s (in the part that begins at line %(line)d)"),
                   problem=worded, line=began.line + 1)  # fmt: skip
