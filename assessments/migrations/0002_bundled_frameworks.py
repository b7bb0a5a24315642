"""Install the seven issue areas and the bundled frameworks (2565–2568) on migrate.

After `migrate` on an empty database the known frameworks are present; a further
year is added by an administrator through the admin's spreadsheet import.
"""

from django.db import migrations

MODEL_NAMES = (
    "FiscalYear",
    "GradeBand",
    "Tool",
    "ToolPart",
    "Indicator",
    "SubIndicator",
    "Item",
    "IssueArea",
    "Assessment",
)


def install_bundled(apps, schema_editor):
    from assessments import frameworks

    models = {name: apps.get_model("assessments", name) for name in frameworks.MODEL_NAMES}
    frameworks.install_issue_areas(models=models)
    for year in frameworks.bundled_years():
        if not models["FiscalYear"].objects.filter(year=year).exists():
            frameworks.install(frameworks.bundled_payload(year), models=models)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(install_bundled, migrations.RunPython.noop)]
