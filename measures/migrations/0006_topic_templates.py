"""Reload the template library: templates keyed on topics, indicator templates for every year."""

from django.db import migrations


def install(apps, schema_editor):
    from measures.library import load_templates

    load_templates(MeasureTemplate=apps.get_model("measures", "MeasureTemplate"),
                   IssueArea=apps.get_model("assessments", "IssueArea"))  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("measures", "0005_measure_template_topics")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
