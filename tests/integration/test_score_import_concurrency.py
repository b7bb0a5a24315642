"""Two first imports for one agency and year at the same moment: on PostgreSQL the first
sheet's one statement inserts the assessment ON CONFLICT DO NOTHING, so the second waits for
the first's INSERT, finds the assessment and goes the general way (the row locked, its scores
compared). Both sheets are applied, one after the other: one assessment, both logs, a summary
that is what the stored scores give."""

import io
import threading

import pytest
from django.db import connection

from assessments import services
from assessments.models import Assessment, ChangeLog
from tests.factories import fiscal_year

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_first_imports_at_once_are_applied_one_after_the_other(org, bundled_frameworks):
    year = fiscal_year(2565)
    sheets = {"a": "code,score\ni1,80\ni2,70\n", "b": "code,score\ni1,60\ni3,50\n"}
    barrier = threading.Barrier(2)
    errors, counts = [], {}

    def run(name):
        try:
            barrier.wait(timeout=30)
            _, counts[name] = services.import_scores(
                org, fiscal_year=year, fileobj=io.BytesIO(sheets[name].encode()), filename="s.csv", by=None
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in sheets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assessment = Assessment.objects.get(organisation=org, fiscal_year=year)
    stored = {s.key: s.value for s in assessment.scores.all()}
    assert set(stored) == {"i1", "i2", "i3"} and stored["i1"] in (60, 80)
    assert sorted(c["added"] for c in counts.values()) == [1, 2]  # the second added one, changed i1
    assert ChangeLog.objects.filter(organisation=org, action="scores.import").count() == 2
    summary = (assessment.total_score, assessment.tool_scores, assessment.indicator_scores)
    services.refresh_summaries(2565)
    assessment.refresh_from_db()
    assert (assessment.total_score, assessment.tool_scores, assessment.indicator_scores) == summary
