import json

from django.core.management.base import BaseCommand, CommandError

from assessments.management.commands._common import get_fiscal_year, get_organisation, get_plan_year
from measures import services
from measures.models import Plan


def plan_as_dict(plan):
    """The plan as JSON-ready data (schema in the README)."""
    snapshot = services.plan_snapshot(plan)
    rounds = plan.rounds.prefetch_related("entries__measure").order_by("number")
    revision = plan.approved_revision
    return {
        "organisation": plan.organisation.code,
        "year": plan.fiscal_year.year,
        "analysis_year": plan.analysis_year.year,
        "state": plan.state,
        "revision": plan.revision,
        "publish_permitted": plan.publish_permitted,
        "measures": [
            {
                **{k: v for k, v in m.items() if k not in ("units", "people")},
                "responsible": [  # units and people in the order staff gave them
                    f"{r['name']} ({r['position']})" if r.get("position") else r["name"]
                    for r in m.get("responsible") or [{"name": u} for u in m["units"]] + list(m["people"])
                ],
                "budget": float(m["budget"]) if m["budget"] is not None else None,
            }
            for m in snapshot["measures"]
        ],
        "decisions": [
            {
                "step": d.step,
                "position": d.position,
                "signer_name": d.signer_name,
                "signer_position": d.signer_position,
                "acting": d.acting,
                "acting_for": d.acting_for,
                "opinion": d.opinion,
                "decision": d.kind,
                "revision": d.revision,
                "at": d.at.isoformat(),
            }
            for d in plan.decisions.order_by("at", "pk")
        ],
        "approved_revision": {
            "number": revision.number,
            "hash": revision.sha256,
            "at": revision.approved_at.isoformat(),
        }
        if revision
        else None,
        "rounds": [
            {
                "number": r.number,
                "title": r.title,
                "due": r.due.isoformat(),
                "entries": [
                    {
                        "measure": e.measure.title if e.measure else e.measure_title,
                        "status": e.status,
                        "percent": e.percent,
                        "done": e.done,
                    }
                    for e in sorted(r.entries.all(), key=_entry_order)
                ],
                "problems": r.problems,
                "suggestions": r.suggestions,
            }
            for r in rounds
        ],
    }


class Command(BaseCommand):
    help = "Print a plan as JSON (--json) or draft it from the analysis (--draft)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", required=True, type=int, help="plan year (B.E.)")
        parser.add_argument("--analysis-year", type=int, help="year of the result to draft from (default: year - 1)")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--json", action="store_true")
        group.add_argument("--draft", action="store_true")

    def handle(self, *args, org, year, analysis_year, draft, **options):
        organisation = get_organisation(org)
        fiscal_year = get_plan_year(year)
        if draft:
            source = get_fiscal_year(analysis_year) if analysis_year else None
            try:
                draft = services.draft_plan_from_analysis(
                    organisation, fiscal_year=fiscal_year, analysis_year=source, by=None
                )
            except services.WorkflowError as exc:
                raise CommandError(str(exc)) from None
            plan, added = draft
            self.stdout.write(f"ร่างมาตรการปี {year} จากผลการวิเคราะห์ปี {plan.analysis_year.year}: เพิ่ม {added} มาตรการ")
            if draft.uncovered_text():
                self.stdout.write(draft.uncovered_text())
            return
        plan = Plan.objects.filter(organisation=organisation, fiscal_year=fiscal_year).first()
        if plan is None:
            raise CommandError(f"หน่วยงาน {org} ยังไม่มีแผนมาตรการปี {year}")
        self.stdout.write(json.dumps(plan_as_dict(plan), ensure_ascii=False, indent=2))


def _entry_order(entry):
    """Measures in plan order; entries of deleted measures (kept for the approved revision) last."""
    if entry.measure is None:
        return (1, 0, entry.measure_key or 0)
    return (0, entry.measure.order, entry.measure.pk)
