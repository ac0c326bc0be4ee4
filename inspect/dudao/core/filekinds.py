"""Whether an attached file holds what its name says: a name is chosen by whoever sends it,
so a text file called notice.pdf was stored and handed to the office as a PDF. Each kind
is known by its first bytes (an Office file by the part its zip must hold); plain text by
decoding as UTF-8 or GB 18030, as Chinese offices save it."""

from __future__ import annotations

import io
import zipfile

_STARTS = {
    ".pdf": b"%PDF-",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
}
_OFFICE_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def holds_what_it_says(suffix: str, data: bytes) -> bool:
    """True when `data` is a file of the kind `suffix` (".pdf", ".docx", …) names."""
    if suffix in _STARTS:
        return data.startswith(_STARTS[suffix])
    if suffix in _OFFICE_PART:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return _OFFICE_PART[suffix] in archive.namelist()
        except zipfile.BadZipFile:
            return False
    if suffix == ".txt":
        return b"\x00" not in data and any(_decodes(data, c) for c in ("utf-8", "gb18030"))
    return False


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
