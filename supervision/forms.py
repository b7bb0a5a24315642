from django import forms

from assessments.fields import BEDateField

from .models import Chase


class ChaseForm(forms.Form):
    kind = forms.ChoiceField(label="เรื่อง", choices=Chase.Kind.choices)
    round_number = forms.IntegerField(label="รอบที่ (เมื่อเป็นการรายงานผล)", required=False, min_value=1, max_value=12)
    due = BEDateField(label="ภายในวันที่ (พ.ศ.)")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Chase.Kind.REPORT and not data.get("round_number"):
            self.add_error("round_number", "กรุณาระบุรอบที่ต้องรายงาน")
        if data.get("kind") == Chase.Kind.PUBLISH:
            data["round_number"] = None
        return data
