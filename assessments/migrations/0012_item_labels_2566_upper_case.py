"""The 2566 framework writes its item codes in capitals (E1, O42: seed 001, the NACC manual's
measures item O42), where 2564–2565 wrote i1/o42. Installed frameworks get the labels the
bundled fixture now has; the canonical codes (lower case) do not change."""

import uuid

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Upper


def forwards(apps, schema_editor):
    Item = apps.get_model("assessments", "Item")
    Item.objects.filter(edition__fiscal_year__year=2566, edition__scheme="nacc").update(label=Upper("code"))
    # A new token: analyses cached under the old framework (assessments/frameworks/cache.py) are not reused.
    for edition in apps.get_model("assessments", "Edition").objects.filter(fiscal_year__year=2566, scheme="nacc"):
        edition.framework_token = uuid.uuid4()
        edition.save(update_fields=["framework_token"])


def backwards(apps, schema_editor):
    Item = apps.get_model("assessments", "Item")
    Item.objects.filter(edition__fiscal_year__year=2566, edition__scheme="nacc").update(label=F("code"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0011_merge_0009_organisation_path_0010_merge_20261201_1930")]
    operations = [migrations.RunPython(forwards, backwards)]
