"""The one font every PDF is set in: a TrueType CJK font that arrives with the install.

ReportLab embeds TrueType outlines (as a subset of the glyphs used), so the PDF
shows Chinese in any viewer on any machine without fonts installed. The default
is WenQuanYi Micro Hei (文泉驿微米黑; Apache 2.0, or GPLv3 with the font embedding
exception), a TrueType collection shipped by the `paperang-p2-fonts-cjk` wheel.
An administrator may point `DUDAO_PDF_FONT` to another TrueType file: `path.ttf`,
or `path.ttc#N` for the N-th face of a collection. OpenType fonts with PostScript
(CFF) outlines are refused by ReportLab and therefore named in a clear error.
Nothing is fetched at run time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from dudao.config import setting
from dudao.core.errors import ConfigError

FONT_NAME = "DudaoCJK"
_lock = threading.Lock()
_registered: dict[str, str] = {}  # source -> registered font name


@dataclass(frozen=True)
class FontSource:
    path: Path
    index: int = 0

    def __str__(self) -> str:
        return f"{self.path}#{self.index}" if self.index else str(self.path)


def bundled_font() -> FontSource:
    """WenQuanYi Micro Hei from the installed `paperang-p2-fonts-cjk` package."""
    try:
        root = resources.files("paperang_p2_fonts_cjk")
    except ModuleNotFoundError as exc:
        raise ConfigError(
            "The PDF font package paperang-p2-fonts-cjk is not installed; reinstall Dudao "
            "or set DUDAO_PDF_FONT to a TrueType font file."
        ) from exc
    return FontSource(Path(str(root / "fonts" / "wqy-microhei.ttc")), 0)


def parse_source(value: str) -> FontSource:
    """`/path/font.ttf` or `/path/fonts.ttc#1` -> FontSource."""
    path, _hash, index = value.partition("#")
    if index and not index.isdigit():
        raise ConfigError(f"{setting('PDF_FONT', value)}: the face after '#' must be a number.")
    return FontSource(Path(path).expanduser(), int(index or 0))


def font_source(configured: str | None) -> FontSource:
    return parse_source(configured) if configured else bundled_font()


def register_font(configured: str | None = None) -> str:
    """Register the report font once per process and return its ReportLab name.

    Raises ConfigError naming the file when it is missing or not a TrueType font.
    """
    source = font_source(configured)
    key = str(source)
    with _lock:
        if key in _registered:
            return _registered[key]
        if not source.path.is_file():
            raise ConfigError(f"The PDF font {source.path} does not exist (DUDAO_PDF_FONT).")
        name = FONT_NAME if not _registered else f"{FONT_NAME}{len(_registered)}"
        try:
            font = TTFont(name, str(source.path), subfontIndex=source.index)
        except TTFError as exc:
            raise ConfigError(
                f"The PDF font {source} cannot be embedded ({exc}); use a font with TrueType "
                "outlines (.ttf/.ttc), not OpenType/CFF (.otf)."
            ) from exc
        pdfmetrics.registerFont(font)
        # Bold and italic map to the same face: CJK faces rarely have them, and a
        # missing mapping would make ReportLab fall back to a non-embedded font.
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        _registered[key] = name
        return name
