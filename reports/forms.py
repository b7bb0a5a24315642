"""Forms of the documents' own words (reports.texts), the memo page and the organisation's
document settings."""

from django import forms
from django.contrib.auth import get_user_model

from assessments.fields import BEDateField
from assessments.forms import ModelChoiceField, TextField

from . import memo
from .models import DocumentText, SignOff


class DocumentTextsForm(forms.Form):
    intro = TextField(label="บทนำ", required=False, max_length=20_000, multiline=True, rows=5)
    summary = TextField(label="สรุป", required=False, max_length=20_000, multiline=True, rows=5,
                        help_text="หนึ่งบรรทัดต่อหนึ่งย่อหน้าหรือหนึ่งข้อ")  # fmt: skip
    limitations = TextField(label="ข้อจำกัด", required=False, max_length=20_000, multiline=True, rows=5)
    closing = TextField(label="ส่วนท้าย", required=False, max_length=20_000, multiline=True, rows=3)
    indicator_analysis = forms.ChoiceField(
        label="ผลการวิเคราะห์รายตัวชี้วัดพิมพ์", choices=DocumentText.Placement.choices, widget=forms.RadioSelect
    )
    # The saved texts' updated_at as the page was opened ("" when never saved): optimistic locking.
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != DocumentText.Kind.ANALYSIS:
            del self.fields["indicator_analysis"]
        for name in ("intro", "summary", "limitations", "closing"):
            self.fields[name].help_text = (self.fields[name].help_text + " " if self.fields[name].help_text else "") + (
                "เว้นว่างแล้วบันทึก ส่วนนี้จะไม่พิมพ์ในเอกสาร"
            )


class MemoForm(forms.Form):
    """Every part of the memo, shown with the prefilled text until staff change it."""

    date = BEDateField(label="วันที่ (พ.ศ.)", required=False, help_text="เว้นว่างไว้ = วันที่เสนอแผน")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the version the edit is based on

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parts = {}
        for part in memo.PARTS:
            one_line = part in memo.ONE_LINE
            rows = 3 if part in ("subject", "law") else 5
            parts[part] = TextField(
                label=memo.LABELS[part] + (" (บรรทัดละหนึ่งฉบับ)" if part == "law" else ""),
                required=False, max_length=memo.MAX_LENGTH.get(part, memo.MAX_PARAGRAPHS),
                multiline=not one_line or part == "subject", rows=rows,
            )  # fmt: skip
        date_field = self.fields.pop("date")
        version = self.fields.pop("version")
        ordered = {}
        for part, field in parts.items():
            ordered[part] = field
            if part == "number":
                ordered["date"] = date_field
        ordered["version"] = version
        self.fields = ordered


class DocumentIdentityForm(forms.Form):
    doc_number_prefix = TextField(
        label="รหัสเลขที่หนังสือของส่วนราชการ (ที่ …)", required=False, max_length=60,
        help_text="เช่น นก ๕๒๐๐๑.๒ — บันทึกข้อความพิมพ์เป็น “ที่ นก ๕๒๐๐๑.๒/…”",
    )  # fmt: skip
    emblem = forms.FileField(
        label="ตราหน่วยงาน (PNG หรือ JPEG)", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )  # fmt: skip
    remove_emblem = forms.BooleanField(label="นำตราหน่วยงานออก", required=False)


class SignOffForm(forms.Form):
    mode = forms.ChoiceField(label="ช่องลงนาม", choices=SignOff.Mode.choices)
    reporter = ModelChoiceField(label="ผู้รายงาน", queryset=get_user_model().objects.none(), required=False)
    certifier = ModelChoiceField(label="ผู้รับรอง", queryset=get_user_model().objects.none(), required=False)
    endorser = ModelChoiceField(label="ผู้เห็นชอบ", queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args, organisation, kind, **kwargs):
        super().__init__(*args, **kwargs)
        from .signoff import modes_for

        self.fields["mode"].choices = modes_for(kind)
        people = (
            get_user_model()
            .objects.filter(is_active=True, memberships__organisation=organisation)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        for name in ("reporter", "certifier", "endorser"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username
            self.fields[name].empty_label = "— เว้นว่างไว้ลงนามด้วยมือ —"
