"""Render a report context (builders.build) to an Excel workbook with the PDF's content.

One sheet per section, printable as an official Thai document: TH SarabunPSK 16 pt
(named, not embedded: government PCs have it), A4 with the official margins, table
headers repeated on every printed page. Numbers and dates stay real values and show
Thai digits through number formats; digits inside text follow the organisation's
switch, except in item codes (i7, O18) and links. LibreOffice does not fit row heights
to wrapped text, so every row's height is set from an estimate of its wrapped lines
(THAI-PDF.md, "Excel (openpyxl)").
"""

import re
import unicodedata
from datetime import date
from functools import lru_cache
from io import BytesIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from pythainlp.tokenize import word_tokenize

from assessments.analysis import PART_LABELS
from assessments.thai import BE_OFFSET, MONTHS, MONTHS_SHORT, to_arabic_digits, to_thai_digits

FONT = "TH SarabunPSK"
SIZE = 16
LINE_PT = 24  # one line of TH SarabunPSK 16 pt
PAD_PT = 4
MAX_LINES = 16  # Excel refuses rows taller than 409 pt
PORTRAIT = 86  # column units between 3 cm and 2 cm margins on A4 (landscape: 133)

# Advance widths (em) of Sarabun measured with fontTools. TH SarabunPSK 16 pt looks like
# Sarabun 10.9 pt (THAI-PDF.md); 12 pt leaves a margin so an estimate errs on the tall side.
EM_PT = 12.0
_WIDTHS = {
    "thai": 0.614,
    "thai_digit": 0.686,
    "lower": 0.482,
    "upper": 0.599,
    "digit": 0.55,
    " ": 0.243,
    "punct": 0.336,
}

FORMATS = {
    True: {
        "score": "[$-D00041E]0.00",
        "change": "[$-D00041E]+0.00;[$-D00041E]-0.00;[$-D00041E]0.00",
        "budget": "[$-D00041E]#,##0.00",
        "int": "[$-D00041E]0",
        "weight": '[$-D00041E]"ร้อยละ "0',
        "date": "[$-D07041E]d mmm yy",
        "longdate": "[$-D07041E]d mmmm yyyy",
    },
    False: {
        "score": "0.00",
        "change": "+0.00;-0.00;0.00",
        "budget": "#,##0.00",
        "int": "0",
        "weight": '"ร้อยละ "0',
        "date": "[$-107041E]d mmm yy",
        "longdate": "[$-107041E]d mmmm yyyy",
    },
}
NUMERIC = {"score", "change", "budget", "int", "weight"}
DATES = {"date", "longdate"}

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
PART_NAMES = {
    "public": "ส่วนที่ 1 ผู้รับบริการหรือติดต่อราชการ (EIT Public)",
    "survey": "ส่วนที่ 2 ผู้ประเมินจัดเก็บข้อมูล (EIT Survey)",
}

# Text a spreadsheet could take for a formula (=, +, -, @, also after a tab or CR), and
# characters XML 1.0 forbids (openpyxl refuses them; surrogates and U+FFFE/F cannot be saved).
_FORMULA_START = re.compile(r"^[\t\r]*[=+\-@]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text):
    """A string without the characters XML 1.0 forbids (so an export never fails on them)."""
    return _NOT_XML.sub("", text)


def write_cell(cell, value):
    """The one place a value enters a worksheet: strings are always text, never a formula.

    User text such as ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` stays a text cell (type
    "s") and, when it starts like a formula, gets Excel's quote prefix so editing the cell
    does not turn it into one; control characters XML forbids are dropped."""
    if isinstance(value, str):
        value = xml_text(value)
        cell.value = value
        cell.data_type = "s"
        if _FORMULA_START.match(value):
            cell.quotePrefix = True
    else:
        cell.value = value


# An item code or a link keeps its digits; any other digit follows the switch.
_KEEP_OR_DIGIT = re.compile(r"[A-Za-z]+\d+(?:\.\d+)*|https?://\S+|www\.\S+|\d")


def thai_text(text, thai_digits):
    """Digits of a text in Thai when the switch is on, except in item codes and links."""
    text = "" if text is None else str(text)
    if not thai_digits:
        return text
    return _KEEP_OR_DIGIT.sub(lambda m: to_thai_digits(m[0]) if len(m[0]) == 1 else m[0], text)


def parse_thai_date(text):
    """A date as the builders format it ("21 พฤศจิกายน 2569", "31 มี.ค. 66") back to a date."""
    parts = to_arabic_digits(text or "").split()
    if len(parts) != 3 or not (parts[0].isdigit() and parts[2].isdigit()):
        return None
    names = MONTHS if parts[1] in MONTHS else MONTHS_SHORT
    if parts[1] not in names:
        return None
    year = int(parts[2]) + (2500 if len(parts[2]) == 2 else 0)
    try:
        return date(year - BE_OFFSET, names.index(parts[1]) + 1, int(parts[0]))
    except ValueError:
        return None


# --------------------------------------------------------------------------- #
# Wrapped-line estimate
# --------------------------------------------------------------------------- #


def _char_width(c):
    if unicodedata.category(c) == "Mn":  # Thai vowels and tone marks above or below
        return 0.0
    if "\u0e50" <= c <= "\u0e59":
        return _WIDTHS["thai_digit"]
    if "\u0e00" <= c <= "\u0e7f":
        return _WIDTHS["thai"]
    if c.isdigit():
        return _WIDTHS["digit"]
    if c.isspace():
        return _WIDTHS[" "]
    if c in ".,:;()[]/-–'\"":
        return _WIDTHS["punct"]
    return _WIDTHS["upper"] if c.isupper() else _WIDTHS["lower"]


def _width_pt(text, bold=False, size=SIZE):
    return sum(_char_width(c) for c in text) * EM_PT * size / SIZE * (1.04 if bold else 1.0)


@lru_cache(maxsize=4096)
def wrap(text, width_pt, bold=False, size=SIZE):
    """Lines of a text wrapped at Thai word boundaries (pythainlp) in a box width_pt wide."""
    lines = []
    for para in str(text).split("\n"):
        line, used = "", 0.0
        for token in word_tokenize(para, keep_whitespace=True) if para.strip() else []:
            w = _width_pt(token, bold, size)
            if line and used + w > width_pt:
                lines.append(line.rstrip())
                line, used = "", 0.0
                if token.isspace():
                    continue
            while w > width_pt and len(token) > 1:  # a word longer than the box breaks anywhere
                cut = max(1, int(len(token) * width_pt / w))
                lines.append(token[:cut])
                token = token[cut:]
                w = _width_pt(token, bold, size)
            line, used = line + token, used + w
        lines.append(line.rstrip())
    return lines


def _chunks(text, lines, per):
    """The text cut where wrapped line k*per starts, with each piece's line count."""
    if len(lines) <= per:
        return [(text, len(lines))]
    starts, pos = [], 0
    for line in lines:
        found = text.find(line, pos) if line else -1
        pos = found if found >= 0 else pos
        starts.append(pos)
        pos += len(line)
    cuts = [starts[k] for k in range(0, len(lines), per)] + [len(text)]
    return [
        (text[a:b].strip(), min(per, len(lines) - n * per))
        for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False))
    ]


def _box_pt(widths):
    """Usable text width (pt) of cells whose Excel widths are given: 7 px a unit (Calibri 11, the
    workbook's Normal font, sets the unit), less the cell's padding."""
    return (sum(7 * w for w in widths) - 7) * 0.75


# --------------------------------------------------------------------------- #
# A sheet written top to bottom
# --------------------------------------------------------------------------- #


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
            lines = len(wrap(value, _box_pt(self.widths[col - 1 : col - 1 + span]), bold or kind == "head", size))
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
        lines = wrap(text, _box_pt(self.widths[first - 1 : first - 1 + span]), bold, size) or [""]
        for chunk, count in _chunks(text, lines, MAX_LINES):
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


# --------------------------------------------------------------------------- #
# Analysis
# --------------------------------------------------------------------------- #


def _analysis_sheets(new, a, organisation):
    """ผลการวิเคราะห์ (summary, tables, narratives, recommendations) and คะแนนรายข้อ (items)."""
    s = new("ผลการวิเคราะห์", [6, 31, 14, 16, 10, 13])
    s.title("รายงานการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ",
            f"ของ{organisation['name']} ประจำปีงบประมาณ พ.ศ. {a['year']}")  # fmt: skip
    s.gap()
    texts = a.get("texts") or {}
    _words_head(s, texts)
    s.gap()
    total = a["total"]
    if total["score"] is None:
        s.line(("คะแนนรวม", "text", 2), (None, "score"), ("ไม่มีข้อมูลคะแนนรวม", "text", 3), bold=True)
    else:
        s.line(("คะแนนรวม", "text", 2), (total["score"], "score"), ("คะแนน", "text", 3), bold=True)
    if total["result"]:
        s.line(("ผลการประเมิน", "text", 2), (total["result"], "text", 4), bold=True)
    if total["grade"]:
        label = "ระดับ (เทียบเกณฑ์การประเมินเดิม)" if total["result"] else "ระดับ"
        s.line((label, "text", 2), (total["grade"], "text", 4))
    if total["change"] is not None:
        s.line((f"เปลี่ยนแปลงจากปี {a['previous_year']}", "text", 2), (total["change"], "change"), ("คะแนน", "text", 3))

    s.heading("1. คะแนนจำแนกตามเครื่องมือการประเมิน")
    s.header(("เครื่องมือการประเมิน", 2), "น้ำหนัก", "คะแนน")
    for t in a["tools"]:
        s.line(
            (f"{t['code'].upper()} {t['name']}", "text", 2),
            (round(t["weight"] * 100, 2), "weight"),
            (t["score"], "score"),
        )
        for code, part in t["parts"].items():
            s.line(("    " + PART_NAMES.get(code, code), "text", 2), (None, "text"), (part["score"], "score"))

    s.heading(f"2. คะแนนรายตัวชี้วัดเทียบเกณฑ์ {a['threshold']:.0f} คะแนน")
    previous = a.get("previous_year")
    column = texts.get("indicator_analysis") == "column"
    if column:
        s.header("ที่", "ตัวชี้วัด", "คะแนน", "สถานะ", ("ผลการวิเคราะห์", 2))
    else:
        s.header("ที่", "ตัวชี้วัด", "คะแนน", "สถานะ", *((f"ปี {previous}", "เปลี่ยนแปลง") if previous else ()))
    detail = {d["number"]: d for d in a["indicators_detail"]}
    first = s.row
    for i in a["indicators"]:
        if column:
            extra = ((detail[i["number"]]["narrative"], "text", 2),)
        else:
            extra = ((i["previous"], "score"), (i["change"], "change")) if previous else ()
        s.line((i["number"], "int"), (i["name"], "text"), (i["score"], "score"),
               (detail[i["number"]]["status_label"] or "–", "text"), *extra)  # fmt: skip
    _chart(s, first, s.row - 1, [i["status"] for i in a["indicators"]])

    if a.get("has_items", True):
        s.heading("3. คะแนนรายข้อการประเมิน: ดูแผ่นงาน “คะแนนรายข้อ”")
    else:
        s.heading("3. คะแนนรายข้อการประเมิน: – ไม่มีข้อมูลคะแนนรายข้อ (หน่วยงานบันทึกเฉพาะคะแนนรายตัวชี้วัด)")
    threshold = f"{a['threshold']:.0f}"
    for number, (title, key) in enumerate(
        [(f"ประเด็นที่ต้องพัฒนาให้ดีขึ้น (ตัวชี้วัดที่ได้คะแนนตั้งแต่ {threshold} คะแนนขึ้นไป) จำนวน {len(a['strengths'])} "
          "ตัวชี้วัด เรียงตามลำดับคะแนนจากมากที่สุด", "strengths_detail"),
         (f"ประเด็นที่เป็นข้อบกพร่องหรือจุดอ่อนที่จะต้องแก้ไขโดยเร่งด่วน (ตัวชี้วัดที่ได้คะแนนน้อยกว่า {threshold} คะแนน) "
          f"จำนวน {len(a['weaknesses'])} ตัวชี้วัด เรียงตามลำดับคะแนนจากน้อยที่สุด", "weaknesses_detail")],
        start=4,
    ):  # fmt: skip
        s.heading(f"{number}. {title}")
        for ind in a[key]:
            if column:
                s.text(f"- ตัวชี้วัดที่ {ind['number']} {ind['name']} {ind['score']:.2f} คะแนน")
                continue
            for n, para in enumerate(p for p in ind["narrative"].split("\n") if p.strip()):
                s.text(("- " if n == 0 else "  ") + para)
        if not a[key]:
            s.text("ไม่มี")

    titles = {it["label"]: it["title"] for d in a["indicators_detail"] for it in d["items"]}
    if a["failed_oit_items"]:
        s.heading("6. ข้อการประเมินการเปิดเผยข้อมูลสาธารณะ (OIT) ที่ไม่ได้คะแนน")
        s.header("ข้อ", ("รายการ", 5))
        for it in a["failed_oit_items"]:
            s.line((it["label"], "code"), (it["title"], "text", 5))
    if a["eit_gaps"]:
        s.heading("ข้อ EIT ที่ผล EIT Public และ EIT Survey แตกต่างกันมาก")
        s.header("ข้อ", "ประเด็นการประเมิน", "EIT Public", "EIT Survey", ("ส่วนต่าง", 2))
        for g in a["eit_gaps"]:
            s.line((g["label"], "code"), (titles.get(g["label"], ""), "text"), (g["public"], "score"),
                   (g["survey"], "score"), (g["gap"], "change", 2))  # fmt: skip
    _issue_areas(s, a.get("issue_areas_detail") or [])
    if a.get("recommendation_groups"):
        s.heading("ข้อเสนอแนะของผู้ตรวจประเมิน")
        for g in a["recommendation_groups"]:
            s.text(f"{g['number']}. {g['heading']}", bold=True)
            for sub in g.get("parts") or [{"heading": "", "rows": g["rows"]}]:
                if sub["heading"]:
                    s.text(f"{sub['number']} {sub['heading']}", bold=True)
                for r in sub["rows"]:
                    s.text(f"{r['number']} {r['text']}" if r["number"] else r["text"])
    _words_tail(s, texts, organisation)

    if not a.get("has_items", True):
        return  # only indicator figures: no empty item table
    found = {p for d in a["indicators_detail"] for it in d["items"] for p in it["parts"]}
    parts = [p for p in PART_LABELS if p in found]
    items = new("คะแนนรายข้อ", [7, 46, 11, 11, 11] if parts else [7, 68, 11])
    items.title("คะแนนรายข้อการประเมิน", f"{organisation['name']} ประจำปีงบประมาณ พ.ศ. {a['year']}")
    items.gap()
    items.header("ข้อ", "ประเด็นการประเมิน", "คะแนน", *(PART_LABELS[p] for p in parts), repeat=True)
    for d in a["indicators_detail"]:
        items.group(f"ตัวชี้วัดที่ {d['number']} {d['name']}", (d["score"], "score"),
                    *((d["parts"].get(p), "score") for p in parts))  # fmt: skip
        for it in d["items"]:
            items.line((it["label"], "code"), (it["title"], "text"), (it["score"], "score"),
                       *((it["parts"].get(p), "score") for p in parts))  # fmt: skip
            if it.get("analysis_here", it.get("analysis")):
                items.text("ผลการวิเคราะห์: " + it.get("analysis_here", it.get("analysis")).replace("\n", " "), first=2)
            elif it.get("analysis"):
                items.text("ผลการวิเคราะห์ของข้อนี้อยู่ในแผ่นงาน “ผลการวิเคราะห์” หัวข้อการวิเคราะห์ตาม 7 ประเด็น", first=2)


def _issue_areas(s, areas):
    """การวิเคราะห์ตาม ๗ ประเด็น: each area, its indicators, its items to improve and the
    agency's analysis of them (as the PDF prints it)."""
    if not areas:
        return
    s.heading("การวิเคราะห์ผลการประเมินตาม 7 ประเด็น")
    s.header("ประเด็น", ("ตัวชี้วัดที่เกี่ยวข้อง", 2), ("ข้อที่ต้องปรับปรุง / ผลการวิเคราะห์", 3))
    for area in areas:
        indicators = (
            "\n".join(
                f"ตัวชี้วัดที่ {i['number']} {i['name']} " + ("–" if i["score"] is None else f"{i['score']:.2f}")
                for i in area["indicators"]
            )
            or "–"
        )
        items = (
            "\n".join(
                f"{it['label']} {it['title']}"
                + ("" if it["score"] is None else f" ({it['score']:.2f})")
                + (f"\nผลการวิเคราะห์: {it['analysis']}" if it["analysis"] else "")
                for it in area["weak_items"]
            )
            or "ไม่มีข้อที่ต้องปรับปรุงในประเด็นนี้"
        )
        s.line((f"{area['number']}. {area['name']}", "text"), (indicators, "text", 2), (items, "text", 3))


def _words_head(s, texts):
    for p in (texts.get("intro") or "").split("\n"):
        if p.strip():
            s.text(p.strip())


def _words_tail(s, texts, organisation):
    """The agency's summary, limitations and closing; an empty one prints nothing."""
    if (texts.get("summary") or "").strip():
        s.heading("สรุป")
        s.paragraphs(texts["summary"])
    if (texts.get("limitations") or "").strip():
        s.heading("ข้อจำกัดของหน่วยงานในการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
                  f"ของ{organisation['name']}")  # fmt: skip
        s.paragraphs(texts["limitations"])
    if (texts.get("closing") or "").strip():
        s.gap()
        s.paragraphs(texts["closing"])


def _chart(s, first, last, statuses):
    """The indicator bar chart of the PDF, drawn from the table's own cells (weak bars in red)."""
    chart = BarChart()
    chart.type, chart.legend, chart.width, chart.height = "col", None, 15.5, 8.5
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.add_data(Reference(s.ws, min_col=3, min_row=first, max_row=last))
    chart.set_categories(Reference(s.ws, min_col=1, min_row=first, max_row=last))
    series = chart.series[0]
    series.graphicalProperties.solidFill = "4F81BD"
    for idx, status in enumerate(statuses):
        if status == "weak":
            point = DataPoint(idx=idx)
            point.graphicalProperties.solidFill = "C0504D"
            series.dPt.append(point)
    s.gap()
    s.ws.add_chart(chart, f"A{s.row}")
    for _ in range(13):  # 13 x 20 pt keep the chart's 8.5 cm clear of the next section
        s.gap(20)


# --------------------------------------------------------------------------- #
# Measures and follow-up
# --------------------------------------------------------------------------- #


def _measures_sheet(new, plan, organisation, year):
    from .excel_tables import measures_sheet

    measures_sheet(new, plan, organisation, year)


def _followup_sheet(new, round_, rows, organisation, year, analysis_year, groups=None):
    from .excel_tables import followup_sheet

    followup_sheet(new, round_, rows, organisation, year, analysis_year, groups)


# --------------------------------------------------------------------------- #
# Memo, cover and sign-off
# --------------------------------------------------------------------------- #

DOTS = "." * 40


def _signature(s, name, position, when=None, *, first=5, span=4):
    """(ลงชื่อ) ..., (name), position and, for an opinion block, the date."""
    s.gap()
    for line in ("(ลงชื่อ) " + DOTS, f"({name or DOTS})", position):
        if line:
            s.text(line, first=first, span=span, align="center")
    if when is not None:
        s.put(first, when or "........../........................../..........", "longdate" if when else "text",
              span=span, border=False, align="center")  # fmt: skip
        s.end_row(1)


def _emblem(s, data_uri):
    """The agency's emblem at the top left, about 1.5 cm high (57 px), as on the PDF memo."""
    if not data_uri.startswith("data:image/"):
        return
    import base64

    from openpyxl.drawing.image import Image as SheetImage

    image = SheetImage(BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
    image.width, image.height = round(image.width * 57 / image.height), 57
    s.ws.add_image(image, "A1")


def _memo_sheet(new, memo):
    """บันทึกข้อความ with the opinion and signature block of every step of the chain."""
    s = new("บันทึกข้อความ", [14, 10, 10, 10, 10, 10, 11, 11])
    s.ws.sheet_view.showGridLines = False
    _emblem(s, memo.get("emblem") or "")
    s.text("บันทึกข้อความ", bold=True, align="center", size=29)
    s.gap()
    for label, value in (("ส่วนราชการ", memo["department"]), ("ที่", None), ("เรื่อง", memo["subject"]),
                         ("เรียน", memo["to"])):  # fmt: skip
        s.put(1, label, bold=label != "เรียน", border=False)
        if value is None:  # ที่ ... วันที่ ...
            s.put(2, memo["number"] or "........................", span=3, border=False)
            s.put(5, "วันที่", bold=True, border=False, align="right")
            s.put(6, memo["date"] or "........................", "longdate", span=3, border=False, align="left")
            s.end_row(1)
        else:
            s.end_row(s.put(2, value, span=7, border=False))
    law = "\n".join(f"{n}. {text}" for n, text in enumerate(memo["law"], start=1))
    for heading, body in (("เรื่องเดิม", memo["background"]), ("ข้อเท็จจริง", memo["facts"]), ("ข้อกฎหมาย", law),
                          ("ข้อพิจารณา", memo["consideration"])):  # fmt: skip
        if body:
            s.heading(heading)
            s.paragraphs(body, first=2, span=7)
    s.gap()
    s.text(memo["closing"], first=2, span=7)
    _signature(s, memo["submitter"]["name"], memo["submitter"]["position"])
    for block in memo["blocks"]:
        s.heading(f"ความเห็น{block['title']}")
        for line in [block["opinion"]] if block["opinion"] else [DOTS * 2, DOTS * 2]:
            s.text(line, first=2, span=7)
        if block["final"]:
            s.text(f"{'☑' if block['decision'] == 'approve' else '☐'} อนุมัติ      "
                   f"{'☑' if block['decision'] == 'reject' else '☐'} ไม่อนุมัติ", first=2, span=7)  # fmt: skip
            if memo.get("publish_permitted"):
                s.text("☑ อนุญาตให้เผยแพร่บนเว็บไซต์ของหน่วยงาน", first=2, span=7)
        position = "\n".join(filter(None, [block["signer_position"], block.get("signer_acting", "")]))
        _signature(s, block["signer_name"], position, block["date"])


def _cover_sheet(new, context):
    """รายงานประจำปี: the cover and the contents of the annual workbook."""
    org, year = context["organisation"], context["year"]
    s = new("รายงานประจำปี", [PORTRAIT], page_numbers=False)
    s.ws.sheet_view.showGridLines = False
    s.gap(180)
    s.title("รายงานผลการดำเนินการด้านคุณธรรมและความโปร่งใส", f"ประจำปีงบประมาณ พ.ศ. {year}")
    s.gap(40)
    s.title(org["name"])
    place = " ".join(t for t in (org.get("district") and f"อำเภอ{org['district']}",
                                 org.get("province") and f"จังหวัด{org['province']}") if t)  # fmt: skip
    if place:
        s.text(place, align="center")
    s.gap(60)
    s.text("สารบัญ", bold=True)
    chapters = [
        f"การวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {context['analysis_year']} "
        + ("(แผ่นงาน “ผลการวิเคราะห์” และ “คะแนนรายข้อ”)" if context.get("analysis") else "(ยังไม่มีผลการประเมินในระบบ)"),
        f"มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. {year} (แผ่นงาน “มาตรการ”)",
        *(f"รายงานผลการดำเนินการตามมาตรการ {r['round']['title']}" for r in context["rounds"]),
        "การพิจารณาอนุมัติและการรับรองรายงาน (แผ่นงาน “บันทึกข้อความ” และ “การรับรองรายงาน”)",
    ]
    for n, chapter in enumerate(chapters, start=1):
        s.text(f"บทที่ {n} {chapter}")


def _signoff_sheet(new, context):
    """การรับรองรายงาน: ผู้รายงาน, ผู้รับรอง and ผู้เห็นชอบ sign the annual report."""
    memo, year = context.get("memo") or {}, context["year"]
    s = new("การรับรองรายงาน", [29, 28, 29])
    s.ws.sheet_view.showGridLines = False
    s.title("การรับรองรายงาน")
    s.gap()
    if not memo:
        s.text(f"แผนมาตรการประจำปีงบประมาณ พ.ศ. {year} ยังไม่ได้เสนอพิจารณา จึงยังไม่มีความเห็นตามลำดับการพิจารณา")
    s.text(f"ขอรับรองว่ารายงานผลการดำเนินการด้านคุณธรรมและความโปร่งใส ประจำปีงบประมาณ พ.ศ. {year} "
           "ฉบับนี้ ถูกต้องตามความเป็นจริง")  # fmt: skip
    s.gap(30)
    signoff_rows(s, context.get("signoff") or {})


def signoff_rows(s, signoff):
    """The document's sign-off block (reports/signoff.py), three signers a row across the
    sheet: (ลงชื่อ), (name), position, date and the role; blank lines where nobody is chosen."""
    signers = signoff.get("signers") or []
    if not signers:
        return
    s.gap(20)
    per = 3
    width = max(1, s.ncols // per)
    for start in range(0, len(signers), per):
        row = signers[start : start + per]
        lines = [
            ["(ลงชื่อ) " + "." * 24 for _ in row],
            [f"({p.get('name') or '.' * 30})" for p in row],
            ["\n".join(filter(None, [p.get("position") or "ตำแหน่ง " + "." * 30, p.get("acting", "")])) for p in row],
            [p.get("date") or "วันที่ " + "." * 24 for p in row],
            [p.get("role") if p.get("role") != p.get("position") else "" for p in row],
        ]
        for n, values in enumerate(lines):
            height = 1
            for i, value in enumerate(values):
                col = 1 + i * width
                height = max(height, s.put(col, value, border=False, align="center", bold=n == 4, span=width))
            s.end_row(height)
        s.gap()


def _words_sheet(new, texts, organisation):
    """ข้อความประกอบ: a document's introduction, summary, limitations and closing, when it has any."""
    if not any((texts.get(k) or "").strip() for k in ("intro", "summary", "limitations", "closing")):
        return
    s = new("ข้อความประกอบ", [16, 16, 16, 16, 16, 16])
    if (texts.get("intro") or "").strip():
        s.heading("บทนำ")
        _words_head(s, texts)
    _words_tail(s, texts, organisation)


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
        _analysis_sheets(new, context["analysis"], org)
    elif kind == "measures":
        _measures_sheet(new, context["plan"], org, year)
        _words_sheet(new, context["plan"].get("texts") or {}, org)
    elif kind == "memo":
        _memo_sheet(new, context["memo"])
    elif kind == "followup":
        _followup_sheet(new, context["round"], context["rows"], org, year, context.get("analysis_year", ""),
                        context.get("groups"))  # fmt: skip
        _words_sheet(new, context.get("texts") or {}, org)
    elif kind == "annual":
        _cover_sheet(new, context)
        _words_sheet(new, context.get("texts") or {}, org)
        if context.get("analysis"):
            _analysis_sheets(new, context["analysis"], org)
        _measures_sheet(new, context["plan"], org, year)
        if context.get("memo"):
            _memo_sheet(new, context["memo"])
        for r in context["rounds"]:
            _followup_sheet(new, r["round"], r["rows"], org, year, context["analysis_year"], r.get("groups"))
        _signoff_sheet(new, context)
    else:
        raise ValueError(f"unknown report kind {kind!r}")
    if kind in ("analysis", "measures", "followup"):  # under the document's first sheet
        signoff_rows(made[0], context.get("signoff") or {})
    wb.properties.title = xml_text(f"{kind} {org['name']} {year}")
    wb.properties.creator = "ITA Portal"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
