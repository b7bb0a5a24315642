"""Editions: a fiscal year may have one framework per scheme (NACC general, OVEC, ...).

Creates Edition, gives organisations a scheme (NACC general), and hangs every existing
year's framework and scores on a new ``nacc`` edition of that year carrying the year's
rules. The next migration drops the rules from FiscalYear and makes the links required.
"""

import uuid
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

SCHEMES = [
    ("nacc", "ITA ทั่วไป (สำนักงาน ป.ป.ช.)"),
    ("ovec", "สถานศึกษาอาชีวศึกษา (สอศ.)"),
    ("obec", "สถานศึกษาขั้นพื้นฐาน (สพฐ.)"),
    ("moit", "หน่วยบริการสาธารณสุข (MOIT)"),
]
RULES = (
    "pass_score",
    "excellent_score",
    "strength_threshold",
    "eit_gap_threshold",
    "result_mode",
    "eit_combination",
    "uncertain",
    "eit_combination_uncertain",
    "weights_uncertain",
    "source",
)


def nacc_edition_of_every_year(apps, schema_editor):
    FiscalYear = apps.get_model("assessments", "FiscalYear")
    Edition = apps.get_model("assessments", "Edition")
    for fy in FiscalYear.objects.all():
        edition = Edition.objects.create(fiscal_year=fy, scheme="nacc", **{name: getattr(fy, name) for name in RULES})
        for name in ("Tool", "Indicator", "Item", "Assessment", "GradeBand"):
            apps.get_model("assessments", name).objects.filter(fiscal_year=fy).update(edition=edition)


def edition_field(related_name, on_delete=django.db.models.deletion.CASCADE):
    return models.ForeignKey(null=True, on_delete=on_delete, related_name=related_name, to="assessments.edition")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_fiscal_year_framework_token")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="scheme",
            field=models.CharField(choices=SCHEMES, default="nacc", max_length=10, verbose_name="ชุดการประเมิน"),
        ),
        migrations.CreateModel(
            name="Edition",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "scheme",
                    models.CharField(choices=SCHEMES, default="nacc", max_length=10, verbose_name="ชุดการประเมิน"),
                ),
                ("name_th", models.CharField(blank=True, max_length=255, verbose_name="ชื่อฉบับ")),
                (
                    "pass_score",
                    models.DecimalField(decimal_places=2, default=Decimal("85"), max_digits=5, verbose_name="เกณฑ์ผ่าน"),
                ),
                (
                    "excellent_score",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("95"), max_digits=5, verbose_name="เกณฑ์ดีเยี่ยม"
                    ),
                ),
                (
                    "strength_threshold",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("85"),
                        max_digits=5,
                        verbose_name="เกณฑ์แบ่งประเด็นที่ต้องพัฒนา/จุดอ่อน",
                    ),
                ),
                (
                    "eit_gap_threshold",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("10"),
                        max_digits=5,
                        verbose_name="ส่วนต่าง EIT Public/Survey ที่ถือว่ามาก",
                    ),
                ),
                (
                    "result_mode",
                    models.CharField(
                        choices=[("grade", "ระดับผลการประเมิน (AA–F)"), ("pass_fail", "ผ่าน / ไม่ผ่าน")],
                        max_length=20,
                        verbose_name="การรายงานผล",
                    ),
                ),
                (
                    "eit_combination",
                    models.CharField(
                        choices=[
                            ("mean_of_indicators", "ค่าเฉลี่ยของตัวชี้วัด"),
                            ("mean_of_parts", "ค่าเฉลี่ยของ EIT Public และ EIT Survey"),
                        ],
                        max_length=30,
                        verbose_name="การรวมคะแนน EIT",
                    ),
                ),
                (
                    "rating_ladder",
                    models.JSONField(blank=True, default=list, verbose_name="ระดับผลการประเมิน (บันไดคะแนน)"),
                ),
                ("status_tiers", models.JSONField(blank=True, default=list, verbose_name="ระดับสถานะของตัวชี้วัด")),
                ("uncertain", models.BooleanField(default=False, verbose_name="ข้อมูลบางส่วนอนุมาน")),
                (
                    "eit_combination_uncertain",
                    models.BooleanField(default=False, verbose_name="การรวม EIT ยังไม่ยืนยัน"),
                ),
                ("weights_uncertain", models.BooleanField(default=False, verbose_name="น้ำหนักยังไม่ยืนยัน")),
                ("source", models.TextField(blank=True, verbose_name="แหล่งที่มา")),
                ("framework_token", models.UUIDField(default=uuid.uuid4, editable=False)),
                (
                    "fiscal_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="editions",
                        to="assessments.fiscalyear",
                    ),
                ),
            ],
            options={
                "verbose_name": "กรอบการประเมิน (ฉบับ)",
                "verbose_name_plural": "กรอบการประเมิน (ฉบับ)",
                "ordering": ["fiscal_year", "scheme"],
                "constraints": [
                    models.UniqueConstraint(fields=("fiscal_year", "scheme"), name="edition_unique_per_scheme")
                ],
            },
        ),
        migrations.AddField(model_name="tool", name="edition", field=edition_field("tools")),
        migrations.AddField(model_name="indicator", name="edition", field=edition_field("indicators")),
        migrations.AddField(model_name="item", name="edition", field=edition_field("items")),
        migrations.AddField(model_name="gradeband", name="edition", field=edition_field("grade_bands")),
        migrations.AddField(
            model_name="assessment",
            name="edition",
            field=edition_field("assessments", django.db.models.deletion.PROTECT),
        ),
        migrations.RunPython(nacc_edition_of_every_year, migrations.RunPython.noop),
    ]
