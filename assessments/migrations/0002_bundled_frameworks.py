"""Install the seven issue areas on migrate.

The bundled frameworks are installed by the last migration that changes the framework's
tables (0004_install_bundled_frameworks), since installing writes every one of them.
"""

from django.db import migrations


def install_bundled(apps, schema_editor):
    from assessments import frameworks

    frameworks.install_issue_areas(models={"IssueArea": apps.get_model("assessments", "IssueArea")})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(install_bundled, migrations.RunPython.noop)]
