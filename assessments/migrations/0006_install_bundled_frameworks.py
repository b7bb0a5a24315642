"""Install the bundled framework editions (fixtures/frameworks/*.json) that are not there yet.

After `migrate` on an empty database the known editions are present; a further one is
added by an administrator through the admin's spreadsheet import. An edition already
present (an existing database) is left as it is; this runs after the last migration
that changes the framework's tables, since installing writes every one of them.
"""

from django.db import migrations


def install_bundled(apps, schema_editor):
    from assessments import frameworks

    models = {name: apps.get_model("assessments", name) for name in frameworks.MODEL_NAMES}
    frameworks.install_bundled(models=models)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_editions_required"), ("assessments", "0005_itas_milestones")]

    operations = [migrations.RunPython(install_bundled, migrations.RunPython.noop)]
