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
    text = str(text)
    if text.isascii() and text.isprintable() and "  " not in text and text == text.strip():
        return text  # already one clean line (most cells of a sheet): NFC and the folds change nothing
    text = unicodedata.normalize("NFC", text)
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


def format_datetime(moment, *, thai_digits=True):
    """B.E. date and local time: "1 ธันวาคม 2569 เวลา 15:30 น."."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    text = f"{format_date(local.date(), thai_digits=False)} เวลา {local:%H:%M} น."
    return to_thai_digits(text) if thai_digits else text


def format_month_range(start, end, *, thai_digits=True):
    """A period as months of the fiscal calendar: "ต.ค. ๖๖ – ก.ย. ๖๗"; a single month once."""

    def month(day):
        return f"{MONTHS_SHORT[day.month - 1]} {be_year(day) % 100:02d}"

    text = month(start) if (start.year, start.month) == (end.year, end.month) else f"{month(start)} – {month(end)}"
    return to_thai_digits(text) if thai_digits else text


WHOLE_FISCAL_YEAR = "ตลอดปีงบประมาณ"


def format_period(start: date, end: date, kind: str = "months", *, thai_digits: bool = True) -> str:
    """A measure's period as its kind says (Measure.PeriodKind): "ต.ค. ๖๖ – ก.ย. ๖๗"
    (months; one month once: "ก.ย. ๖๙"), "๑๖ ม.ค. – ๓๑ มี.ค. ๖๗" (days; the year written once
    when both days share it, one day once) or "ตลอดปีงบประมาณ"."""
    if kind == "year":
        return WHOLE_FISCAL_YEAR
    if kind == "days":
        if start == end:
            text = format_date(start, thai_digits=False, short=True)
        elif (start.year, start.month) == (end.year, end.month):
            text = f"{start.day}–{format_date(end, thai_digits=False, short=True)}"
        elif start.year == end.year:
            text = f"{start.day} {MONTHS_SHORT[start.month - 1]} – {format_date(end, thai_digits=False, short=True)}"
        else:
            text = f"{format_date(start, thai_digits=False, short=True)} – {format_date(end, thai_digits=False, short=True)}"
        return to_thai_digits(text) if thai_digits else text
    return format_month_range(start, end, thai_digits=thai_digits)


def fiscal_year_bounds(be):
    """Fiscal year N (B.E.) runs 1 October of N-1 to 30 September of N."""
    gregorian = be - BE_OFFSET
    return date(gregorian - 1, 10, 1), date(gregorian, 9, 30)


def fiscal_year_of(day):
    """The B.E. fiscal year a date falls in (1 Oct 2023 -> 2567)."""
    gregorian = day.year + 1 if day.month >= 10 else day.year
    return gregorian + BE_OFFSET


class DateInputError(ValueError):
    """A date people typed that cannot be read; the message is Thai and says why."""


_MONTH_NUMBER = {
    **{name: n for n, name in enumerate(MONTHS, start=1)},
    **{short: n for n, short in enumerate(MONTHS_SHORT, start=1)},
    **{short.replace(".", ""): n for n, short in enumerate(MONTHS_SHORT, start=1)},
}
_NUMERIC_DATE = re.compile(r"^(\d{1,4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})$")
_WORD_DATE = re.compile(r"^(\d{1,2})\s*([ก-๛.]+?)\s*(?:พ\.?ศ\.?)?\s*(\d{2,4})$")
BE_MIN, BE_MAX = 2400, 2700


def _be_to_date(day: int, month: int, year: int, raw: str) -> date:
    if year < 100:  # "16 ม.ค. 67": a two-digit year in Thai documents is B.E. 25xx
        year += 2500
    if year < BE_MIN:
        raise DateInputError(
            f"ปี {year} เป็นปีคริสต์ศักราช (หมายถึง พ.ศ. {year + BE_OFFSET}) กรุณากรอกปีเป็นพุทธศักราช "
            f"เช่น {day}/{month:02d}/{year + BE_OFFSET}"
        )
    if year > BE_MAX:
        raise DateInputError(f"ปี พ.ศ. {year} ไม่อยู่ในช่วงที่ใช้ได้ ({BE_MIN}–{BE_MAX})")
    try:
        return date(year - BE_OFFSET, month, day)
    except ValueError:
        raise DateInputError(f"“{raw}” ไม่ใช่วันที่ที่มีอยู่จริง") from None


def parse_be_date(raw: str) -> date:
    """A date typed the way Thai offices write it, Buddhist Era: "16/01/2567", "16-1-67",
    "๑๖ ม.ค. ๒๕๖๗", "16 มกราคม 2567", "16 มกราคม พ.ศ. 2567". A Christian-era year is refused
    with the B.E. it would mean (a year typed as 2024 is never silently stored as 2024 B.E.)."""
    text = " ".join(to_arabic_digits(unicodedata.normalize("NFC", raw or "")).split())
    if not text:
        raise DateInputError("กรุณากรอกวันที่")
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        a, b, c = (int(g) for g in numeric.groups())
        if len(numeric.group(1)) == 4:  # 2567-01-16 (year first)
            return _be_to_date(c, b, a, raw)
        if not 1 <= b <= 12:
            raise DateInputError(f"“{raw}”: เดือนต้องเป็น 1–12 (รูปแบบ วัน/เดือน/ปี พ.ศ.)")
        return _be_to_date(a, b, c, raw)
    worded = _WORD_DATE.match(text)
    if worded:
        month = _MONTH_NUMBER.get(worded.group(2)) or _MONTH_NUMBER.get(worded.group(2).replace(".", ""))
        if month:
            return _be_to_date(int(worded.group(1)), month, int(worded.group(3)), raw)
    raise DateInputError(f"อ่านวันที่ “{raw}” ไม่ได้ กรุณากรอกแบบ 16/01/2567 หรือ 16 มกราคม 2567 (ปี พ.ศ.)")


def format_date_input(day: date) -> str:
    """How a date is shown back in a date field: "16/01/2567"."""
    return f"{day.day:02d}/{day.month:02d}/{be_year(day)}"
