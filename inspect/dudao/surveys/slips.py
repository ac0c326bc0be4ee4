"""Invitation slips as an A4 PDF: a QR code of the link, the short code, and one sentence
on anonymity, ten to a page for cutting out; and for open links one A4 poster per unit with
a large QR code, to put up where the unit meets. Built from the links the office has just
generated (posted back by the browser); nothing here reads or stores a token."""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from dudao.reports.fonts import register_font

COLUMNS, ROWS = 2, 5
MARGIN = 10 * mm
QR_SIZE = 36 * mm


def _qr(link: str, size: float = QR_SIZE) -> Drawing:
    widget = qr.QrCodeWidget(link, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0,
                                             size / (y1 - y0), 0, 0])  # fmt: skip
    drawing.add(widget)
    return drawing


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis until it fits `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def slips_pdf(title: str, rows: list[list[str]], code_page: str, font: str | None = None) -> bytes:
    """`rows` are [unit code, unit name, link, code] as the generation page shows them."""
    name = register_font(font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    width, height = A4
    cell_w = (width - 2 * MARGIN) / COLUMNS
    cell_h = (height - 2 * MARGIN) / ROWS
    for index, (_unit_code, unit_name, link, code) in enumerate(rows):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            canvas.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN + col * cell_w
        y = height - MARGIN - (row + 1) * cell_h
        canvas.setDash(2, 2)
        canvas.setLineWidth(0.3)
        canvas.rect(x, y, cell_w, cell_h)
        canvas.setDash()
        renderPDF.draw(_qr(link), canvas, x + 4 * mm, y + (cell_h - QR_SIZE) / 2)
        text_x = x + QR_SIZE + 8 * mm
        room = x + cell_w - 3 * mm - text_x
        top = y + cell_h - 10 * mm
        canvas.setFont(name, 10)
        canvas.drawString(text_x, top, _fit(title, name, 10, room))
        canvas.setFont(name, 8)
        canvas.drawString(text_x, top - 5 * mm, _fit(unit_name, name, 8, room))
        canvas.drawString(text_x, top - 13 * mm, "扫码作答，或在以下网址输入答题码：")
        canvas.drawString(text_x, top - 17 * mm, _fit(code_page, name, 8, room))
        canvas.setFont(name, 14)
        canvas.drawString(text_x, top - 25 * mm, code)
        canvas.setFont(name, 7)
        canvas.drawString(text_x, top - 32 * mm, "匿名作答：本纸条与您的姓名无关，")
        canvas.drawString(text_x, top - 35.5 * mm, "系统不记录谁填写了什么。只能使用一次。")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


POSTER_QR = 110 * mm


def posters_pdf(title: str, rows: list[list[str]], font: str | None = None) -> bytes:
    """`rows` are [unit code, unit name, link, at most] as the open-link page shows them:
    one page each, the unit's shared link as a QR code large enough to scan from a seat."""
    name = register_font(font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    width, height = A4
    room = width - 2 * MARGIN
    for _unit_code, unit_name, link, cap in rows:
        canvas.setFont(name, 20)
        canvas.drawCentredString(width / 2, height - 35 * mm, _fit(title, name, 20, room))
        canvas.setFont(name, 15)
        canvas.drawCentredString(width / 2, height - 47 * mm, _fit(unit_name, name, 15, room))
        renderPDF.draw(_qr(link, POSTER_QR), canvas, (width - POSTER_QR) / 2, height - 170 * mm)
        canvas.setFont(name, 13)
        lines = ("请用手机扫码作答。", f"本单位共享链接，最多可作答 {cap} 次，请每人只作答一次。",
                 "匿名作答：系统不记录谁填写了什么。")  # fmt: skip
        for i, line in enumerate(lines):
            canvas.drawCentredString(width / 2, height - (185 + 9 * i) * mm, line)
        canvas.setFont(name, 9)
        canvas.drawCentredString(width / 2, height - 220 * mm, _fit(link, name, 9, room))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
