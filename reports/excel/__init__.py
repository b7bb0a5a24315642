"""Render a report context (builders.build) to an Excel workbook with the PDF's content.

One sheet per section, printable as an official Thai document: TH SarabunPSK 16 pt
(named, not embedded: government PCs have it), A4 with the official margins, table
headers repeated on every printed page. Numbers and dates stay real values and show
Thai digits through number formats; digits inside text follow the organisation's
switch, except in item codes (i7, O18) and links. LibreOffice does not fit row heights
to wrapped text, so every row's height is set from an estimate of its wrapped lines
(THAI-PDF.md, "Excel (openpyxl)").

By concern: ``cells`` (font, formats, writing a value), ``wrapping`` (the line estimate),
``sheet`` (a worksheet written top to bottom), ``analysis``, ``tables`` (measures and
follow-up, by the plan's table spec), ``documents`` (memo, annual cover, sign-off) and
``words`` (the agency's own texts); ``render_xlsx`` here puts a kind's sheets together.
"""

from io import BytesIO

from openpyxl import Workbook

from .analysis import PART_NAMES, analysis_sheets
from .cells import (
    BOX,
    DATES,
    FONT,
    FORMATS,
    GROUP_FILL,
    HEAD_FILL,
    LINE_PT,
    MAX_LINES,
    NUMERIC,
    PAD_PT,
    PORTRAIT,
    SIZE,
    THIN,
    parse_thai_date,
    thai_text,
    write_cell,
    xml_text,
)
from .documents import DOTS, cover_sheet, memo_sheet, signoff_rows, signoff_sheet
from .sheet import Sheet
from .tables import followup_sheet, measures_sheet
from .words import words_sheet
from .wrapping import EM_PT, wrap

__all__ = [
    "BOX",
    "DATES",
    "DOTS",
    "EM_PT",
    "FONT",
    "FORMATS",
    "GROUP_FILL",
    "HEAD_FILL",
    "LINE_PT",
    "MAX_LINES",
    "NUMERIC",
    "PAD_PT",
    "PART_NAMES",
    "PORTRAIT",
    "SIZE",
    "THIN",
    "Sheet",
    "parse_thai_date",
    "render_xlsx",
    "signoff_rows",
    "thai_text",
    "wrap",
    "write_cell",
    "xml_text",
]


def render_xlsx(context):
    """The xlsx bytes of a report context: one sheet per section, as printable as the PDF."""
    kind = context["kind"]
    wb = Workbook()
    wb.remove(wb.active)
    made = []

    def new(*args, **kwargs):
        sheet = Sheet(wb, *args, thai_digits=context.get("thai_digits", True), **kwargs)
        made.append(sheet)
        return sheet

    org, year = context["organisation"], context["year"]
    if kind == "analysis":
        analysis_sheets(new, context["analysis"], org)
    elif kind == "measures":
        measures_sheet(new, context["plan"], org, year)
        words_sheet(new, context["plan"].get("texts") or {}, org)
    elif kind == "memo":
        memo_sheet(new, context["memo"])
    elif kind == "followup":
        followup_sheet(new, context["round"], context["rows"], org, year, context.get("analysis_year", ""),
                        context.get("groups"))  # fmt: skip
        words_sheet(new, context.get("texts") or {}, org)
    elif kind == "annual":
        cover_sheet(new, context)
        words_sheet(new, context.get("texts") or {}, org)
        if context.get("analysis"):
            analysis_sheets(new, context["analysis"], org)
        measures_sheet(new, context["plan"], org, year)
        if context.get("memo"):
            memo_sheet(new, context["memo"])
        for r in context["rounds"]:
            followup_sheet(new, r["round"], r["rows"], org, year, context["analysis_year"], r.get("groups"))
        signoff_sheet(new, context)
    else:
        raise ValueError(f"unknown report kind {kind!r}")
    if kind in ("analysis", "measures", "followup"):  # under the document's first sheet
        signoff_rows(made[0], context.get("signoff") or {})
    wb.properties.title = xml_text(f"{kind} {org['name']} {year}")
    wb.properties.creator = "ITA Portal"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
