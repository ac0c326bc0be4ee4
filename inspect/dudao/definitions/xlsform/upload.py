"""An XLSForm workbook uploaded on the admin's page, stored as a definition version."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dudao.definitions.services import StoredVersion, plain_file_name
from dudao.definitions.uploading import upload_version
from dudao.definitions.xlsform import xlsform_to_yaml


def upload_workbook(
    session: Session, actor: Any, data: bytes, filename: str, kind: str = "questionnaire"
) -> StoredVersion:
    """Translate the workbook (docs/xlsform.md) and store it as `upload_version` stores a
    file; XLSFormError lists every row that cannot be translated, and nothing is stored."""
    with tempfile.TemporaryDirectory() as folder:
        # Its name gives the key and names it in the messages.
        path = Path(folder) / (plain_file_name(filename) or "upload.xlsx")
        path.write_bytes(data)
        text = xlsform_to_yaml(path, kind)
    return upload_version(session, actor, text, filename)  # recorded as the admin's file
