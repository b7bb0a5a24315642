"""A requested report: kind, parameters, state and progress, the file, who and when."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from assessments.models import Organisation


class Report(models.Model):
    class Kind(models.TextChoices):
        ANALYSIS = "analysis", "รายงานการวิเคราะห์ผลการประเมิน"
        MEASURES = "measures", "มาตรการส่งเสริมคุณธรรมและความโปร่งใส"
        MEMO = "memo", "บันทึกข้อความขออนุมัติ"
        FOLLOWUP = "followup", "รายงานผลการดำเนินการตามมาตรการ"
        ANNUAL = "annual", "รายงานประจำปี"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    class State(models.TextChoices):
        QUEUED = "queued", "รอคิว"
        RUNNING = "running", "กำลังสร้าง"
        DONE = "done", "เสร็จแล้ว"
        FAILED = "failed", "ไม่สำเร็จ"
        SUPERSEDED = "superseded", "มีฉบับใหม่กว่าแทนแล้ว"

    # States that hold a build: one such row per (kind, parameters, data hash) at most.
    LIVE_STATES = (State.QUEUED, State.RUNNING, State.DONE)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    round_number = models.PositiveSmallIntegerField(null=True, blank=True)
    fmt = models.CharField(max_length=5, choices=Format.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    source_hash = models.CharField(max_length=64, blank=True)  # of the data it was built from
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Handed to the broker (null: not yet, e.g. the broker was away; the sweep sends it).
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # The build's lease: who builds it and until when, renewed while it runs. A lease
    # past its expiry (a killed worker) is taken over by the next worker or request.
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "รายงาน"
        verbose_name_plural = "รายงาน"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "kind", "year", "fmt"])]
        constraints = [
            # However many requests arrive at once, one build per kind, parameters and data.
            models.UniqueConstraint(
                "organisation",
                "kind",
                "year",
                Coalesce("round_number", Value(0)),
                "fmt",
                "source_hash",
                condition=Q(state__in=["queued", "running", "done"]),
                name="report_one_build_per_data",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} ({self.fmt})"

    @property
    def filename(self):
        suffix = f"-round{self.round_number}" if self.round_number else ""
        return f"ita-{self.kind}-{self.organisation.code}-{self.year}{suffix}.{self.fmt}"


def approved_document_path(instance, filename):
    revision = instance.revision
    return f"approved/{revision.plan.organisation.code}/{revision.plan.fiscal_year.year}/{filename}"


class ApprovedDocument(models.Model):
    """A document of an approved revision, rendered once at approval and never again: the
    file and its SHA-256 are what the verification page answers for."""

    class Kind(models.TextChoices):
        MEMO = "memo", "บันทึกข้อความขออนุมัติ"
        MEASURES = "measures", "มาตรการส่งเสริมคุณธรรมและความโปร่งใส"

    revision = models.ForeignKey("measures.PlanRevision", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=approved_document_path)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    signed = models.BooleanField("ลงลายมือชื่อดิจิทัล", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "เอกสารที่อนุมัติแล้ว"
        verbose_name_plural = "เอกสารที่อนุมัติแล้ว"
        ordering = ["revision", "kind"]
        constraints = [models.UniqueConstraint(fields=["revision", "kind"], name="approved_document_unique_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.revision}"

    @property
    def filename(self):
        plan = self.revision.plan
        return f"ita-{self.kind}-{plan.organisation.code}-{plan.fiscal_year.year}-r{self.revision.number}.pdf"


class DocumentText(models.Model):
    """The agency's own words in one document of one organisation and year: the free-text
    sections (an empty section prints nothing) and, for the analysis, where each
    indicator's analysis prints. No row: the document prints its defaults (texts.py)."""

    class Kind(models.TextChoices):
        ANALYSIS = "analysis", "รายงานการวิเคราะห์ผลการประเมิน"
        MEASURES = "measures", "มาตรการส่งเสริมคุณธรรมและความโปร่งใส"
        FOLLOWUP = "followup", "รายงานผลการดำเนินการตามมาตรการ"
        ANNUAL = "annual", "รายงานประจำปี"

    class Placement(models.TextChoices):
        NARRATIVE = "narrative", "เป็นย่อหน้าคำอธิบายใต้ประเด็นที่ต้องพัฒนาและจุดอ่อน"
        COLUMN = "column", "เป็นคอลัมน์ที่สามของตารางตัวชี้วัด (คะแนน | สถานะ | ผลการวิเคราะห์)"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="document_texts")
    year = models.PositiveSmallIntegerField("ปีงบประมาณ (พ.ศ.)")
    kind = models.CharField("เอกสาร", max_length=20, choices=Kind.choices)
    intro = models.TextField("บทนำ", blank=True)
    limitations = models.TextField("ข้อจำกัด", blank=True)
    summary = models.TextField("สรุป", blank=True)
    closing = models.TextField("ส่วนท้าย", blank=True)
    indicator_analysis = models.CharField(
        "ผลการวิเคราะห์รายตัวชี้วัด", max_length=10, choices=Placement.choices, default=Placement.NARRATIVE
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "ข้อความในเอกสาร"
        verbose_name_plural = "ข้อความในเอกสาร"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "kind"], name="document_text_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"


class PlanMemo(models.Model):
    """What staff wrote in a plan's memo (บันทึกข้อความ) where it differs from the text the
    portal prefills from the data (reports/memo.py). ``texts`` holds only the edited parts
    ({part: text}; a part absent follows the prefilled text, "" prints it empty); ``date`` is
    the chosen date (null: the day the plan was submitted). Part of the plan's snapshot, so an
    approved revision keeps the memo it was approved with."""

    plan = models.OneToOneField("measures.Plan", on_delete=models.CASCADE, related_name="memo")
    texts = models.JSONField("ข้อความที่แก้ไข", default=dict, blank=True)
    date = models.DateField("วันที่", null=True, blank=True)
    # Raised by every save: an edit based on an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "บันทึกข้อความ"
        verbose_name_plural = "บันทึกข้อความ"

    def __str__(self):
        return f"บันทึกข้อความ {self.plan}"


class SignOff(models.Model):
    """Who signs a kind of document of the organisation: the chain's signers (from the
    decision records) or the named roles ผู้รายงาน / ผู้รับรอง / ผู้เห็นชอบ, each a person
    with an account (name and position from the account and membership, never typed)."""

    class Mode(models.TextChoices):
        NONE = "none", "ไม่มีช่องลงนาม"
        CHAIN = "chain", "ผู้ลงนามตามสายการอนุมัติ"
        ROLES = "roles", "ผู้รายงาน / ผู้รับรอง / ผู้เห็นชอบ"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="signoffs")
    kind = models.CharField(max_length=20, choices=Report.Kind.choices)
    mode = models.CharField("ช่องลงนาม", max_length=10, choices=Mode.choices, default=Mode.CHAIN)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="ผู้รายงาน",
    )  # fmt: skip
    certifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="ผู้รับรอง",
    )  # fmt: skip
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="ผู้เห็นชอบ",
    )  # fmt: skip

    class Meta:
        verbose_name = "ช่องลงนามในเอกสาร"
        verbose_name_plural = "ช่องลงนามในเอกสาร"
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="signoff_unique_kind")]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()}: {self.get_mode_display()}"
