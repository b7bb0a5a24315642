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
