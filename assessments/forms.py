"""Forms: score entry per indicator and per summary level, imports, narratives; the fields
every form of the portal shares (free text, choices of rows)."""

import re

from django import forms

from ita_portal.fast_forms import FAST_RENDERER

from .models import Part
from .thai import InputError, ScoreError, clean_input, clip, format_score, parse_score

PART_NAMES = {"": "คะแนน", "public": "EIT Public", "survey": "EIT Survey"}


class TextField(forms.CharField):
    """Free text typed by people, kept the way ``thai.clean_input`` keeps it: control
    characters removed, a NUL refused, and a Thai message past ``max_length``.

    The browser is given no maxlength attribute, so a long paste is never cut silently:
    the whole text comes back with the message and nothing typed is lost."""

    def __init__(self, *, max_length, multiline=False, rows=3, **kwargs):
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)
        self.limit, self.multiline = max_length, multiline

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return clean_input(value, max_length=self.limit, multiline=self.multiline)
        except InputError as exc:
            raise forms.ValidationError(str(exc)) from exc


def _check_ids(values):
    """A posted row id is 1–9 digits: text or a number past any row (10^20) is a Thai form
    error, never a query the database cannot hold."""
    for value in values:
        if not re.fullmatch(r"[0-9]{1,9}", str(value).strip()):
            raise forms.ValidationError(f"“{clip(value, 20)}” ไม่ใช่รายการที่เลือกได้", code="invalid_choice")


class ModelChoiceField(forms.ModelChoiceField):
    """One row chosen by id, the id checked before it reaches the database."""

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, self.queryset.model):
            _check_ids([value])
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows chosen by id, every id checked before it reaches the database."""

    def _check_values(self, value):
        if not isinstance(value, (str, bytes)):
            _check_ids([v for v in value if not isinstance(v, self.queryset.model)])
        return super()._check_values(value)


class ScoreField(forms.CharField):
    """A 0–100 score with at most two decimals; Thai digits accepted; empty allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "score-input", "placeholder": "–"}
        )

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_score(value)
        except ScoreError as exc:
            raise forms.ValidationError(str(exc)) from exc


def field_name(level, key, part=""):
    return f"{level}__{key.replace('.', '_')}__{part or 'x'}"


class ScoresForm(forms.Form):
    """One field per (level, key, part) given in ``slots``: [(level, key, part, label), ...]."""

    def __init__(self, *args, slots, current, thai_digits=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {}
        for level, key, part, label in slots:
            name = field_name(level, key, part)
            initial = current.get((level, key, part))
            self.fields[name] = ScoreField(
                label=label,
                initial=format_score(initial, thai_digits=False) if initial is not None else "",
                show_hidden_initial=True,  # the figure as loaded: only changed figures are saved
            )
            self.fields[name].widget.attrs["aria-label"] = label
            self.slots[name] = (level, key, part)

    def values(self):
        """{(level, key, part): Decimal or None} for every slot of the form."""
        return {slot: self.cleaned_data.get(name) for name, slot in self.slots.items()}

    def edits(self):
        """(values, expected): the figures this person changed, and for each the figure the page
        was opened with (optimistic locking: someone else's change since is not overwritten).
        A field posted without the figure it was opened with is saved as before, unchecked."""
        values, expected = {}, {}
        changed = set(self.changed_data)
        for name, slot in self.slots.items():
            loaded = self.data.get(self.add_initial_prefix(name))
            if loaded is None:
                values[slot] = self.cleaned_data.get(name)
            elif name in changed:
                values[slot] = self.cleaned_data.get(name)
                try:
                    expected[slot] = parse_score(loaded)
                except ScoreError:
                    expected[slot] = None
        return values, expected


class UploadForm(forms.Form):
    file = forms.FileField(label="ไฟล์คะแนน (.csv หรือ .xlsx)")
    sheet = TextField(
        label="ชื่อชีต",
        required=False,
        max_length=100,
        help_text="เว้นว่างเพื่ออ่านชีตที่เปิดอยู่เมื่อบันทึกไฟล์ (ชีตที่ซ่อนไว้จะไม่ถูกอ่าน)",
    )

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("รองรับเฉพาะไฟล์ .csv และ .xlsx")
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"ไฟล์ใหญ่เกินไป ({upload.size:,} ไบต์) ขนาดสูงสุด {self.max_bytes:,} ไบต์")
        return upload


class NarrativeForm(forms.Form):
    text = TextField(
        label="คำอธิบายผลการวิเคราะห์",
        required=False,
        max_length=20_000,
        multiline=True,
        rows=10,
        help_text="ผลการวิเคราะห์ของหน่วยงานสำหรับตัวชี้วัดนี้ พิมพ์ในรายงานการวิเคราะห์เป็นย่อหน้า "
        "หรือเป็นคอลัมน์ผลการวิเคราะห์ของตารางตัวชี้วัด (เลือกได้ที่ข้อความในเอกสาร) "
        "เว้นว่างแล้วบันทึกเพื่อกลับไปใช้ร่างที่ระบบสร้าง",
    )
    # The saved narrative's updated_at as the page was opened ("" for the draft): optimistic locking.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)


class RecommendationForm(forms.Form):
    default_renderer = FAST_RENDERER  # on every analysis page: widgets written directly, same bytes

    tool = forms.ChoiceField(
        label="เครื่องมือ",
        choices=[("", "—"), ("iit", "IIT"), ("eit", "EIT"), ("oit", "OIT")],
        required=False,
    )
    part = forms.ChoiceField(label="ส่วน", choices=Part.choices, required=False)
    item_codes = TextField(label="ข้อที่เกี่ยวข้อง", required=False, max_length=255)
    text = TextField(label="ข้อเสนอแนะของผู้ตรวจประเมิน", max_length=10_000, multiline=True, rows=4)

    def __init__(self, *args, item_labels=None, **kwargs):
        """``item_labels``: the year's codes (assessments.codes.item_labels), kept as it writes them."""
        super().__init__(*args, **kwargs)
        self.item_labels = item_labels or {}

    def clean_item_codes(self):
        from .codes import display_codes, parse_item_codes

        codes, bad = parse_item_codes(self.cleaned_data["item_codes"] or "", self.item_labels)
        if bad:
            raise forms.ValidationError(f"“{', '.join(bad)}” ไม่ใช่รหัสข้อการประเมินของปีนี้")
        return ", ".join(display_codes(codes, self.item_labels))


class ItemAnalysisForm(forms.Form):
    text = TextField(
        label="คำวิเคราะห์รายข้อ",
        required=False,
        max_length=20_000,
        multiline=True,
        rows=8,
        help_text="ข้อเท็จจริงที่พบจากผลคะแนน แล้วมาตรการที่นำไปสู่ (พิมพ์ใต้ข้อนี้ในรายงานการวิเคราะห์) เว้นว่างแล้วบันทึกเพื่อลบ",
    )
    # The saved text's updated_at as the page was opened ("" when none): optimistic locking.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)


class RecommendationEditForm(RecommendationForm):
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)
