"""Give the bundled years' items their role, topic and evidence guidance (fixtures/item_meta/)."""

from django.db import migrations


def apply_meta(apps, schema_editor):
    from assessments.item_meta import apply_all_item_meta

    apply_all_item_meta(FiscalYear=apps.get_model("assessments", "FiscalYear"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_itas_milestones"), ("assessments", "0006_install_bundled_frameworks")]

    operations = [migrations.RunPython(apply_meta, migrations.RunPython.noop)]
