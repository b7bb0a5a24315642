"""The form of a document's own words (reports.texts)."""

from django import forms

from assessments.forms import TextField

from .models import DocumentText


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
