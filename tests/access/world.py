"""A world with real rows for every URL parameter: the demo agency (approved 2566 plan with
follow-up, evidence and a stored report) and a second agency with the same kinds of rows."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ["anonymous", "staff", "approver", "executive", "viewer", "supervisor", "outsider", "admin"]


def build_world():
    """The demo, plus one evidence file and one finished report per agency; returns the ids."""
    from assessments.models import Organisation
    from measures import services as plans
    from measures.models import Evidence, FollowUpEntry, Measure, Plan
    from reports.models import Report
    from tests.factories import record

    call_command("ita_demo", stdout=StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    other = Organisation.objects.get(code="other")
    if not other.assessments.exists():
        record(other, 2566, {("indicator", str(n), ""): "88.50" for n in range(1, 11)})
    ids = {}
    for code in ("demo", "other"):
        org = Organisation.objects.get(code=code)
        plan = Plan.objects.filter(organisation=org, fiscal_year__year=2566).first()
        if plan is None:
            plan = plans.get_or_create_plan(org, fiscal_year=_fy(2566))
        measure = Measure.objects.filter(plan=plan).first() or plans.save_measure(
            plan, by=users["outsider"], issue_area=plans.issue_area(1), indicators=[1], items=[],
            title="มาตรการของหน่วยงานอื่น", start=_fy(2566).start, end=_fy(2566).end,
        )  # fmt: skip
        round_ = plans.ensure_rounds(plan)[0]
        entry, _ = FollowUpEntry.objects.get_or_create(round=round_, measure=measure)
        evidence = Evidence.objects.create(entry=entry, file=ContentFile(b"%PDF-1.4 test", name="e.pdf"), size=13)
        report = Report.objects.create(
            organisation=org, kind="memo", year=2566, fmt="pdf", state=Report.State.DONE,
            file=ContentFile(b"%PDF-1.4 report", name="r.pdf"),
        )  # fmt: skip
        assessment = org.assessments.get(fiscal_year__year=2566)
        recommendation = assessment.recommendations.first() or assessment.recommendations.create(
            tool="iit", text="ข้อเสนอแนะของหน่วยงานอื่น", order=1
        )
        ids[code] = {
            "code": code, "year": 2566, "number": 1, "pk_measure": measure.pk, "pk_evidence": evidence.pk,
            "pk_report": report.pk, "plan": plan.pk, "kind": "memo", "doc": "analysis", "item": "i1",
            "pk_recommendation": recommendation.pk,
            "sha256": plan.approved_revision.sha256 if plan.approved_revision else "0" * 64,
        }  # fmt: skip
        if plan.publish_permitted:  # its public PDFs, as the worker builds them after approval
            from reports.public import build_now

            build_now(plan)
    return users, ids


def _fy(year):
    from assessments.models import FiscalYear

    return FiscalYear.objects.get(year=year)


def url_parameters(pattern) -> list[str]:
    """The names a URL pattern takes: a path's converters or a regex's named groups."""
    return list(getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex)


def url_names(resolver=None, namespace=""):
    """Every named URL pattern of the project (admin and its namespace left out)."""
    resolver = resolver or get_resolver()
    names = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names.update(url_names(pattern, namespace))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names[pattern.name] = pattern
    return names
