"""A file to start an org chart import from: the columns headed as the import reads them,
in the reader's language (上级编码 on a Chinese page, parent on an English one; the import
takes both, `import_rows.COLUMN_ALIASES`), and one example row to overwrite.

The example's parent (HX-01-03) is not a unit of the organisation, so a template sent back
unchanged is refused at that row rather than imported.
"""

from __future__ import annotations

from typing import Any

from dudao.core.spreadsheet import csv_bytes, xlsx_bytes
from dudao.org.import_rows import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
CHINESE_HEADERS = {
    "code": "编码",
    "name": "名称",
    "parent": "上级编码",
    "level": "层级",
    "name_en": "英文名称",
    "tags": "标签",
    "headcount": "人数",
    "active": "启用",
}
EXAMPLE: dict[str, Any] = {
    "code": "HX-01-03-1",
    "name": "第三发电厂机关党支部",
    "parent": "HX-01-03",
    "level": ("党支部", "branch"),
    "name_en": "Power Plant No. 3 Office Party Branch",
    "tags": ("机关;示范", "office;model"),
    "headcount": 42,
    "active": ("是", "yes"),
}
FORMATS = ("csv", "xlsx")


def template_name(fmt: str, locale: str) -> str:
    stem = "org-chart-template" if locale.startswith("en") else "组织架构导入模板"
    return f"{stem}.{fmt}"


def template_bytes(fmt: str, locale: str) -> bytes:
    """The template as CSV (UTF-8 with BOM) or XLSX, headed in `locale`'s language."""
    english = locale.startswith("en")
    headers = [column if english else CHINESE_HEADERS[column] for column in COLUMNS]
    example = [EXAMPLE[column] for column in COLUMNS]
    row = [value[1 if english else 0] if isinstance(value, tuple) else value for value in example]
    if fmt == "csv":
        return csv_bytes(headers, [row])
    if fmt == "xlsx":
        return xlsx_bytes([("Org chart" if english else "组织架构", headers, [row])])
    raise ValueError(f"no template in the format {fmt!r}")
