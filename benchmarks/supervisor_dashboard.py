"""The supervisor's dashboard over N agencies x 4 years, timed against a bare Django view.

A timing script, not a test. It (re)creates the database named by DATABASE_URL (only one
whose name contains "bench", as load_and_analyse.py), runs ``migrate``, imports a tree of
organisations through ``import_organisations`` with its ``parent`` column (a country body,
one office per province, the agencies under them), then bulk-inserts each agency's result
for 2565-2568 as the summary columns ``import_scores`` leaves behind (total, tools,
indicators, and one Score row), and a 2566 plan at every stage of the cycle with its
follow-up rounds. The dashboard reads nothing else, so that is all it needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/supervisors_bench \\
        .venv/bin/python benchmarks/supervisor_dashboard.py --orgs 8300

It prints, for the country supervisor (every agency below) and a province supervisor: the
dashboard (default, filtered to unpublished and sorted by total, a later page), the Excel
export, and two baselines through the same client: a bare view (login_required,
HttpResponse "ok") and a bare list (the same page of the same agencies, plainly rendered),
with the ratio of each median to both (measured in the same run, under the same load) and
the query count of each request. The dashboard's figures over every agency are cached
(supervision.cache); "cold cache" bumps the dashboards' common generation before each request,
as a write of the tree or a framework does, so it times the page computing everything; "after
a write below" saves a plan of an agency below the supervisor before each request (its
post_save as in the app), "after a write elsewhere" one of an agency outside the province. The
load average is printed before and after.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_and_analyse as base  # noqa: E402 - same folder: its database guard and helpers

YEARS = base.YEARS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=base.FULL_SIZE)
    parser.add_argument("--samples", type=int, default=30, help="requests timed per page (default 30)")
    parser.add_argument("--export-samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--reuse-data", action="store_true", help="skip recreate and load; time the pages only")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--allow-drop", action="store_true", help="drop a database whose name lacks 'bench'")
    return parser.parse_args(argv)


def load(args):
    """The tree through the real organisation import, then results and plans in bulk."""
    from django.utils import timezone

    from assessments import onboarding
    from assessments.models import Assessment, FiscalYear, IssueArea, Organisation, Score
    from measures.models import FollowUpEntry, FollowUpRound, Measure, Plan, PlanRevision

    rng = random.Random(args.seed)
    table = [["code", "name", "type", "province", "district", "parent"], ["bench-country", "ส่วนกลาง", "", "", "", ""]]
    table += [[f"office{n:02d}", f"สถ.จ.{p}", "", p, "", "bench-country"] for n, p in enumerate(base.PROVINCES)]
    for i in range(1, args.orgs + 1):
        n = rng.randrange(len(base.PROVINCES))
        org_type = rng.choice(base.ORG_TYPES)
        table.append(
            [
                f"lao{i:05d}",
                f"{org_type}ตัวอย่าง {i}",
                org_type,
                base.PROVINCES[n],
                rng.choice(base.DISTRICTS),
                f"office{n:02d}",
            ]
        )
    t0 = time.perf_counter()
    onboarding.import_organisations(table)
    org_import_s = time.perf_counter() - t0

    agencies = list(Organisation.objects.filter(code__startswith="lao").order_by("code"))
    years = {fy.year: fy for fy in FiscalYear.objects.filter(year__in=YEARS).prefetch_related("editions")}
    for year in YEARS:
        assessments = []
        for org in agencies:
            indicators = {f"ind{n}": round(rng.uniform(55, 100), 2) for n in range(1, 11)}
            tools = {
                "iit": round(statistics.mean(indicators[f"ind{n}"] for n in range(1, 6)), 2),
                "eit": round(statistics.mean(indicators[f"ind{n}"] for n in range(6, 9)), 2),
                "oit": round(statistics.mean(indicators[f"ind{n}"] for n in (9, 10)), 2),
            }
            total = round(0.3 * tools["iit"] + 0.3 * tools["eit"] + 0.4 * tools["oit"], 2)
            assessments.append(
                Assessment(
                    organisation=org,
                    fiscal_year=years[year],
                    edition=years[year].edition("nacc"),
                    total_score=total,
                    tool_scores=tools,
                    indicator_scores=indicators,
                )
            )
        Assessment.objects.bulk_create(assessments, batch_size=2000)
        Score.objects.bulk_create(
            [Score(assessment=a, level="total", key="total", value=a.total_score) for a in assessments], batch_size=2000
        )
    area = IssueArea.objects.order_by("number").first()
    today = date.today()
    stages = ["none", "draft", "submitted", "approved", "published"]
    plans = []
    for org in agencies:
        stage = rng.choice(stages)
        if stage != "none":
            state = {"draft": "draft", "submitted": "submitted"}.get(stage, "approved")
            plans.append(Plan(organisation=org, fiscal_year=years[2566], analysis_year=years[2565], state=state))
    Plan.objects.bulk_create(plans, batch_size=2000)
    approved = [p for p in plans if p.state == "approved"]
    measures = Measure.objects.bulk_create(
        [
            Measure(plan=p, issue_area=area, title="มาตรการ", start=date(2022, 10, 1), end=date(2023, 9, 30))
            for p in approved
        ],
        batch_size=2000,
    )
    revisions = PlanRevision.objects.bulk_create(
        [
            PlanRevision(plan=p, number=1, snapshot={}, sha256="0" * 64, approved_at=timezone.now())
            for p in approved[::2]
        ],
        batch_size=2000,
    )
    for revision in revisions:
        revision.plan.approved_revision, revision.plan.publish_permitted = revision, True
    Plan.objects.bulk_update([r.plan for r in revisions], ["approved_revision", "publish_permitted"], batch_size=2000)
    rounds = FollowUpRound.objects.bulk_create(
        [
            FollowUpRound(
                plan=p, number=n, title=f"รอบ {6 * n} เดือน", due=today + timedelta(days=(-30 if n == 1 else 150))
            )
            for p in approved
            for n in (1, 2)
        ],
        batch_size=2000,
    )
    by_plan = {m.plan_id: m for m in measures}
    FollowUpEntry.objects.bulk_create(
        [
            FollowUpEntry(round=r, measure=by_plan[r.plan_id], status="done", percent=100)
            for r in rounds
            if r.number == 1 and rng.random() < 0.6
        ],
        batch_size=2000,
    )
    try:  # bulk inserts send no post_save: the dashboard's derived rows, as after any bulk load
        from supervision import status
    except ImportError:  # code from before the derived table (timing main's code)
        return org_import_s
    status.rebuild()
    return org_import_s


def measure(args):
    from django.contrib.auth.decorators import login_required
    from django.core.paginator import Paginator
    from django.http import HttpResponse
    from django.template import engines
    from django.test import Client
    from django.urls import clear_url_caches, path

    from assessments.models import Organisation
    from ita_portal import urls
    from measures.models import Plan
    from supervision import cache as supervision_cache

    @login_required
    def bare(request):
        return HttpResponse("ok")

    listing = engines["django"].from_string(
        "{% for o in page %}<tr><td>{{ o.code }}</td><td>{{ o.name }}</td><td>{{ o.province }}</td></tr>{% endfor %}"
    )

    @login_required
    def bare_list(request, code):
        """The same page of the same agencies, plainly: the organisations below, one page of them."""
        root = Organisation.objects.get(code=code)
        page = Paginator(Organisation.objects.below(root).order_by("code"), 100).get_page(request.GET.get("page"))
        return HttpResponse(listing.render({"page": page}))

    urls.urlpatterns += [path("bench-bare/", bare), path("bench-bare-list/<slug:code>/", bare_list)]
    clear_url_caches()

    country = Organisation.objects.get(code="bench-country")
    office = Organisation.objects.get(code="office06")
    from django.contrib.auth import get_user_model

    existing = {u.username: u for u in get_user_model().objects.filter(username__startswith=base.BENCH_USER_PREFIX)}
    users = {
        o.code: existing.get(f"{base.BENCH_USER_PREFIX}supervisor-{o.code}")
        or base.bench_users([o], "supervisor")[o.code]
        for o in (country, office)
    }
    below = {
        "bench-country": Organisation.objects.below(country).count(),
        "office06": Organisation.objects.below(office).count(),
    }
    rows = []
    for code, user in users.items():
        client = Client()
        client.force_login(user)
        pages = {
            "bare view": "/bench-bare/",
            "bare list of the same agencies (one page)": f"/bench-bare-list/{code}/",
            "dashboard": f"/s/{code}/2565/",
            "dashboard, unpublished by total": f"/s/{code}/2565/?stage=unpublished&sort=-total",
            "dashboard, page 20": f"/s/{code}/2565/?page=20" if below[code] > 2000 else f"/s/{code}/2565/?page=2",
            "dashboard 2568, by rating": f"/s/{code}/2568/?sort=rating",
            # Each request a page not viewed before in this generation: its rows are read (the
            # order of the selection is cached), as a supervisor paging through.
            "dashboard, unpublished by total, a page not yet viewed": f"/s/{code}/2565/?stage=unpublished&sort=-total&page={{n}}",
            "dashboard, cold cache (after a write)": f"/s/{code}/2565/",
            "dashboard, unpublished by total, cold cache": f"/s/{code}/2565/?stage=unpublished&sort=-total",
            # A real write (a plan saved, its post_save as in the app) before each request: of an
            # agency below the supervisor, and of one elsewhere (the province's only).
            "dashboard, after a write below (a plan saved)": f"/s/{code}/2565/",
            "dashboard, after a write elsewhere (a plan saved)": f"/s/{code}/2565/",
            "Excel export (every agency)": f"/s/{code}/2565/export.xlsx",
        }
        # Interleaved: one request of every page per round, so a load spike from elsewhere on
        # the machine falls on all pages alike and the ratios stay comparable.
        if below[code] < 2000:
            del pages["dashboard, unpublished by total, a page not yet viewed"]  # too few pages
        else:
            del pages["dashboard, after a write elsewhere (a plan saved)"]  # nothing is elsewhere
        root = country if code == "bench-country" else office
        plan_below = Plan.objects.filter(organisation__in=Organisation.objects.below(root)).order_by("pk").first()
        plan_elsewhere = Plan.objects.exclude(organisation__in=Organisation.objects.below(root)).order_by("pk").first()
        for url in pages.values():
            for _ in range(3):
                base.timed_get(client, url.format(n=1))  # templates, frameworks, plans warmed
        samples = {label: [] for label in pages}
        # Warm pages first, then the cold ones (each after a bump of the cache's generation, as
        # any write does), each pass interleaved with the bare view.
        for cold_pass in (False, True):
            for n in range(args.samples):
                for label, url in pages.items():
                    cold = "cold" in label or "after a write" in label
                    if cold != cold_pass and label != "bare view":
                        continue
                    if "export" in label and n >= args.export_samples:
                        continue
                    if "after a write below" in label:
                        plan_below.save()
                    elif "after a write elsewhere" in label:
                        plan_elsewhere.save()
                    elif cold:
                        supervision_cache.bump()  # what a write of the tree or a framework does
                    samples[label].append(base.timed_get(client, url.format(n=n + 2)))
        timings = {
            label: (base.summary_ms([s[0] for s in got]), sorted({s[1] for s in got})) for label, got in samples.items()
        }
        bare_median = timings["bare view"][0]["median"]
        list_median = timings["bare list of the same agencies (one page)"][0]["median"]
        for label, (stat, queries) in timings.items():
            rows.append(
                (code, below[code], label, stat, queries, stat["median"] / bare_median, stat["median"] / list_median)
            )
    return rows


def main(argv=None):
    args = parse_args(argv)
    config = base.database_config()
    if not args.reuse_data:
        base.recreate_database(config, allow_sqlite=args.allow_sqlite, allow_drop=args.allow_drop)
    base.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    org_import_s = None
    if not args.reuse_data:
        t0 = time.perf_counter()
        org_import_s = load(args)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    import os

    load_before = os.getloadavg()
    rows = measure(args)
    load_after = os.getloadavg()
    print(f"\n{args.orgs:,} agencies x {len(YEARS)} years, {connection.vendor}")
    print(
        "load average (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in load_after)
        + f"; {os.cpu_count()} cores"
    )
    if org_import_s is not None:
        print(f"organisations imported with their parent column (import_organisations): {org_import_s:.2f} s")
    print("\n| supervisor | agencies below | page | median ms | p95 ms | queries | × bare view | × bare list |")
    print("|---|---:|---|---:|---:|---|---:|---:|")
    for code, n, label, stat, queries, ratio, list_ratio in rows:
        print(
            f"| {code} | {n:,} | {label} | {stat['median']:.1f} | {stat['p95']:.1f} | "
            f"{', '.join(map(str, queries))} | {ratio:.1f} | {list_ratio:.1f} |"
        )


if __name__ == "__main__":
    main()
