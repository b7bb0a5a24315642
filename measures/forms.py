"""Forms for measures, decisions, the approval chain, people and follow-up."""

import re
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from assessments.analysis.model import item_sort_key
from assessments.codes import display_codes, parse_item_codes
from assessments.fields import BEDateField
from assessments.forms import ModelChoiceField, ModelMultipleChoiceField, TextField
from assessments.models import IssueArea
from assessments.thai import InputError, clean_input, normalise_text, to_arabic_digits
from ita_portal.fast_forms import FAST_RENDERER, share_fields

from .models import Acting, Decision, FollowUpEntry, Measure, OrgUnit, Person

MAX_STEPS, MAX_STEP_CHARS = 50, 2_000
MAX_BUDGET = Decimal("999999999999.99")  # the column holds 14 digits, 2 of them decimals


class MeasureForm(forms.Form):
    issue_area = ModelChoiceField(label="ประเด็น", queryset=IssueArea.objects.order_by("number"))
    indicators = TextField(label="ตัวชี้วัด (หมายเลข คั่นด้วยจุลภาค)", required=False, max_length=100)
    items = TextField(label="ข้อการประเมิน (เช่น i7, O18)", required=False, max_length=255)
    title = TextField(
        label="มาตรการ", max_length=2_000, multiline=True, rows=2, error_messages={"required": "กรุณากรอกชื่อมาตรการ"}
    )
    method = TextField(label="วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ", required=False, max_length=10_000, multiline=True)
    steps = TextField(
        label="ขั้นตอนหรือวิธีดำเนินการ (บรรทัดละหนึ่งขั้นตอน; ขึ้นต้นบรรทัดด้วย “๑)” หรือ “-” "
        "เป็นขั้นตอนย่อยของบรรทัดก่อนหน้า)",
        required=False, max_length=20_000, multiline=True, rows=4,
    )  # fmt: skip
    units = ModelMultipleChoiceField(label="ส่วนราชการที่รับผิดชอบ", queryset=OrgUnit.objects.none(), required=False)
    people = ModelMultipleChoiceField(label="ผู้รับผิดชอบ", queryset=Person.objects.none(), required=False)
    responsible_text = TextField(
        label="ลำดับผู้รับผิดชอบที่พิมพ์ในเอกสาร (บรรทัดละหนึ่งชื่อ ตามลำดับ; เว้นว่างได้: ตามลำดับที่เลือก)",
        required=False, max_length=5_000, multiline=True, rows=3,
    )  # fmt: skip
    period_kind = forms.ChoiceField(
        label="ระยะเวลาดำเนินการแสดงเป็น",
        choices=Measure.PeriodKind.choices,
        initial=Measure.PeriodKind.MONTHS,
        required=False,
    )
    start = BEDateField(label="วันเริ่ม (พ.ศ.)", required=False)
    end = BEDateField(label="วันสิ้นสุด (พ.ศ.)", required=False)
    monitoring = TextField(label="การติดตามประเมินผล", required=False, max_length=5_000, multiline=True, rows=2)
    budget = TextField(label="งบประมาณ (บาท)", required=False, max_length=30)
    target = TextField(label="เป้าหมาย/ตัวชี้วัดความสำเร็จ", required=False, max_length=5_000, multiline=True, rows=2)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the version the edit is based on

    def __init__(self, *args, organisation, fiscal_year=None, item_labels=None, **kwargs):
        """``fiscal_year`` gives "ตลอดปีงบประมาณ" its dates; ``item_labels`` (assessments.codes.item_labels
        of the plan's analysis year) are the codes the form accepts and how it shows them."""
        super().__init__(*args, **kwargs)
        self.fiscal_year, self.item_labels = fiscal_year, item_labels or {}
        self.fields["units"].queryset = OrgUnit.objects.filter(organisation=organisation)
        self.fields["people"].queryset = Person.objects.filter(organisation=organisation)

    def clean_title(self):
        title = normalise_text(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError("กรุณากรอกชื่อมาตรการ")
        return title

    def clean_indicators(self):
        raw = to_arabic_digits(self.cleaned_data["indicators"] or "")
        numbers = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not re.fullmatch(r"[0-9]{1,2}", part) or not 1 <= int(part) <= 10:
                raise forms.ValidationError(f"“{part}” ไม่ใช่หมายเลขตัวชี้วัด 1–10")
            numbers.append(int(part))
        return numbers

    def clean_items(self):
        codes, bad = parse_item_codes(self.cleaned_data["items"] or "", self.item_labels)
        if bad:
            example = ", ".join(display_codes(sorted(self.item_labels, key=item_sort_key)[:2], self.item_labels))
            raise forms.ValidationError(
                f"“{', '.join(bad)}” ไม่ใช่รหัสข้อการประเมิน{'ของปีนี้' if self.item_labels else ''} (เช่น {example or 'i7, O18'})"
            )
        return codes

    def clean_period_kind(self):
        return self.cleaned_data["period_kind"] or Measure.PeriodKind.MONTHS

    def clean_steps(self):
        steps = [normalise_text(line) for line in (self.cleaned_data["steps"] or "").splitlines() if line.strip()]
        if len(steps) > MAX_STEPS:
            raise forms.ValidationError(f"ขั้นตอนได้ไม่เกิน {MAX_STEPS} บรรทัด (พิมพ์มา {len(steps)} บรรทัด)")
        for number, step in enumerate(steps, start=1):
            if len(step) > MAX_STEP_CHARS:
                raise forms.ValidationError(f"ขั้นตอนที่ {number} ยาวเกิน {MAX_STEP_CHARS:,} ตัวอักษร ({len(step):,} ตัวอักษร)")
        return steps

    def clean_budget(self):
        raw = to_arabic_digits(self.cleaned_data["budget"] or "").replace(",", "").replace(" ", "")
        raw = raw.removesuffix("บาท")
        if not raw:
            return None
        if raw.startswith("-"):
            raise forms.ValidationError("งบประมาณต้องไม่ติดลบ")
        if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", raw):
            raise forms.ValidationError("งบประมาณต้องเป็นตัวเลขจำนวนบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 25000 หรือ 25,000.50")
        value = Decimal(raw)
        if value > MAX_BUDGET:
            raise forms.ValidationError(f"งบประมาณต้องไม่เกิน {MAX_BUDGET:,.2f} บาท")
        return value

    def clean(self):
        data = super().clean()
        if data.get("period_kind") == Measure.PeriodKind.YEAR and self.fiscal_year is not None:
            data["start"], data["end"] = self.fiscal_year.start, self.fiscal_year.end
        else:
            for name in ("start", "end"):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, "กรุณากรอกวันที่ (พ.ศ.) หรือเลือก “ตลอดปีงบประมาณ”")
            if data.get("start") and data.get("end") and data["end"] < data["start"]:
                self.add_error("end", "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม")
        if "units" in data and "people" in data:
            self._order_responsible(data)
        return data

    def _order_responsible(self, data):
        """Units and people in the order staff gave: the lines of ``responsible_text`` first
        (each must name one chosen), then whatever else was chosen, in the order chosen."""
        units, people = list(data["units"]), list(data["people"])
        by_name = {u.name: f"u{u.pk}" for u in units}
        by_name.update({name: f"p{p.pk}" for p in people for name in (p.name, str(p))})
        order = []
        for line in (data.get("responsible_text") or "").splitlines():
            name = normalise_text(line)
            name = re.sub(r"^(?:[0-9๐-๙]{1,2}[.)]|[-•])\s*", "", name)
            if not name:
                continue
            if name not in by_name:
                self.add_error("responsible_text", f"“{name}” ไม่ได้เลือกไว้ในส่วนราชการหรือผู้รับผิดชอบ")
                return
            if by_name[name] not in order:
                order.append(by_name[name])
        order += [k for k in [f"u{u.pk}" for u in units] + [f"p{p.pk}" for p in people] if k not in order]
        data["responsible_order"] = order
        rank = {key: n for n, key in enumerate(order)}
        data["units"] = sorted(units, key=lambda u: rank[f"u{u.pk}"])
        data["people"] = sorted(people, key=lambda p: rank[f"p{p.pk}"])
        data.pop("responsible_text", None)

    @classmethod
    def initial_from(cls, measure, item_labels=None):
        return {
            "issue_area": measure.issue_area_id,
            "indicators": ", ".join(str(n) for n in measure.indicators),
            "items": ", ".join(display_codes(measure.items, item_labels or {})),
            "title": measure.title,
            "method": measure.method,
            "steps": "\n".join(measure.steps),
            "units": list(measure.units.all()),
            "people": list(measure.people.all()),
            "responsible_text": "\n".join(row.name for _, row in measure.responsible_of()),
            "start": measure.start,
            "end": measure.end,
            "period_kind": measure.period_kind,
            "monitoring": measure.monitoring,
            "budget": "" if measure.budget is None else f"{measure.budget:.2f}",
            "target": measure.target,
            "version": measure.version,
        }


class DecisionForm(forms.Form):
    """One decision. The signer's name and position are not fields: they come from the
    account (measures.services.signer_of). The kinds offered are those the rule allows this
    user now (ita_portal.access.decision_kinds), the same list the buttons show."""

    default_renderer = FAST_RENDERER  # on the plan page: widgets written directly, same bytes

    opinion = TextField(label="ความเห็น", required=False, max_length=5_000, multiline=True)
    acting = forms.ChoiceField(label="การลงนาม", choices=Acting.choices, required=False)
    acting_for = TextField(label="ลงนามแทนตำแหน่ง", required=False, max_length=255)
    permit_publish = forms.BooleanField(label="อนุญาตให้เผยแพร่บนเว็บไซต์ของหน่วยงาน", required=False, initial=True)
    kind = forms.ChoiceField(choices=[], widget=forms.HiddenInput)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Decision.Kind(k).label) for k in kinds]
        self.fields["kind"].error_messages["invalid_choice"] = "ท่านทำรายการนี้ไม่ได้ในขั้นตอนนี้"
        self.fields["acting_for"].widget.attrs["placeholder"] = "เว้นว่างได้: ใช้ตำแหน่งของขั้นตอนนี้"

    def clean(self):
        data = super().clean()
        if data.get("kind") == Decision.Kind.RETURN and not (data.get("opinion") or "").strip():
            self.add_error("opinion", "กรุณาระบุเหตุผลที่ส่งกลับแก้ไข")
        return data


class StepForm(forms.Form):
    """A new step: only the organisation's approvers and executives can be chosen."""

    title = TextField(label="ตำแหน่งผู้พิจารณา", max_length=255)
    users = ModelMultipleChoiceField(label="ผู้มีสิทธิ์พิจารณา", queryset=get_user_model().objects.none())

    def __init__(self, *args, organisation, **kwargs):
        from ita_portal.access import step_holders_eligible

        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = step_holders_eligible(organisation).order_by("first_name", "username")
        self.fields["users"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["users"].help_text = "เลือกได้เฉพาะผู้มีบทบาทผู้พิจารณาหรือผู้บริหารของหน่วยงาน หนึ่งคนอยู่ได้เพียงหนึ่งขั้นตอน"


class UnitForm(forms.ModelForm):
    name = TextField(label="ส่วนราชการ", max_length=255)

    class Meta:
        model = OrgUnit
        fields = ["name"]


class PersonForm(forms.ModelForm):
    name = TextField(label="ชื่อ-สกุล", max_length=255)
    position = TextField(label="ตำแหน่ง", required=False, max_length=255)
    unit = ModelChoiceField(label="ส่วนราชการ", queryset=OrgUnit.objects.none(), required=False)

    class Meta:
        model = Person
        fields = ["name", "position", "unit"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(organisation=organisation)


@share_fields  # never changes its fields per instance
class EntryForm(forms.Form):
    # A round shows one of these per measure (11 fields each): widgets written directly.
    default_renderer = FAST_RENDERER

    status = forms.ChoiceField(label="สถานะ", choices=FollowUpEntry.Status.choices)
    percent = forms.CharField(
        label="ร้อยละ", max_length=5, widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "score-input"})
    )
    done = TextField(label="การดำเนินการ", required=False, max_length=10_000, multiline=True)
    problems = TextField(label="ปัญหาอุปสรรค", required=False, max_length=5_000, multiline=True, rows=2)
    suggestions = TextField(label="ข้อเสนอแนะ", required=False, max_length=5_000, multiline=True, rows=2)
    evidence_file = forms.FileField(label="แนบไฟล์หลักฐาน", required=False, max_length=200)
    evidence_url = forms.URLField(label="หรือลิงก์หลักฐาน", required=False, assume_scheme="https", max_length=200)
    evidence_description = TextField(label="คำอธิบายหลักฐาน", required=False, max_length=255)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)  # 0: no entry yet
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)  # fingerprint of the values shown

    def clean_percent(self):
        raw = to_arabic_digits(self.cleaned_data["percent"]).strip().rstrip("%")
        if not re.fullmatch(r"[0-9]{1,3}", raw) or not 0 <= int(raw) <= 100:
            raise forms.ValidationError("ร้อยละต้องเป็นจำนวนเต็ม 0 ถึง 100")
        return int(raw)

    def clean_evidence_file(self):
        from .services import evidence_problem

        upload = self.cleaned_data.get("evidence_file")
        problem = evidence_problem(upload) if upload else None
        if problem:
            raise forms.ValidationError(problem)
        return upload


class RoundSummaryForm(forms.Form):
    default_renderer = FAST_RENDERER

    problems = TextField(label="ปัญหาและอุปสรรคในภาพรวม", required=False, max_length=10_000, multiline=True)
    suggestions = TextField(label="ข้อเสนอแนะในภาพรวม", required=False, max_length=10_000, multiline=True)
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)  # fingerprint of the values shown


def clean_posted_text(value, *, label, max_length, multiline=True):
    """A free text posted outside a form (the opinion sent with a submission), cleaned like
    every form field; raises ValueError with a Thai message naming the field."""
    try:
        return clean_input(value, max_length=max_length, multiline=multiline)
    except InputError as exc:
        raise ValueError(f"{label}: {exc}") from exc
