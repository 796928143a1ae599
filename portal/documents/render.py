"""A Document (content.py) as a PDF (fpdf2, with the DejaVu Sans shipped in portal/fonts) or as an XLSX workbook
(openpyxl), each with the verification QR code (segno)."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path

import segno
from flask_babel import gettext as _
from fpdf import FPDF, FontFace
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


def _pdf_table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FAMILY, "", 8.5)
    widths = {4: (25, 85, 35, 35), 6: (25, 33, 31, 31, 30, 30)}.get(len(table.headings))
    aligns = _aligns(table)
    bold = FontFace(emphasis="BOLD", fill_color=HEADING_FILL, size_pt=7.5)
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        line_height=5.5,
        headings_style=bold,
        borders_layout="HORIZONTAL_LINES",
        repeat_headings=1,
        padding=1,
    ) as grid:
        heading = grid.row()
        for text in table.headings:
            heading.cell(text, align="CENTER")
        if not table.rows:
            grid.row().cell(table.empty, colspan=len(table.headings), align="LEFT")
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(_text(value))
        if table.total is not None and table.rows:
            row = grid.row()
            for value in table.total:
                row.cell(_text(value), style=FontFace(emphasis="BOLD"))


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
