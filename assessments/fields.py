"""Form fields that read what Thai offices type."""

from datetime import date

from django import forms

from .thai import DateInputError, format_date_input, parse_be_date


class BEDateField(forms.Field):
    """A Buddhist-Era date typed as text (16/01/2567, ๑๖ ม.ค. ๒๕๖๗, 16 มกราคม 2567).

    A browser's date picker shows Christian-era years, so the field is plain text; a
    Christian-era year is refused with the B.E. it would mean."""

    widget = forms.TextInput(attrs={"placeholder": "วว/ดด/ปปปป (พ.ศ.) เช่น 16/01/2567", "inputmode": "text"})

    MAX_LENGTH = 40

    def prepare_value(self, value):
        return format_date_input(value) if isinstance(value, date) else value

    def to_python(self, value):
        if isinstance(value, date):
            return value
        text = (value or "").strip()
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise forms.ValidationError(f"วันที่ยาวเกิน {self.MAX_LENGTH} ตัวอักษร")
        try:
            return parse_be_date(text)
        except DateInputError as exc:
            raise forms.ValidationError(str(exc)) from None
