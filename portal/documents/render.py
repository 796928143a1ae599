"""A Document (content.py) as a PDF (fpdf2, with the DejaVu Sans shipped in portal/fonts) or as an XLSX workbook
(openpyxl), each with the verification QR code (segno)."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path
from typing import cast

import segno
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.documents.content import Document, Table, Value
from portal.i18n import current_language, day, money

# fpdf2 subsets the font through fontTools, which logs every step at INFO: dozens of lines per document.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "DejaVu"
INK = (27, 36, 48)
MUTED = (79, 91, 104)
HEADING_FILL = (230, 238, 247)
PAGE_WIDTH = 180  # mm between the 15 mm margins of A4
QR_SIZE = 30  # mm


def qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def _text(value: Value) -> str:
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return day(value)
    return str(value)


def _aligns(table: Table) -> tuple[str, ...]:
    sample = table.total or (table.rows[0] if table.rows else [])
    return tuple("RIGHT" if isinstance(cell, Decimal) else "LEFT" for cell in sample) or ("LEFT",) * len(table.headings)


class _Pdf(FPDF):
    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*MUTED)
        document = self.document
        self.cell(PAGE_WIDTH - 20, 5, f"{document.company} · {document.issued_text} · {document.grouped_code}")
        self.cell(20, 5, f"{self.page_no()} / {{nb}}", align="R")


def pdf_bytes(document: Document) -> bytes:
    pdf = _Pdf(document)
    pdf.set_title(f"{document.title} {document.facts[0][1]}")
    pdf.set_author(document.company)
    pdf.set_creator(document.company)
    pdf.set_lang(current_language())
    pdf.set_creation_date(document.issued_at.astimezone(UTC))
    pdf.add_page()
    pdf.image(qr_png(document.verify_url), x=210 - 15 - QR_SIZE, y=12, w=QR_SIZE, h=QR_SIZE)
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(PAGE_WIDTH - QR_SIZE - 5, 5, document.company, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(PAGE_WIDTH - QR_SIZE - 5, 8, document.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for label, value in document.facts:
        pdf.set_font(FAMILY, "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(52, 5.5, label)
        pdf.set_font(FAMILY, "B", 9)
        pdf.set_text_color(*INK)
        pdf.multi_cell(PAGE_WIDTH - QR_SIZE - 57, 5.5, _text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.ln(1)
    pdf.multi_cell(
        PAGE_WIDTH, 4.5, _("Код проверки: %(code)s", code=document.grouped_code), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.multi_cell(PAGE_WIDTH, 4.5, document.verify_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    for section in document.sections:
        pdf.ln(4)
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(PAGE_WIDTH, 7, section.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for label, value in section.fields:
            pdf.set_font(FAMILY, "", 9)
            pdf.cell(120, 6, label, border="B")
            pdf.set_font(FAMILY, "B", 9)
            pdf.cell(PAGE_WIDTH - 120, 6, _text(value), border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if section.table is not None:
            pdf.ln(3)
            _pdf_table(pdf, section.table)
    return bytes(pdf.output())


ROW_HEIGHT = 5.5  # mm
PADDING = 1.2  # mm each side of a cell's text
BODY_SIZE, HEADING_SIZE = 8.5, 7.5  # pt


def _written(table: Table) -> tuple[list[list[str]], list[str] | None]:
    """The rows and the total as the document writes them; a schedule repeats its amounts month after month, so
    each distinct value is formatted once."""
    formatted: dict[Value, str] = {}

    def text(value: Value) -> str:
        found = formatted.get(value)
        if found is None:
            found = formatted[value] = _text(value)
        return found

    total = [text(value) for value in table.total] if table.total is not None else None
    return [[text(value) for value in row] for row in table.rows], total


def _column_widths(pdf: FPDF, headings: list[str], rows: list[list[str]], total: list[str] | None) -> list[float]:
    """Each column as wide as its widest value (so that no value, a status least of all, wraps), the rest of the
    page shared out in proportion; headings wrap instead."""
    widest = [0.0] * len(headings)
    if total is not None:
        pdf.set_font(FAMILY, "B", BODY_SIZE)
        widest = [pdf.get_string_width(text) for text in total]
    pdf.set_font(FAMILY, "", BODY_SIZE)
    for column in range(len(headings)):
        for text in {row[column] for row in rows}:
            widest[column] = max(widest[column], pdf.get_string_width(text))
    needed = [width + 2 * PADDING for width in widest]
    spare = PAGE_WIDTH - sum(needed)
    if spare <= 0:
        return [PAGE_WIDTH * width / sum(needed) for width in needed]
    return [width + spare * width / sum(needed) for width in needed]


def _pdf_table(pdf: FPDF, table: Table) -> None:
    """The table drawn cell by cell, one line a row, its headings again at the top of every page (fpdf2's own
    table() breaks every cell's text into lines, several times slower for a long schedule: docs/performance.md)."""
    rows, total = _written(table)
    widths = _column_widths(pdf, table.headings, rows, total)
    aligns = ["R" if align == "RIGHT" else "L" for align in _aligns(table)]
    pdf.c_margin = PADDING  # fpdf2's own space between a cell's edge and its text

    def headings() -> None:
        pdf.set_font(FAMILY, "B", HEADING_SIZE)
        pdf.set_fill_color(*HEADING_FILL)
        top, x = pdf.get_y(), pdf.l_margin
        # With output="LINES" alone, fpdf2 returns the lines the text would take, as a list of str.
        lines = max(
            len(cast("list[str]", pdf.multi_cell(width - 2 * PADDING, 4, text, dry_run=True, output="LINES")))
            for width, text in zip(widths, table.headings, strict=True)
        )
        height = lines * 4 + 2
        for width, text in zip(widths, table.headings, strict=True):
            pdf.rect(x, top, width, height, style="F")
            pdf.set_xy(x + PADDING, top + 1)
            pdf.multi_cell(width - 2 * PADDING, 4, text, align="C")
            x += width
        pdf.set_xy(pdf.l_margin, top + height)
        pdf.set_font(FAMILY, "", BODY_SIZE)

    def row(texts: list[str], bold: bool = False) -> None:
        if pdf.get_y() + ROW_HEIGHT > pdf.page_break_trigger:
            pdf.add_page()
            headings()
        pdf.set_font(FAMILY, "B" if bold else "", BODY_SIZE)
        for width, align, text in zip(widths, aligns, texts, strict=True):
            pdf.cell(width, ROW_HEIGHT, text, border="B", align=align)
        pdf.ln(ROW_HEIGHT)

    headings()
    if not table.rows:
        pdf.cell(PAGE_WIDTH, ROW_HEIGHT, table.empty, border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for texts in rows:
        row(texts)
    if total is not None and rows:
        row(total, bold=True)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def xlsx_bytes(document: Document) -> bytes:
    """Amounts are numeric cells written from the Decimal's exact digits, with a tenge number format, so that a
    client can add them up; dates are date cells."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _sheet_title(document.title)
    workbook.properties.creator = document.company
    workbook.properties.title = document.title
    workbook.properties.created = document.issued_at.astimezone(UTC).replace(tzinfo=None)
    workbook.properties.language = current_language()
    money_format = '"₸"#,##0.00' if current_language() == "en" else '#,##0.00 "₸"'
    date_format = "DD MMM YYYY" if current_language() == "en" else "DD.MM.YYYY"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E6EEF7")
    row = 1

    def put(column: int, value: Value, font: Font | None = None) -> None:
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, Decimal):
            cell.number_format = money_format
        elif isinstance(value, date):
            cell.number_format = date_format
            cell.alignment = Alignment(horizontal="left")
        if font is not None:
            cell.font = font

    put(1, document.company, bold)
    row += 1
    put(1, document.title, Font(bold=True, size=14))
    row += 2
    for label, value in document.facts:
        put(1, label)
        put(2, value, bold)
        row += 1
    put(1, _("Код проверки"))
    put(2, document.grouped_code, bold)
    row += 1
    put(1, _("Проверить подлинность"))
    put(2, document.verify_url)
    sheet.cell(row=row, column=2).hyperlink = document.verify_url
    row += 1
    for section in document.sections:
        row += 1
        put(1, section.heading, Font(bold=True, size=12))
        row += 1
        for label, value in section.fields:
            put(1, label)
            put(2, value, bold)
            row += 1
        if section.table is not None:
            row += 1
            for column, heading in enumerate(section.table.headings, start=1):
                put(column, heading, bold)
                sheet.cell(row=row, column=column).fill = fill
            row += 1
            if not section.table.rows:
                put(1, section.table.empty)
                row += 1
            for values in section.table.rows:
                for column, value in enumerate(values, start=1):
                    put(column, value)
                row += 1
            if section.table.total is not None and section.table.rows:
                for column, value in enumerate(section.table.total, start=1):
                    put(column, value, bold)
                row += 1
    for column, width in enumerate((34, 34, 20, 20, 20, 20), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    image = SheetImage(qr_png(document.verify_url))
    image.width = image.height = 120
    sheet.add_image(image, "E1")
    sheet.oddFooter.left.text = f"{document.company} · {document.issued_text}"
    sheet.oddFooter.right.text = "&P / &N"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
