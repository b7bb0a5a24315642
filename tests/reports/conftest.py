import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo agency: 2565/2566 results, an approved 2566 plan, round 1 half filled."""
    settings.MEDIA_ROOT = tmp_path
    from io import StringIO

    call_command("ita_demo", stdout=StringIO())
    from assessments.models import Organisation

    return Organisation.objects.get(code="demo")
