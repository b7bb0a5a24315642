"""Presentation filters: scores with two decimals, signed changes, Thai digits."""

from django import template

from assessments.thai import format_score, round2, to_thai_digits

register = template.Library()


@register.filter
def score(value):
    """92.77 (Arabic digits, as ITAS shows them on screen); '–' when missing."""
    return format_score(value, thai_digits=False)


@register.filter
def signed(value):
    """A change with its sign: +1.25 / −0.40; '–' when missing."""
    if value is None:
        return "–"
    value = round2(value)
    if value > 0:
        return f"+{value:.2f}"
    if value < 0:
        return f"−{abs(value):.2f}"
    return "0.00"


@register.filter
def thai(value):
    return to_thai_digits(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def thai_month(day):
    """A month of the fiscal calendar: "ต.ค. 66" (B.E., Arabic digits on screen)."""
    from assessments.thai import MONTHS_SHORT, be_year

    if not day:
        return ""
    return f"{MONTHS_SHORT[day.month - 1]} {be_year(day) % 100:02d}"


@register.filter
def thai_datetime(moment):
    """A B.E. date and local time: "1 ธันวาคม 2569 เวลา 15:44 น."."""
    from assessments.thai import format_datetime

    return format_datetime(moment, thai_digits=False) if moment else ""


@register.filter
def thai_date(day):
    """A B.E. date: "31 มีนาคม 2567"."""
    from datetime import datetime

    from django.utils import timezone

    from assessments.thai import format_date

    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return format_date(day, thai_digits=False) if day else ""


@register.filter
def iso_period(start, end):
    """A snapshot's ISO dates as months of the fiscal calendar: "ต.ค. 65 – ก.ย. 66" (B.E.)."""
    from datetime import date

    from assessments.thai import format_month_range

    if not start or not end:
        return "–"
    return format_month_range(date.fromisoformat(str(start)), date.fromisoformat(str(end)), thai_digits=False)


def _as_date(value):
    from datetime import date

    return value if isinstance(value, date) else date.fromisoformat(str(value))


@register.filter
def measure_period(measure):
    """A measure's (or a snapshot measure's) period as its period kind says: "ต.ค. 68 – ก.ย. 69",
    "16 ม.ค. – 31 มี.ค. 69" or "ตลอดปีงบประมาณ" (B.E., Arabic digits on screen)."""
    from assessments.thai import format_period

    get = measure.get if isinstance(measure, dict) else lambda name, default=None: getattr(measure, name, default)
    if not get("start") or not get("end"):
        return "–"
    return format_period(
        _as_date(get("start")), _as_date(get("end")), get("period_kind") or "months", thai_digits=False
    )


@register.filter
def item_codes(codes, plan):
    """Stored item codes as the plan's analysis year writes them ("E1, O11"); the labels are
    read once per plan object."""
    from assessments.codes import display_codes, item_labels

    if not codes:
        return ""
    labels = getattr(plan, "_item_labels", None)
    if labels is None:
        labels = item_labels(getattr(plan, "analysis_year", None))
        if plan is not None:
            plan._item_labels = labels
    return ", ".join(display_codes(codes, labels))
