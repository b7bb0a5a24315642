"""The analysis, plan, follow-up round and reports pages as ratios to a bare Django view.

A timing script, not a test. For each database URL given it runs itself as a child process
(one Django process per database), makes sure the database holds the demo data
(``ita_demo``: the demo agency's 2565 scores, its 2566 plan and follow-up rounds), then
times, through ``django.test.Client`` in that process (the full middleware and template
stack, no network, no WSGI server), as the demo agency's staff member:

- a bare view: ``login_required``, ``HttpResponse("ok")``, on the same URLconf, middleware
  and database (the baseline);
- the analysis page, the plan page, the follow-up round page, the reports page and a
  report's status page.

It prints one table: median and p95 ms, query count, HTML size and the ratio of each median
to the bare view's median, for every database, with the load average beside it.

    # demo volume and 8,300 agencies x 4 years on PostgreSQL, in one run
    .venv/bin/python benchmarks/pages.py \\
        postgres://postgres@127.0.0.1:5432/ita_demo_bench \\
        postgres://postgres@127.0.0.1:5432/ita_bench

A database that lacks the demo agency gets ``ita_demo`` (so ``load_and_analyse.py``'s
8,300-agency database can be reused: run it first). ``--fresh`` drops and recreates a
database whose name contains ``bench`` first (the demo volume). Nothing else is written
apart from one benchmark user and, if none exists, one report row shown as building for the status page.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_and_analyse as base  # noqa: E402 - same folder: its database guard and helpers

PAGES = [
    ("bare view", "/bench-bare/"),
    ("analysis", "/o/demo/2565/analysis/"),
    ("plan", "/o/demo/plans/2566/"),
    ("follow-up round", "/o/demo/plans/2566/rounds/1/"),
    ("reports", "/o/demo/reports/2566/"),
    ("report status", None),  # filled in: the newest report file of the demo agency
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="*", help="database URLs (default: DATABASE_URL)")
    parser.add_argument("--samples", type=int, default=40, help="timed requests per page (median of N)")
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate each database (name must contain 'bench')"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", metavar="PAGE", help="print a pyinstrument profile of one page (e.g. analysis)")
    return parser.parse_args(argv)


def child(args):
    config = base.database_config()
    if args.fresh:
        base.recreate_database(config, allow_sqlite=True, allow_drop=False)
    base.setup_django()
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import clear_url_caches, path

    from assessments.models import Membership, Organisation
    from ita_portal import urls

    call_command("migrate", verbosity=0)
    if not Organisation.objects.filter(code="demo").exists():
        call_command("ita_demo", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    @login_required
    def bare(request):
        return HttpResponse("ok")

    urls.urlpatterns += [path("bench-bare/", bare)]
    clear_url_caches()

    from datetime import timedelta

    from django.utils import timezone

    from reports.models import Report

    demo = Organisation.objects.get(code="demo")
    # A build in progress (the page a requester watches), leased far ahead so nothing resumes it.
    report = Report.objects.filter(organisation=demo, kind="measures", source_hash="bench").first()
    report = report or Report.objects.create(
        organisation=demo, kind="measures", year=2566, fmt="pdf", state="running", progress=40,
        source_hash="bench", handed_over_at=timezone.now(), lease_owner="bench",
        lease_expires_at=timezone.now() + timedelta(days=3650),
    )  # fmt: skip
    user = Membership.objects.filter(organisation=demo, role="staff").select_related("user").first().user
    client = Client()
    client.force_login(user)
    pages = [(label, url or (f"/o/demo/reports/file/{report.pk}/" if report else None)) for label, url in PAGES]
    pages = [(label, url) for label, url in pages if url]

    if args.profile:
        from pyinstrument import Profiler

        url = dict(pages)[args.profile]
        for _ in range(3):
            base.timed_get(client, url)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.samples):
            client.get(url)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return

    for _ in range(3):  # warm up: templates, frameworks
        for _label, url in pages:
            base.timed_get(client, url)
    samples = {label: [] for label, _ in pages}
    for _ in range(args.samples):  # interleaved, so drift on the machine hits every page alike
        for label, url in pages:
            samples[label].append(base.timed_get(client, url))
    orgs = Organisation.objects.count()
    out = {"vendor": connection.vendor, "organisations": orgs, "pages": []}
    bare_median = statistics.median(s[0] for s in samples["bare view"])
    for label, url in pages:
        times = [s[0] for s in samples[label]]
        stat = base.summary_ms(times)
        out["pages"].append({
            "label": label, "url": url, "median": stat["median"], "p95": stat["p95"],
            "queries": sorted({s[1] for s in samples[label]}),
            "kb": statistics.median(s[2] for s in samples[label]) / 1024,
            "ratio": statistics.median(times) / bare_median,
        })  # fmt: skip
    print("JSON " + json.dumps(out))


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return child(args)
    urls = args.urls or [os.environ.get("DATABASE_URL", "")]
    if not all(urls):
        sys.exit("give database URLs (or DATABASE_URL)")
    load = [os.getloadavg()[0]]
    results = []
    for url in urls:
        env = {**os.environ, "DATABASE_URL": url}
        env.pop("REDIS_URL", None)  # report requests are queued as rows; nothing is built here
        cmd = [sys.executable, __file__, "--child", "--samples", str(args.samples)]
        cmd += ["--fresh"] if args.fresh else []
        cmd += ["--profile", args.profile] if args.profile else []
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            sys.exit(f"{url}: failed")
        if args.profile:
            print(proc.stdout)
            continue
        line = next(x for x in proc.stdout.splitlines() if x.startswith("JSON "))
        results.append((url, json.loads(line[5:]), time.perf_counter() - t0))
        load.append(os.getloadavg()[0])
    if args.profile:
        return 0
    print(f"Django test client in process, median of {args.samples} interleaved requests per page;"
          f" load average (1 min) {' → '.join(f'{x:.2f}' for x in load)} on {os.cpu_count()} cores\n")  # fmt: skip
    print("| database | organisations | page | median ms | p95 ms | queries | KiB | × bare view |")
    print("|---|---:|---|---:|---:|---|---:|---:|")
    for url, out, _elapsed in results:
        name = url.rsplit("/", 1)[-1]
        for p in out["pages"]:
            print(
                f"| {out['vendor']} {name} | {out['organisations']:,} | {p['label']} | {p['median']:.1f} | "
                f"{p['p95']:.1f} | {', '.join(map(str, p['queries']))} | {p['kb']:.0f} | {p['ratio']:.1f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
