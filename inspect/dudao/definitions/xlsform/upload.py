"""An XLSForm workbook uploaded on the admin's page, stored as a definition version."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dudao.definitions.services import StoredVersion, upload_version
from dudao.definitions.xlsform import xlsform_to_yaml


def upload_workbook(
    session: Session, actor: Any, data: bytes, filename: str, kind: str = "questionnaire"
) -> StoredVersion:
    """Translate the workbook (docs/xlsform.md) and store it as `upload_version` stores a
    file; XLSFormError lists every row that cannot be translated, and nothing is stored."""
    name = re.sub(r"[^\w.\-]", "_", Path(filename.replace("\\", "/")).name).lstrip(".")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (name or "upload.xlsx")  # its name: the key and the messages
        path.write_bytes(data)
        text = xlsform_to_yaml(path, kind)
    return upload_version(session, actor, text, f"{path.stem}.yaml")
