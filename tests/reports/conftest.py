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


@pytest.fixture
def demo_public(demo):
    """The demo with its public documents built, as the worker does after approval and after
    the round was reported (the demo fixture's on-commit tasks never run)."""
    from measures.models import Plan
    from reports.public import build_now

    build_now(Plan.objects.get(organisation=demo, fiscal_year__year=2566))
    return demo
