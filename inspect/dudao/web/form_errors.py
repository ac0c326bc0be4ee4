"""A service's refusal shown on a form: each problem beside the field it names."""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations

from dudao.core.errors import DudaoError, by_field


def place_problems(refusal: DudaoError, fields: Any, rest: Any = None) -> list[str]:
    """Put each of a service's problems that names a field of `fields` (a form, or a
    mapping of the service's names to the form's fields) beside it, in the page's
    language. The others, whole ("field: problem" when the field is not on the form; the
    refusal itself when it lists no problems), go beside the field `rest`, or come back
    for the caller to show, so that none is lost."""
    problems = getattr(refusal, "problems", None) or [refusal.message]
    placed, others = by_field(problems, get_translations())
    for name, texts in placed.items():
        if name in fields:
            field = fields[name]
            field.errors = [*field.errors, *texts]
        else:
            others += [f"{name}: {text}" for text in texts]
    if rest is None:
        return others
    rest.errors = [*rest.errors, *others]
    return []
