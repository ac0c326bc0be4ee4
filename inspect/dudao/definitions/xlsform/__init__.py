"""XLSForm (ODK, KoboToolbox) import: workbook → Dudao definition YAML, or one error
listing every sheet and row that cannot be translated."""

from __future__ import annotations

from pathlib import Path

import yaml

from dudao.core.errors import N_, Message
from dudao.definitions.xlsform.convert import XLSFormError, convert_workbook


def xlsform_to_yaml(path: Path, kind: str = "questionnaire") -> str:
    """YAML that passes `dudao forms check`, or XLSFormError; nothing is half-imported."""
    from dudao.definitions.loader import DefinitionError, load_text

    data = convert_workbook(path, kind)
    header = f"# Imported from the XLSForm {path.name}; review before use.\n"
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    try:
        load_text(text, path.name)
    except DefinitionError as exc:
        raise XLSFormError(
            Message(N_("%(file)s translates into a definition that is not valid."), file=path.name),
            [
                Message(N_("after translation: %(problem)s"), problem=problem.as_message())
                for problem in exc.problems
            ],
        ) from exc
    return text


__all__ = ["XLSFormError", "convert_workbook", "xlsform_to_yaml"]
