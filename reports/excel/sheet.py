"""A worksheet written top to bottom: A4 with the official margins, page numbers from page 2,
cells, paragraphs, table headers and group rows with their heights estimated."""

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

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
    SIZE,
    parse_thai_date,
    thai_text,
    write_cell,
)
from .wrapping import box_pt, chunks, wrap


class Sheet:
    """One worksheet written row after row; it keeps its own row counter (never ws.max_row)."""

    def __init__(self, wb, title, widths, *, thai_digits, landscape=False, page_numbers=True):
        self.ws = wb.create_sheet(title[:31])
        self.widths, self.thai, self.row = list(widths), thai_digits, 1
        self.formats = FORMATS[thai_digits]
        for i, w in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        ps = self.ws.page_setup
        ps.paperSize = self.ws.PAPERSIZE_A4
        ps.orientation = "landscape" if landscape else "portrait"
        ps.fitToWidth, ps.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_margins = PageMargins(left=3 / 2.54, right=2 / 2.54, top=2.5 / 2.54, bottom=2 / 2.54,
                                           header=1.2 / 2.54, footer=1 / 2.54)  # fmt: skip
        self.ws.print_options.horizontalCentered = True
        if page_numbers:  # "- 2 -" at the top from page 2, as in official documents (always Arabic digits)
            self.ws.HeaderFooter.differentFirst = True
            self.ws.oddHeader.center.text = "- &P -"
            self.ws.oddHeader.center.font = f"{FONT},Regular"
            self.ws.oddHeader.center.size = SIZE

    @property
    def ncols(self):
        return len(self.widths)

    def put(self, col, value, kind="text", *, span=1, bold=False, border=True, fill=None, align=None, size=SIZE):
        """Write one cell (merged over span columns); returns its estimated number of lines.

        kind: text (digits follow the switch), code (as is), head, a number format
        (score, change, budget, int, weight) or a date (date, longdate; a builder's Thai
        date string is read back into a date)."""
        cell = self.ws.cell(row=self.row, column=col)
        horizontal, lines = align or "left", 1
        if kind in DATES and isinstance(value, str):
            parsed = parse_thai_date(value)
            value, kind = (parsed, kind) if parsed else (value, "text")
        if kind in NUMERIC or kind in DATES:
            if value is None or value == "":
                value, kind, horizontal = "–", "code", "center"
            else:
                cell.number_format = self.formats[kind]
                horizontal = align or "right"
        if kind in ("text", "code", "head"):
            value = value if kind == "code" else thai_text(value, self.thai)
            lines = len(wrap(value, box_pt(self.widths[col - 1 : col - 1 + span]), bold or kind == "head", size))
            if kind == "head":
                bold, fill, horizontal = True, fill or HEAD_FILL, align or "center"
        write_cell(cell, value)
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.alignment = Alignment(horizontal=horizontal, vertical="center" if kind == "head" else "top",
                                   wrap_text=True)  # fmt: skip
        if fill is not None:
            cell.fill = fill
        if border:
            for c in range(col, col + span):
                self.ws.cell(row=self.row, column=c).border = BOX
        if span > 1:
            self.ws.merge_cells(start_row=self.row, start_column=col, end_row=self.row, end_column=col + span - 1)
        return lines

    def line(self, *cells, border=True, fill=None, bold=False, size=SIZE):
        """One row from column 1: each cell is (value, kind) or (value, kind, span)."""
        col, lines = 1, 1
        for value, kind, *rest in cells:
            span = rest[0] if rest else 1
            lines = max(lines, self.put(col, value, kind, span=span, border=border, fill=fill, bold=bold, size=size))
            col += span
        return self.end_row(lines, size)

    def end_row(self, lines, size=SIZE):
        self.ws.row_dimensions[self.row].height = min(409, lines * LINE_PT * size / SIZE + PAD_PT)
        self.row += 1
        return self.row - 1

    def text(self, text, *, first=1, span=None, bold=False, align=None, size=SIZE):
        """A paragraph in merged cells, split over rows of at most MAX_LINES lines."""
        span = span or self.ncols - first + 1
        text = thai_text(text, self.thai)
        lines = wrap(text, box_pt(self.widths[first - 1 : first - 1 + span]), bold, size) or [""]
        for chunk, count in chunks(text, lines, MAX_LINES):
            self.put(first, chunk, "code", span=span, bold=bold, border=False, align=align, size=size)
            self.end_row(count, size)

    def paragraphs(self, text, **kw):
        parts = [p for p in str(text or "").split("\n") if p.strip()]
        for p in parts or ["-"]:
            self.text(p, **kw)

    def title(self, *lines):
        for t in lines:
            self.text(t, bold=True, align="center")

    def heading(self, text):
        self.gap()
        self.text(text, bold=True)

    def gap(self, points=8):
        self.ws.row_dimensions[self.row].height = points
        self.row += 1

    def header(self, *labels, repeat=False):
        """A table header row (label or (label, span)); repeat it on every printed page."""
        cells = [(lab, "head") if isinstance(lab, str) else (lab[0], "head", lab[1]) for lab in labels]
        row = self.line(*cells)
        if repeat:
            self.ws.print_title_rows = f"{row}:{row}"
        return row

    def group(self, label, *rest):
        """A group label row merged over the columns the rest of the row does not use."""
        used = sum(c[2] if len(c) > 2 else 1 for c in rest)
        return self.line((label, "text", self.ncols - used), *rest, fill=GROUP_FILL, bold=True)
