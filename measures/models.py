"""Plans of measures, their approval chain and decisions, follow-up rounds and evidence.

A plan is one organisation's measures for one fiscal year, drafted from the analysis
of an earlier year. Its state lives on the row; every move is an append-only Decision.
Approval freezes the exact content in a PlanRevision (snapshot + SHA-256).
"""

import os
import re
import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from assessments.models import FiscalYear, IssueArea, Organisation

# --------------------------------------------------------------------------- #
# Reusable lists per organisation
# --------------------------------------------------------------------------- #


class OrgUnit(models.Model):
    """A unit of the organisation (สำนักปลัด, กองคลัง, กองช่าง, …)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    name = models.CharField("ส่วนราชการ", max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "ส่วนราชการ"
        verbose_name_plural = "ส่วนราชการ"
        ordering = ["organisation", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name")]

    def __str__(self):
        return self.name


class Person(models.Model):
    """A named person who can be responsible for measures (with position)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    name = models.CharField("ชื่อ-สกุล", max_length=255)
    position = models.CharField("ตำแหน่ง", max_length=255, blank=True)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")

    class Meta:
        verbose_name = "ผู้รับผิดชอบ"
        verbose_name_plural = "ผู้รับผิดชอบ"
        ordering = ["organisation", "name"]

    def __str__(self):
        return f"{self.name} ({self.position})" if self.position else self.name


# --------------------------------------------------------------------------- #
# Approval chain
# --------------------------------------------------------------------------- #


class ApprovalStep(models.Model):
    """One step of the organisation's approval chain; the last step approves or not."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="approval_steps")
    order = models.PositiveSmallIntegerField("ลำดับ")
    title = models.CharField("ตำแหน่งผู้พิจารณา", max_length=255)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="ผู้มีสิทธิ์พิจารณา", blank=True)

    class Meta:
        verbose_name = "ขั้นตอนการอนุมัติ"
        verbose_name_plural = "ขั้นตอนการอนุมัติ"
        ordering = ["organisation", "order"]
        constraints = [models.UniqueConstraint(fields=["organisation", "order"], name="step_unique_order")]

    def __str__(self):
        return f"{self.order}. {self.title}"


# --------------------------------------------------------------------------- #
# Templates library
# --------------------------------------------------------------------------- #


class MeasureTemplate(models.Model):
    """A measure we wrote for a weak indicator or item; drafts are made from these."""

    class Kind(models.TextChoices):
        IMPROVE = "improve", "ยกระดับคะแนน"
        MAINTAIN = "maintain", "รักษามาตรฐาน"

    key = models.SlugField(max_length=60, unique=True)
    indicator = models.PositiveSmallIntegerField("ตัวชี้วัด")
    # An item template answers the items whose topic it lists, in any year (topics survive
    # renumbering); ``items`` + ``years`` are the 2565/2566 codes it was first written for.
    topics = models.JSONField("หัวข้อของข้อที่เกี่ยวข้อง", default=list, blank=True)
    items = models.JSONField("ข้อที่เกี่ยวข้อง", default=list, blank=True)
    years = models.JSONField("ปีของกรอบ", default=list, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IMPROVE)
    issue_area = models.ForeignKey(IssueArea, on_delete=models.PROTECT)
    title = models.TextField("มาตรการ")
    method = models.TextField("วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ", blank=True)
    steps = models.JSONField("ขั้นตอน", default=list, blank=True)
    responsible_unit = models.CharField("หน่วยรับผิดชอบ", max_length=255, blank=True)
    monitoring = models.TextField("การติดตามประเมินผล", blank=True)
    start_month = models.PositiveSmallIntegerField(default=10)
    end_month = models.PositiveSmallIntegerField(default=9)
    target = models.TextField("เป้าหมาย", blank=True)

    class Meta:
        verbose_name = "แม่แบบมาตรการ"
        verbose_name_plural = "แม่แบบมาตรการ"
        ordering = ["indicator", "key"]

    def __str__(self):
        return f"{self.key}: {self.title[:60]}"


# --------------------------------------------------------------------------- #
# Plans and measures
# --------------------------------------------------------------------------- #


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organisation__in=Organisation.objects.visible_to(user))

    def awaiting_decision_by(self, user):
        """Submitted plans whose current step lists this user."""
        return self.filter(
            state=Plan.State.SUBMITTED,
            organisation__approval_steps__users=user,
            organisation__approval_steps__order=models.F("current_step"),
        ).distinct()

    def published(self):
        return self.filter(publish_permitted=True, approved_revision__isnull=False)


class Plan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "ร่าง"
        SUBMITTED = "submitted", "อยู่ระหว่างพิจารณา"
        RETURNED = "returned", "ส่งกลับแก้ไข"
        APPROVED = "approved", "อนุมัติแล้ว"
        REJECTED = "rejected", "ไม่อนุมัติ"

    class Layout(models.TextChoices):
        """The preset the measures table was chosen from (measures/layouts.py PRESETS);
        CUSTOM: the organisation's own columns, kept in ``table``."""

        ISSUE_AREA = "issue_area", "๖ คอลัมน์ จัดกลุ่มตาม ๗ ประเด็น (แบบ อบจ.อ่างทอง)"
        INDICATOR = "indicator", "๕ คอลัมน์ จัดกลุ่มตามตัวชี้วัด ลำดับต่อเนื่อง (แบบ อบต.บึงกอก)"
        LABELLED = "labelled", "รายการตามประเด็น หัวข้อ (๑)–(๔) (แบบ เทศบาลเมืองบึงกาฬ)"
        INDICATOR_PROJECT = "indicator_project", "ตัวชี้วัด | โครงการ | ผลการวิเคราะห์ | ขั้นตอน | ระยะเวลา | ผู้รับผิดชอบ"
        CUSTOM = "custom", "กำหนดคอลัมน์เอง"

    class Grouping(models.TextChoices):
        ISSUE_AREA = "issue_area", "ประเด็นการประเมิน (๗ ประเด็น)"
        INDICATOR = "indicator", "ตัวชี้วัด"
        NONE = "none", "ไม่จัดกลุ่ม"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="plans")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="plans")
    analysis_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="analysed_plans", verbose_name="ปีผลการประเมินที่ใช้วิเคราะห์"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    submission = models.PositiveIntegerField(default=0)  # rounds of submission of this revision
    current_step = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_revision = models.ForeignKey(
        "PlanRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publish_permitted = models.BooleanField("อนุญาตให้เผยแพร่", default=False)
    layout = models.CharField("รูปแบบตาราง", max_length=20, choices=Layout.choices, default=Layout.ISSUE_AREA)
    # The measures table's columns, headers, grouping and numbering (measures/layouts.py);
    # empty: the preset named by ``layout``. Part of the snapshot: changes only in a draft.
    table = models.JSONField("คอลัมน์ของตารางมาตรการ", default=dict, blank=True)
    # How the follow-up report groups its rows; not part of what is approved.
    followup_group = models.CharField(
        "การจัดกลุ่มรายงานผลการดำเนินการ", max_length=20, choices=Grouping.choices, default=Grouping.ISSUE_AREA
    )
    memo_number = models.CharField("ที่ (เลขที่หนังสือ)", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "แผนมาตรการ"
        verbose_name_plural = "แผนมาตรการ"
        ordering = ["organisation", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "fiscal_year"], name="plan_unique_per_year")]

    def __str__(self):
        return f"มาตรการ {self.organisation} ปี {self.fiscal_year.year}"

    @property
    def is_editable(self):
        """Content can change only while the plan is not waiting for, or frozen by, a decision."""
        return self.state in (self.State.DRAFT, self.State.RETURNED, self.State.REJECTED)


class Measure(models.Model):
    class PeriodKind(models.TextChoices):
        """How the period is written: the month range (what every plan had before), the days,
        or the whole fiscal year."""

        MONTHS = "months", "เป็นเดือน (ต.ค. 68 – ธ.ค. 68)"
        DAYS = "days", "เป็นวัน (16 ม.ค. – 31 มี.ค. 69)"
        YEAR = "year", "ตลอดปีงบประมาณ"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveSmallIntegerField(default=0)
    issue_area = models.ForeignKey(IssueArea, verbose_name="ประเด็น", on_delete=models.PROTECT)
    indicators = models.JSONField("ตัวชี้วัด", default=list, blank=True)  # [1, 4]
    items = models.JSONField("ข้อการประเมิน", default=list, blank=True)  # ["i19", "o34"]
    title = models.TextField("มาตรการ")
    method = models.TextField("วิธีการนำผลวิเคราะห์ไปสู่การปฏิบัติ", blank=True)
    steps = models.JSONField("ขั้นตอนหรือวิธีดำเนินการ", default=list, blank=True)
    units = models.ManyToManyField(OrgUnit, verbose_name="ส่วนราชการที่รับผิดชอบ", blank=True)
    people = models.ManyToManyField(Person, verbose_name="ผู้รับผิดชอบ", blank=True)
    # The order staff gave units and people ("u12", "p3"): the M2M tables keep none, and
    # "๑. สำนักปลัดฯ" must stay the unit the steps call ๑. (``responsible_of``).
    responsible_order = models.JSONField("ลำดับผู้รับผิดชอบ", default=list, blank=True)
    start = models.DateField("เริ่ม")
    end = models.DateField("สิ้นสุด")
    period_kind = models.CharField(
        "ระยะเวลาแสดงเป็น", max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTHS
    )
    monitoring = models.TextField("การติดตามประเมินผล", blank=True)
    budget = models.DecimalField("งบประมาณ (บาท)", max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.TextField("เป้าหมาย/ตัวชี้วัดความสำเร็จ", blank=True)
    template_key = models.CharField(max_length=60, blank=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Raised by every save: an edit based on an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "มาตรการ"
        verbose_name_plural = "มาตรการ"
        ordering = ["plan", "order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="measure_end_after_start")]

    def __str__(self):
        return self.title[:80]

    def responsible_of(self):
        """Units and people in the order staff gave them: [("unit", OrgUnit) | ("person", Person)]."""
        return responsible_in_order(self.units.all(), self.people.all(), self.responsible_order)

    def is_overdue(self, on=None):
        """Past its end date without a 'done' or 'cancelled' status in the latest round."""
        on = on or date.today()
        if self.end >= on:
            return False
        latest = self.followups.order_by("-round__number").first()
        return latest is None or latest.status not in (FollowUpEntry.Status.DONE, FollowUpEntry.Status.CANCELLED)


def responsible_in_order(units, people, order) -> list[tuple[str, "OrgUnit | Person"]]:
    """A measure's units and people in its ``responsible_order`` ("u12", "p3"); any added
    without an order come after, units then people, as given."""
    rows = {f"u{u.pk}": ("unit", u) for u in units}
    rows.update({f"p{p.pk}": ("person", p) for p in people})
    ordered = [rows.pop(key) for key in order or [] if key in rows]
    return ordered + list(rows.values())  # anything added without an order: as before, after


class PlanRevision(models.Model):
    """The exact content approved: a snapshot and its SHA-256, never changed afterwards."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    sha256 = models.CharField(max_length=64)
    # The measures table as signed (also inside newer snapshots); filled for revisions
    # approved before the layout could be chosen (migration 0004).
    layout = models.CharField(max_length=20, choices=Plan.Layout.choices, default=Plan.Layout.ISSUE_AREA)
    approved_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "ฉบับที่อนุมัติ"
        verbose_name_plural = "ฉบับที่อนุมัติ"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="revision_unique_number")]

    def __str__(self):
        return f"{self.plan} ฉบับที่ {self.number}"


class Acting(models.TextChoices):
    """How a signer signs: in their own position, or for the holder of another."""

    NONE = "", "ลงนามในตำแหน่งของตนเอง"
    ACTING = "acting", "รักษาราชการแทน"
    DEPUTISING = "deputising", "ปฏิบัติราชการแทน"


class Decision(models.Model):
    """One move of the approval workflow (append-only): who, which step, opinion, when.

    The signer's name and position are copied from their account and membership at the
    time of the decision, never typed, so the record says who really signed."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", "เสนอ"
        FORWARD = "forward", "เห็นควรเสนอต่อ"
        RETURN = "return", "ส่งกลับแก้ไข"
        APPROVE = "approve", "อนุมัติ"
        REJECT = "reject", "ไม่อนุมัติ"
        REVISE = "revise", "เริ่มฉบับแก้ไข"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")
    revision = models.PositiveIntegerField()
    submission = models.PositiveIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.CharField("ตำแหน่งในสายการอนุมัติ", max_length=255, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField("ชื่อผู้ลงนาม", max_length=255, blank=True)
    signer_position = models.CharField("ตำแหน่งผู้ลงนาม", max_length=255, blank=True)
    # Signing for someone else is an explicit choice, recorded and printed as such.
    acting = models.CharField("การลงนามแทน", max_length=12, choices=Acting.choices, blank=True, default=Acting.NONE)
    acting_for = models.CharField("ลงนามแทนตำแหน่ง", max_length=255, blank=True)
    opinion = models.TextField("ความเห็น", blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "การพิจารณา"
        verbose_name_plural = "การพิจารณา"
        ordering = ["plan", "at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.signer_name}"


class PlanContributor(models.Model):
    """Someone who drafted, edited or submitted a revision of a plan: they may not decide on
    that revision (segregation of duties). Written by every service that changes a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contributors")
    revision = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_action = models.CharField(max_length=50)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ผู้จัดทำหรือแก้ไขแผน"
        verbose_name_plural = "ผู้จัดทำหรือแก้ไขแผน"
        constraints = [models.UniqueConstraint(fields=["plan", "revision", "user"], name="contributor_unique")]

    def __str__(self):
        return f"{self.user} – {self.plan} ฉบับที่ {self.revision}"


# --------------------------------------------------------------------------- #
# Follow-up
# --------------------------------------------------------------------------- #


class FollowUpRound(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField("รอบที่")
    title = models.CharField("ชื่อรอบ", max_length=100)
    due = models.DateField("กำหนดส่ง")
    problems = models.TextField("ปัญหาและอุปสรรค", blank=True)
    suggestions = models.TextField("ข้อเสนอแนะ", blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_after_at = models.DateTimeField(null=True, blank=True)
    # "ส่งรายงานผลรอบนี้": only a reported round is public, printed against the revision
    # that was approved when it was reported.
    reported_at = models.DateTimeField("ส่งรายงานเมื่อ", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_revision = models.ForeignKey(
        PlanRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_rounds"
    )

    class Meta:
        verbose_name = "รอบการติดตาม"
        verbose_name_plural = "รอบการติดตาม"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="round_unique_number")]

    def __str__(self):
        return f"{self.title} ({self.plan})"


class FollowUpEntry(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "ยังไม่ดำเนินการ"
        IN_PROGRESS = "in_progress", "อยู่ระหว่างดำเนินการ"
        DONE = "done", "ดำเนินการแล้วเสร็จ"
        DELAYED = "delayed", "ล่าช้า"
        CANCELLED = "cancelled", "ยกเลิก"

    round = models.ForeignKey(FollowUpRound, on_delete=models.CASCADE, related_name="entries")
    # Deleting a measure in a new revision never touches what was reported for an approved
    # one: the entry (and its evidence) stays, keyed by the measure's snapshot id.
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="followups")
    measure_key = models.PositiveIntegerField("รหัสมาตรการในฉบับที่อนุมัติ", null=True, blank=True)
    measure_title = models.TextField("ชื่อมาตรการเมื่อรายงาน", blank=True)
    status = models.CharField("สถานะ", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(
        "ร้อยละความสำเร็จ", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    done = models.TextField("การดำเนินการ", blank=True)
    problems = models.TextField("ปัญหาอุปสรรค", blank=True)
    suggestions = models.TextField("ข้อเสนอแนะ", blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1)  # optimistic locking, as Measure.version

    class Meta:
        verbose_name = "ผลการดำเนินการรายมาตรการ"
        verbose_name_plural = "ผลการดำเนินการรายมาตรการ"
        constraints = [
            models.UniqueConstraint(fields=["round", "measure"], name="entry_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="entry_percent_max_100"),
        ]

    def __str__(self):
        return f"{self.measure or self.measure_title[:80]} – {self.get_status_display()} {self.percent}%"


def evidence_path(instance, filename):
    """Stored under a random ASCII name with the upload's extension: Django's name cleaning
    would drop Thai vowels and tone marks, so the name people gave the file is kept in
    Evidence.filename and given back on download."""
    entry = instance.entry
    ext = os.path.splitext(filename)[1].lower()
    ext = ext if re.fullmatch(r"\.[a-z0-9]{1,8}", ext) else ""
    return (
        f"evidence/{entry.round.plan.organisation.code}/{entry.round.plan.fiscal_year.year}/"
        f"{secrets.token_hex(12)}{ext}"
    )


class Evidence(models.Model):
    entry = models.ForeignKey(FollowUpEntry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("ไฟล์หลักฐาน", upload_to=evidence_path, blank=True)
    filename = models.CharField("ชื่อไฟล์", max_length=255, blank=True, help_text="ชื่อไฟล์ตามที่ผู้แนบตั้ง")
    url = models.URLField("ลิงก์หลักฐาน", blank=True)
    description = models.CharField("คำอธิบาย", max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "หลักฐาน"
        verbose_name_plural = "หลักฐาน"
        ordering = ["entry", "pk"]

    def __str__(self):
        return self.description or self.url or self.display_name

    @property
    def display_name(self):
        """The file's name as uploaded (Thai marks kept); older rows: the stored name."""
        return self.filename or (self.file.name.rsplit("/", 1)[-1] if self.file else "")


# --------------------------------------------------------------------------- #
# Notifications
# --------------------------------------------------------------------------- #


class Notification(models.Model):
    """An in-app notice, e-mailed once. ``key`` makes each notice unique: never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # only once the mail backend accepted it
    # Handed to the broker after commit (null: it was away; the sweep sends it later).
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # A worker is sending it now (a claim, so two workers never send twice; an old claim
    # of a worker that died before sending is taken over).
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "การแจ้งเตือน"
        verbose_name_plural = "การแจ้งเตือน"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]

    def __str__(self):
        return self.message[:80]
