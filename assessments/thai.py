"""Thai text helpers: digits, Buddhist-Era dates, fiscal periods, input normalising.

The one place that converts between Thai (๐–๙) and Arabic digits and reads numbers
typed by people, so every form, import and report agrees.
"""

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

MONTHS = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_SHORT = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip

BE_OFFSET = 543
TWO_PLACES = Decimal("0.01")


def to_arabic_digits(text):
    """Replace Thai digits with Arabic ones ("๙๒.๗๗" -> "92.77")."""
    return str(text).translate(_TO_ARABIC)


def to_thai_digits(text):
    """Replace Arabic digits with Thai ones ("92.77" -> "๙๒.๗๗")."""
    return str(text).translate(_TO_THAI)


# C0 controls but tab, line feed and carriage return; DEL; C1 controls; the bidirectional
# overrides and isolates (text that displays in another order than it is stored); the
# XML non-characters U+FFFE/U+FFFF. None of them belongs in a Thai document, and Excel
# files and PDFs cannot carry most of them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def normalise_text(text):
    """One line of text: NFC, control characters removed, non-breaking and zero-width
    spaces folded, runs of white space collapsed."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _CONTROL.sub("", text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " "))
    return re.sub(r"\s+", " ", text).strip()


class InputError(ValueError):
    """Typed text that cannot be accepted; the message is Thai, for the user."""


def clean_input(text, *, max_length, multiline=False):
    """Text typed into a form, the way every form of the portal keeps it.

    NFC; a NUL refused (it is never typed, only sent); other control characters removed;
    line ends made "\\n"; for one line, white space collapsed as ``normalise_text`` does;
    for several lines, trailing spaces and blank lines at both ends trimmed. Raises
    InputError with a Thai message when the result is longer than ``max_length``.
    """
    if text is None:
        return ""
    text = str(text)
    if "\x00" in text:
        raise InputError("มีอักขระ NUL ซึ่งใช้ในข้อความไม่ได้")
    if multiline:
        text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROL.sub("", text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " "))
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n").strip()
    else:
        text = normalise_text(text)
    if len(text) > max_length:
        raise InputError(f"ยาวเกิน {max_length:,} ตัวอักษร (พิมพ์มา {len(text):,} ตัวอักษร)")
    return text


def clip(text, limit=40):
    """A value quoted in a message, cut to ``limit`` characters ("abc…")."""
    text = normalise_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ScoreError(ValueError):
    """A typed score that cannot be accepted; the message is Thai, for the user."""


def parse_score(raw, *, max_places=2, low=Decimal("0"), high=Decimal("100")):
    """Read a score as people type it: Thai or Arabic digits, a decimal point or comma.

    Returns a Decimal, or None for an empty value. Raises ScoreError with a Thai
    message for anything that is not a number from 0 to 100 with at most two decimals.
    """
    if raw is None:
        return None
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        text = format(Decimal(str(raw)), "f") if isinstance(raw, float) else str(raw)
    else:
        text = normalise_text(raw)
    text = to_arabic_digits(text).replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]  # "92 %" is 92: scores are percentages already
    if text == "":
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # 92,77 typed with a decimal comma
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
        raise ScoreError(f"“{clip(raw)}” ไม่ใช่ตัวเลข")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex above guards
        raise ScoreError(f"“{clip(raw)}” ไม่ใช่ตัวเลข") from exc
    if value < low or value > high:
        raise ScoreError(f"คะแนนต้องอยู่ระหว่าง {low} ถึง {high} (ได้ {text})")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > max_places:
        raise ScoreError(f"ทศนิยมได้ไม่เกิน {max_places} ตำแหน่ง (ได้ {text})")
    return value.quantize(TWO_PLACES)


def round2(value):
    """Round half up to two decimals, the way published ITA figures are rounded."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def format_score(value, *, thai_digits=True):
    """A score with two decimals, in Thai digits by default ("๙๒.๗๗"); '–' when missing."""
    if value is None or value == "":
        return "–"
    text = f"{round2(value):.2f}"
    return to_thai_digits(text) if thai_digits else text


def be_year(day):
    """Buddhist-Era year of a date."""
    return day.year + BE_OFFSET


def format_date(day, *, thai_digits=True, short=False):
    """B.E. date: "16 มกราคม 2567" / short "16 ม.ค. 67", in Thai digits by default."""
    if short:
        text = f"{day.day} {MONTHS_SHORT[day.month - 1]} {be_year(day) % 100:02d}"
    else:
        text = f"{day.day} {MONTHS[day.month - 1]} {be_year(day)}"
    return to_thai_digits(text) if thai_digits else text


def format_month_range(start, end, *, thai_digits=True):
    """A period as months of the fiscal calendar: "ต.ค. ๖๖ – ก.ย. ๖๗"."""

    def month(day):
        return f"{MONTHS_SHORT[day.month - 1]} {be_year(day) % 100:02d}"

    text = f"{month(start)} – {month(end)}"
    return to_thai_digits(text) if thai_digits else text


def fiscal_year_bounds(be):
    """Fiscal year N (B.E.) runs 1 October of N-1 to 30 September of N."""
    gregorian = be - BE_OFFSET
    return date(gregorian - 1, 10, 1), date(gregorian, 9, 30)


def fiscal_year_of(day):
    """The B.E. fiscal year a date falls in (1 Oct 2023 -> 2567)."""
    gregorian = day.year + 1 if day.month >= 10 else day.year
    return gregorian + BE_OFFSET
