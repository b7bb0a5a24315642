"""Ship the known and the inferred ITAS milestones (fixtures/itas_calendar.json)."""

from django.db import migrations


def install(apps, schema_editor):
    from assessments.itas_calendar import install_calendar

    install_calendar(Milestone=apps.get_model("assessments", "Milestone"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_item_meta")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
