"""A supervising body's deadlines for the agencies below it (chasing)."""

from django.conf import settings
from django.db import models

from assessments.models import FiscalYear, Organisation


class Chase(models.Model):
    """A date by which every agency below ``organisation`` must publish its plan of the year,
    or report one of its follow-up rounds; after it, those that have not are reminded once."""

    class Kind(models.TextChoices):
        PUBLISH = "publish", "เผยแพร่มาตรการ"
        REPORT = "report", "รายงานผลการดำเนินงานรอบการติดตาม"

    organisation = models.ForeignKey(
        Organisation, verbose_name="หน่วยงานกำกับดูแล", on_delete=models.CASCADE, related_name="chases"
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name="ปีของแผนมาตรการ", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("เรื่อง", max_length=10, choices=Kind.choices)
    round_number = models.PositiveSmallIntegerField("รอบที่", null=True, blank=True)
    due = models.DateField("ภายในวันที่")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    summary_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "กำหนดส่งของหน่วยงานในกำกับ"
        verbose_name_plural = "กำหนดส่งของหน่วยงานในกำกับ"
        ordering = ["-due", "-pk"]

    def __str__(self):
        what = self.get_kind_display() + (f" รอบที่ {self.round_number}" if self.round_number else "")
        return f"{what} ปี {self.fiscal_year.year} ภายใน {self.due}"


class ChaseReminder(models.Model):
    """One agency reminded of one chase: the row is claimed before the notice is sent."""

    chase = models.ForeignKey(Chase, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chase", "organisation"], name="chase_reminder_unique")]

    def __str__(self):
        return f"{self.chase} – {self.organisation}"


INDICATOR_COLUMNS = [f"ind{n}" for n in range(1, 21)]


class CycleStatus(models.Model):
    """Derived, never edited: one agency's row of the supervisor's dashboard for one assessment
    year — its result of the year and the stage of the plan of the year after — copied from
    Assessment and Plan (and the plan's follow-up rounds) by supervision.status on every write
    of those, so that the counts, the group's means and the page order over thousands of
    agencies read one narrow indexed table. Rebuilt by ``rebuild_cycle_status``.

    Only agencies with a result or a plan have a row (the dashboard joins it to the
    organisations: no row reads as stage "none"). The foreign keys carry no database
    constraint: a cascade deleting an agency's rows first refreshes this row in the middle of
    it; the organisation's own post_delete then removes what is left."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="cycle_statuses"
    )
    # Indexed by (fiscal_year, path) only: beside an index of the year alone PostgreSQL read the
    # whole year's rows and filtered the path (2.4 ms for a province of 611, not 0.4).
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    # The organisation's materialised path, copied (and moved with it: assessments.paths_moved),
    # so a supervisor's subtree reads only its own rows of the year (index below).
    path = models.CharField(max_length=500, default="")
    stage = models.CharField(max_length=10)  # dashboard.STAGES
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    edition = models.ForeignKey(
        "assessments.Edition", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    tool_scores = models.JSONField(default=dict)
    iit = models.FloatField(null=True)
    eit = models.FloatField(null=True)
    oit = models.FloatField(null=True)
    plan = models.ForeignKey(
        "measures.Plan", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # The earliest due date of the plan's rounds not reported yet: the row is late when it lies
    # before today (compared in the query: "today" is never stored).
    unreported_due = models.DateField(null=True)
    ind1 = models.FloatField(null=True)
    ind2 = models.FloatField(null=True)
    ind3 = models.FloatField(null=True)
    ind4 = models.FloatField(null=True)
    ind5 = models.FloatField(null=True)
    ind6 = models.FloatField(null=True)
    ind7 = models.FloatField(null=True)
    ind8 = models.FloatField(null=True)
    ind9 = models.FloatField(null=True)
    ind10 = models.FloatField(null=True)
    ind11 = models.FloatField(null=True)
    ind12 = models.FloatField(null=True)
    ind13 = models.FloatField(null=True)
    ind14 = models.FloatField(null=True)
    ind15 = models.FloatField(null=True)
    ind16 = models.FloatField(null=True)
    ind17 = models.FloatField(null=True)
    ind18 = models.FloatField(null=True)
    ind19 = models.FloatField(null=True)
    ind20 = models.FloatField(null=True)

    class Meta:
        verbose_name = "สถานะรอบการประเมินของหน่วยงาน (คำนวณจากข้อมูลอื่น)"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["organisation", "fiscal_year"], name="cycle_status_unique_per_year")
        ]
        indexes = [
            # "year Y below X": fiscal_year = Y AND path LIKE 'X%' (the pattern opclass: PostgreSQL only)
            models.Index(
                fields=["fiscal_year", "path"],
                name="cycle_status_year_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.fiscal_year_id}: {self.stage}"
