"""Forms: score entry per indicator and per summary level, imports, narratives."""

from django import forms

from .models import Part
from .thai import ScoreError, format_score, parse_score

PART_NAMES = {"": "คะแนน", "public": "EIT Public", "survey": "EIT Survey"}


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
    text = forms.CharField(
        label="คำอธิบายผลการวิเคราะห์",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="เว้นว่างแล้วบันทึกเพื่อกลับไปใช้ร่างที่ระบบสร้าง",
    )
    # The saved narrative's updated_at as the page was opened ("" for the draft): optimistic locking.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)


class RecommendationForm(forms.Form):
    tool = forms.ChoiceField(
        label="เครื่องมือ",
        choices=[("", "—"), ("iit", "IIT"), ("eit", "EIT"), ("oit", "OIT")],
        required=False,
    )
    part = forms.ChoiceField(label="ส่วน", choices=Part.choices, required=False)
    item_codes = forms.CharField(label="ข้อที่เกี่ยวข้อง", required=False, max_length=255)
    text = forms.CharField(label="ข้อเสนอแนะของผู้ตรวจประเมิน", widget=forms.Textarea(attrs={"rows": 4}))
