"""Install the bundled frameworks (fixtures/frameworks/*.json) that are not there yet.

After `migrate` on an empty database the known frameworks are present; a further year is
added by an administrator through the admin's spreadsheet import. A year already present
(an existing database) is left as it is.
"""

from django.db import migrations


def install_bundled(apps, schema_editor):
    from assessments import frameworks

    models = {name: apps.get_model("assessments", name) for name in frameworks.MODEL_NAMES}
    for year in frameworks.bundled_years():
        if not models["FiscalYear"].objects.filter(year=year).exists():
            frameworks.install(frameworks.bundled_payload(year), models=models)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_fiscal_year_framework_token")]

    operations = [migrations.RunPython(install_bundled, migrations.RunPython.noop)]
