"""Install the measure-template library on migrate (drafts are made from it)."""

from django.db import migrations


def install(apps, schema_editor):
    from measures.library import load_templates

    load_templates(MeasureTemplate=apps.get_model("measures", "MeasureTemplate"),
                   IssueArea=apps.get_model("assessments", "IssueArea"))  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial"), ("assessments", "0002_bundled_frameworks")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
