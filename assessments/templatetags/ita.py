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
