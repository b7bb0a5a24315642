"""Time the annual report for an agency with a full year, on one core.

An agency with all 2565 item scores (seed 000), a 2566 plan of 30 measures approved
through four steps, and two follow-up rounds filled for every measure. Reports the
wall time of building + rendering the annual PDF (cold: first in the process;
warm: median of the next runs), peak memory (ru_maxrss), and the ratio of our total
time to WeasyPrint alone rendering the same final HTML.

    .venv/bin/python benchmarks/annual_report.py [--runs 10]

Uses its own SQLite file in /tmp (the data is small; the PDF work dominates).
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    db = Path(tempfile.gettempdir()) / "ita_annual_bench.sqlite3"
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_portal.settings")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()
    os.sched_setaffinity(0, {0})  # one core, as the issue asks

    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("ita_demo", stdout=StringIO())

    from assessments.models import Organisation
    from measures import services as plans
    from measures.models import FollowUpEntry, Plan

    org = Organisation.objects.get(code="demo")
    plan = Plan.objects.get(organisation=org, fiscal_year__year=2566)
    staff = org.memberships.get(role="staff").user
    # 30 measures: the drafted ones plus copies, in a new revision approved again.
    plans.start_revision(plan, by=staff)
    plan.refresh_from_db()
    measures = list(plan.measures.order_by("order"))
    i = 0
    while plan.measures.count() < 30:
        m = measures[i % len(measures)]
        plans.save_measure(plan, by=staff, issue_area=m.issue_area, indicators=m.indicators, items=m.items,
                           title=m.title + " (ต่อเนื่อง)", method=m.method, steps=m.steps, start=m.start, end=m.end,
                           monitoring=m.monitoring)  # fmt: skip
        i += 1
    plans.submit_plan(plan, by=staff)
    for step in plans.chain_of(org):
        plan.refresh_from_db()
        user = step.users.first()
        kind = "approve" if step == plans.chain_of(org)[-1] else "forward"
        plans.record_decision(plan, by=user, kind=kind, opinion="เห็นชอบ", permit_publish=True)
    plan.refresh_from_db()
    rounds = plans.ensure_rounds(plan)
    for r in rounds:
        for m in plan.measures.all():
            plans.record_followup(r, measure=m, by=staff, status=FollowUpEntry.Status.IN_PROGRESS, percent=50,
                                  done="ดำเนินการตามแผน จัดประชุมชี้แจงและเผยแพร่ผลบนเว็บไซต์ของหน่วยงาน")  # fmt: skip

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from reports import builders, pdf

    def ours():
        t = time.perf_counter()
        context = builders.build("annual", org, 2566)
        data = pdf.render_pdf(context)
        return time.perf_counter() - t, data, context

    cold, data, context = ours()
    html = pdf.render_html(context)
    warm, alone, alone_no_gc = [], [], []
    for _ in range(args.runs):  # interleaved, so drift on the machine hits all three alike
        warm.append(ours()[0])
        t = time.perf_counter()
        HTML(string=html).write_pdf(font_config=FontConfiguration())
        alone.append(time.perf_counter() - t)
        t = time.perf_counter()
        with pdf.no_cycle_collection():
            HTML(string=html).write_pdf(font_config=FontConfiguration())
        alone_no_gc.append(time.perf_counter() - t)
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(data)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("measures / rounds", f"{plan.measures.count()} / {len(rounds)}"),
        ("pages", pages),
        ("cold (first in process), s", f"{cold:.2f}"),
        (f"warm median of {args.runs}, s", f"{statistics.median(warm):.2f}"),
        ("WeasyPrint alone on the same HTML, median s", f"{statistics.median(alone):.2f}"),
        ("ratio ours / WeasyPrint alone", f"{statistics.median(warm) / statistics.median(alone):.2f}"),
        ("WeasyPrint alone, cyclic GC paused as ours does, median s", f"{statistics.median(alone_no_gc):.2f}"),
        ("ratio ours / that", f"{statistics.median(warm) / statistics.median(alone_no_gc):.2f}"),
        ("warm p95, s", f"{statistics.quantiles(warm, n=20, method='inclusive')[18]:.2f}"),
        ("peak memory (ru_maxrss), MiB", f"{peak:.0f}"),
    ]
    print("| measure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
