"""Shared PDF pieces: styles in the embedded font, safe paragraphs, page numbers.

User text never becomes markup: `para` escapes everything it is given before it
reaches ReportLab's Paragraph (whose mini-language knows <img>, <font>, <a> ...),
and no markup attribute is ever built from input. Images come only from paths
the caller resolved on the server (`thumbnail`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from dudao.reports.fonts import register_font

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5f6368")
RULE = colors.HexColor("#9aa0a6")
HEAD_BG = colors.HexColor("#eceff1")
FAIL_BG = colors.HexColor("#fdecea")
FAIL_INK = colors.HexColor("#b3261e")
PASS_INK = colors.HexColor("#1e6b34")
ACCENT = colors.HexColor("#8b1a1a")
#: The width between the margins of `build_a4`.
TEXT_WIDTH = A4[0] - 36 * mm
# Binary streams: ASCII85-encoding every photo in pure Python cost 25 ms a photo.
rl_config.useA85 = 0
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text: Any) -> str:
    """Plain text -> Paragraph markup that prints exactly that text (line breaks kept)."""
    value = _CONTROL.sub("", "" if text is None else str(text))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return escape(value).replace("\n", "<br/>")


@dataclass(frozen=True)
class Styles:
    font: str
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_muted: ParagraphStyle  # words in a table where figures would be (why there are none)
    cell_head: ParagraphStyle
    center: ParagraphStyle
    right: ParagraphStyle
    fail: ParagraphStyle
    passed: ParagraphStyle


def make_styles(font_setting: str | None = None, locale: str = "zh") -> Styles:
    """Chinese wraps at any character (CJK rules); English at spaces, so words stay whole,
    and a run with no space (a Chinese unit name in an English report) still splits where
    it must (`splitLongWords`)."""
    font = register_font(font_setting)
    wrap = None if locale.startswith("en") else "CJK"

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.45)
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap=wrap,
                              splitLongWords=True, **kw)  # fmt: skip

    return Styles(
        font=font,
        title=style("title", 18, alignment=TA_CENTER, spaceAfter=2 * mm, leading=26),
        subtitle=style("subtitle", 10, alignment=TA_CENTER, textColor=MUTED, spaceAfter=4 * mm),
        h2=style("h2", 12.5, spaceBefore=5 * mm, spaceAfter=2 * mm, textColor=ACCENT),
        body=style("body", 10),
        small=style("small", 8.5, textColor=MUTED),
        cell=style("cell", 9),
        cell_muted=style("cell_muted", 9, textColor=MUTED),
        cell_head=style("cell_head", 9, textColor=INK),
        center=style("center", 9, alignment=TA_CENTER),
        right=style("right", 9, alignment=TA_RIGHT),
        fail=style("fail", 9, alignment=TA_CENTER, textColor=FAIL_INK),
        passed=style("passed", 9, alignment=TA_CENTER, textColor=PASS_INK),
    )


def table(rows: list[list[Any]], font: str, **options: Any) -> Table:
    """A Table whose plain cells (even empty ones) use the embedded font, not Helvetica."""
    made = Table(rows, **options)
    made.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font)]))
    return made


def grid(rows: list[list[Any]], s: Styles, widths: list[float] | None = None) -> Table:
    """A ruled table of plain text (first row a header, repeated on every page); "—" for None;
    a cell already made (a Paragraph of another style) is kept."""
    cells = [[c if isinstance(c, Flowable) else para("—" if c is None else c, s.cell)
              for c in row] for row in rows]  # fmt: skip
    made = table(cells, s.font, colWidths=widths, repeatRows=1, hAlign="LEFT")
    made.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, RULE),
                              ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))  # fmt: skip
    return made


def numbered(number: int, title: str, s: Styles, locale: str = "zh") -> Paragraph:
    """A numbered section heading: 一、… in Chinese, 1. … in English."""
    if locale.startswith("en"):
        return Paragraph(esc(f"{number}. {title}"), s.h2)
    chinese = "一二三四五六七八九十"[number - 1] if 1 <= number <= 10 else str(number)
    return Paragraph(esc(f"{chinese}、{title}"), s.h2)


def para(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain (user or definition) text: always escaped."""
    return Paragraph(esc(text), style)


def thumbnail(path: Path, box: tuple[float, float], pixels: int = 320) -> Image:
    """A small JPEG of a server-side photo, scaled to fit `box` (points; 320 px is about
    200 dpi for a 4 cm thumbnail)."""
    with PILImage.open(path) as image:
        scale = min(1.0, pixels / max(image.size))
        # JPEG: decode straight at 1/2, 1/4 or 1/8 of the size, far faster than in full
        image.draft("RGB", (int(image.width * scale), int(image.height * scale)))
        image = image.convert("RGB")
        image.thumbnail((pixels, pixels), PILImage.Resampling.BILINEAR)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=72)
        width, height = image.size
    scale = min(box[0] / width, box[1] / height)
    out.seek(0)
    return Image(out, width=width * scale, height=height * scale)


PAGES = "第 {n} 页 / 共 {total} 页"


class NumberedCanvas(Canvas):
    """Draws "第 N 页 / 共 M 页" (`pages`) on every page once the total is known (two passes
    over the saved page states, no second layout)."""

    footer_font = "Helvetica"
    footer_left = ""
    pages = PAGES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        width, _height = A4
        self.saveState()
        self.setFont(self.footer_font, 8.5)
        self.setFillColor(MUTED)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(18 * mm, 14 * mm, width - 18 * mm, 14 * mm)
        self.drawString(18 * mm, 9.5 * mm, self.footer_left)
        self.drawRightString(
            width - 18 * mm, 9.5 * mm, self.pages.format(n=self._pageNumber, total=total)
        )
        self.restoreState()


def canvas_maker(font: str, footer_left: str, pages: str = PAGES) -> Callable[..., NumberedCanvas]:
    def make(*args: Any, **kwargs: Any) -> NumberedCanvas:
        kwargs["initialFontName"] = font  # else an unembedded Helvetica is referenced
        canvas = NumberedCanvas(*args, **kwargs)
        canvas.footer_font = font
        canvas.footer_left = footer_left
        canvas.pages = pages
        return canvas

    return make


def build_a4(
    story: list[Any], font: str, footer: str, title: str, pages: str = PAGES, **info: Any
) -> bytes:
    """The story as an A4 PDF with the reports' margins, the embedded font from the first
    byte, the page number (`pages`, "第 N 页 / 共 M 页" unless an English report asks for
    its own) and `footer` on every page; `info`: subject, creator..."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=20 * mm, initialFontName=font, title=title, author="Dudao", **info,
    )  # fmt: skip
    document.build(story, canvasmaker=canvas_maker(font, footer, pages))
    return out.getvalue()


def generated_at(tz: Any) -> str:
    return datetime.now(tz).strftime("%Y-%m-%d %H:%M")
