"""What every cell of the workbooks shares: the font, the number and date formats (Thai digits
or not), borders and fills, and the one way a value is written (text never a formula)."""

import re
from datetime import date

from openpyxl.styles import Border, PatternFill, Side

from assessments.thai import BE_OFFSET, MONTHS, MONTHS_SHORT, to_arabic_digits, to_thai_digits

FONT = "TH SarabunPSK"
SIZE = 16
LINE_PT = 24  # one line of TH SarabunPSK 16 pt
PAD_PT = 4
MAX_LINES = 16  # Excel refuses rows taller than 409 pt
PORTRAIT = 86  # column units between 3 cm and 2 cm margins on A4 (landscape: 133)

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
