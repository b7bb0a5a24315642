# Editions, second half: the rules leave FiscalYear, every framework row and assessment needs its edition.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_editions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="fiscalyear",
            options={"ordering": ["year"], "verbose_name": "ปีงบประมาณ", "verbose_name_plural": "ปีงบประมาณ"},
        ),
        migrations.AlterModelOptions(
            name="gradeband",
            options={
                "ordering": ["edition", "-min_score"],
                "verbose_name": "ระดับผลการประเมิน",
                "verbose_name_plural": "ระดับผลการประเมิน",
            },
        ),
        migrations.RemoveConstraint(
            model_name="gradeband",
            name="grade_unique_per_year",
        ),
        migrations.RemoveConstraint(
            model_name="indicator",
            name="indicator_unique_per_year",
        ),
        migrations.RemoveConstraint(
            model_name="item",
            name="item_unique_per_year",
        ),
        migrations.RemoveConstraint(
            model_name="tool",
            name="tool_unique_per_year",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="eit_combination",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="eit_combination_uncertain",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="eit_gap_threshold",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="excellent_score",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="framework_token",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="pass_score",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="result_mode",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="source",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="strength_threshold",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="uncertain",
        ),
        migrations.RemoveField(
            model_name="fiscalyear",
            name="weights_uncertain",
        ),
        migrations.RemoveField(
            model_name="gradeband",
            name="fiscal_year",
        ),
        migrations.AddField(
            model_name="organisation",
            name="status_tiers",
            field=models.JSONField(blank=True, default=list, verbose_name="ชื่อและเกณฑ์ระดับสถานะของหน่วยงาน"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="edition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="assessments", to="assessments.edition"
            ),
        ),
        migrations.AlterField(
            model_name="gradeband",
            name="edition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="grade_bands", to="assessments.edition"
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="edition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="indicators", to="assessments.edition"
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="edition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="items", to="assessments.edition"
            ),
        ),
        migrations.AlterField(
            model_name="tool",
            name="edition",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="tools", to="assessments.edition"
            ),
        ),
        migrations.AddConstraint(
            model_name="gradeband",
            constraint=models.UniqueConstraint(fields=("edition", "grade"), name="grade_unique_per_edition"),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(fields=("edition", "number"), name="indicator_unique_per_edition"),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(fields=("edition", "code"), name="item_unique_per_edition"),
        ),
        migrations.AddConstraint(
            model_name="tool",
            constraint=models.UniqueConstraint(fields=("edition", "code"), name="tool_unique_per_edition"),
        ),
    ]
