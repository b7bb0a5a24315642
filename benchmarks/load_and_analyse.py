"""Load N organisations x 4 fiscal years of item scores, then time the pages that read them.

A timing script, not a test. It (re)creates the database named by DATABASE_URL, runs
``migrate`` (which installs the 2565-2568 frameworks), imports the organisations and
one score sheet per organisation and year through the real code paths
(``services.import_organisations`` and ``services.import_scores``), then measures the
analysis page, the ``ita_analysis --json`` command and a supervisor's home page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ita_bench \
        .venv/bin/python benchmarks/load_and_analyse.py --orgs 8300 --samples 200

The results are printed as a Markdown table and written to benchmarks/results/latest.md.
See benchmarks/README.md for what each figure means.
"""

import argparse
import csv
import io
import math
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.md"
YEARS = (2565, 2566, 2567, 2568)
FULL_SIZE = 8300
BENCH_USER_PREFIX = "bench-"

ORG_TYPES = ["องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง", "องค์การบริหารส่วนจังหวัด", "เทศบาลนคร"]
PROVINCES = [
    "เชียงใหม่", "ขอนแก่น", "นครราชสีมา", "อุบลราชธานี", "สงขลา", "ชลบุรี", "พิษณุโลก",
    "สุราษฎร์ธานี", "อุดรธานี", "นครศรีธรรมราช", "ลำปาง", "บุรีรัมย์", "ร้อยเอ็ด", "เพชรบูรณ์",
]  # fmt: skip
DISTRICTS = ["เมือง", "บ้านไผ่", "สันทราย", "หาดใหญ่", "ศรีราชา", "ปากช่อง", "วารินชำราบ", "กระนวน"]


# --------------------------------------------------------------------------- #
# Arguments and database (before Django is set up)
# --------------------------------------------------------------------------- #


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=FULL_SIZE, help="organisations to create (default 8300)")
    parser.add_argument("--samples", type=int, default=200, help="analysis page requests to time (default 200)")
    parser.add_argument("--home-samples", type=int, default=50, help="supervisor home page requests per variant")
    parser.add_argument("--cli-samples", type=int, default=20, help="in-process ita_analysis --json calls")
    parser.add_argument("--cli-process-samples", type=int, default=3, help="ita_analysis runs as a new process")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="import processes (default 1: a real deployment imports one sheet at a time, "
        "so only the single-process figure is the honest one)",
    )
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--reuse-data", action="store_true", help="skip recreate/import; time the pages only")
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite (not representative)")
    parser.add_argument(
        "--allow-drop",
        action="store_true",
        help="allow dropping a database whose name does not contain 'bench'",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def database_config():
    import dj_database_url

    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/ita_bench); it is dropped!")
    return dj_database_url.parse(url)


def recreate_database(config, *, allow_sqlite, allow_drop):
    """Drop and create the one database DATABASE_URL names (guarded: name must contain 'bench')."""
    engine, name = config["ENGINE"], str(config["NAME"])
    if "bench" not in Path(name).name and not allow_drop:
        sys.exit(f"Refusing to drop database {name!r}: its name lacks 'bench' (pass --allow-drop if you mean it).")
    if engine.endswith("sqlite3"):
        if not allow_sqlite:
            sys.exit("Refusing to run on SQLite (pass --allow-sqlite; the numbers will not represent production).")
        Path(name).unlink(missing_ok=True)
        return
    if not engine.endswith("postgresql"):
        sys.exit(f"Unsupported database engine {engine}")
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ita_portal.settings")
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
    if "testserver" not in hosts:  # django.test.Client sends Host: testserver
        hosts.append("testserver")
    os.environ["ALLOWED_HOSTS"] = ",".join(hosts)
    import django

    django.setup()
    # Import every view now: the app may be edited while a long import runs, and models
    # loaded at start must not meet views loaded half an hour later.
    import importlib

    from django.conf import settings

    importlib.import_module(settings.ROOT_URLCONF)


# --------------------------------------------------------------------------- #
# Statistics and generated data
# --------------------------------------------------------------------------- #


def percentile(values, p):
    """Nearest-rank percentile (p in 0-100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary_ms(seconds):
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median": statistics.median(ms), "p95": percentile(ms, 95), "max": max(ms)}


def organisation_table(n, rng):
    """Rows code,name,type,province,district as an office's spreadsheet would have them."""
    table = [["code", "name", "type", "province", "district"]]
    for i in range(1, n + 1):
        org_type = rng.choice(ORG_TYPES)
        table.append([f"lao{i:05d}", f"{org_type}ตัวอย่าง {i}", org_type, rng.choice(PROVINCES), rng.choice(DISTRICTS)])
    return table


def sheet_plan(framework):
    """What a year's sheet contains: [(code as published, part, kind)], kind item-score/oit/indicator."""
    tool_of = {i.number: i.tool for i in framework.indicators}
    parts = {t.code: [p for p, _ in t.parts] for t in framework.tools}
    plan = []
    for item in framework.items:
        tool = tool_of[item.indicator]
        if tool == "oit":
            plan.append((item.label, "", "oit"))
        else:
            # From 2566 every EIT item is scored per part (EIT Public, EIT Survey).
            plan.extend((item.label, part, "score") for part in parts[tool] or [""])
    with_items = {i.indicator for i in framework.items}
    # 2567/2568 publish few items: the indicator's own figure makes the total computable.
    plan.extend((f"ind{ind.number}", "", "score") for ind in framework.indicators if ind.number not in with_items)
    return plan


def sheet_csv(plan, rng):
    """CSV bytes code,score,part: IIT/EIT 60-100 with two decimals, OIT 0 or 100 (about 85% 100)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "score", "part"])
    for code, part, kind in plan:
        value = ("100" if rng.random() < 0.85 else "0") if kind == "oit" else f"{rng.uniform(60, 100):.2f}"
        writer.writerow([code, value, part])
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- #
# Import
# --------------------------------------------------------------------------- #


def import_chunk(org_ids, years, seed, count_queries_for):
    """Import one sheet per organisation and year; returns per-sheet timings (and query counts).

    Runs in the main process, or in a forked worker with --workers > 1.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments import services
    from assessments.frameworks import framework_for
    from assessments.models import FiscalYear, Organisation

    orgs = list(Organisation.objects.filter(pk__in=org_ids).order_by("code"))
    fiscal_years = list(FiscalYear.objects.filter(year__in=years).order_by("year"))
    plans = {fy.year: sheet_plan(framework_for(fy)) for fy in fiscal_years}
    timings = {fy.year: [] for fy in fiscal_years}
    queries = {}
    total = len(orgs) * len(fiscal_years)
    done, started, last_report = 0, time.perf_counter(), time.perf_counter()
    # Year by year, as the results are published: every organisation's 2565 sheet, then 2566...
    for fy in fiscal_years:
        plan = plans[fy.year]
        for org in orgs:
            rng = random.Random(f"{seed}-{org.code}-{fy.year}")
            data = sheet_csv(plan, rng)
            capture = org.pk == count_queries_for
            ctx = CaptureQueriesContext(connection) if capture else None
            if ctx is not None:
                ctx.__enter__()
            t0 = time.perf_counter()
            services.import_scores(org, fiscal_year=fy, fileobj=io.BytesIO(data), filename="x.csv", by=None)
            timings[fy.year].append(time.perf_counter() - t0)
            if ctx is not None:
                ctx.__exit__(None, None, None)
                queries[fy.year] = len(ctx.captured_queries)
            done += 1
            now = time.perf_counter()
            if now - last_report > 30:
                rate = done / (now - started)
                eta = (total - done) / rate
                print(
                    f"  [{os.getpid()}] {done}/{total} sheets, {rate:.1f}/s, ~{eta / 60:.1f} min left", file=sys.stderr
                )
                last_report = now
    return timings, queries, {y: len(p) for y, p in plans.items()}


def run_import(args, results):
    from django.db import connections

    from assessments import services
    from assessments.models import Organisation, Score

    rng = random.Random(args.seed)
    table = organisation_table(args.orgs, rng)
    t0 = time.perf_counter()
    services.import_organisations(table, by=None)
    results["org_import_s"] = time.perf_counter() - t0
    org_ids = list(Organisation.objects.order_by("code").values_list("pk", flat=True))
    first = org_ids[0]

    print(f"Importing {len(org_ids) * len(YEARS)} score sheets with {args.workers} process(es)...", file=sys.stderr)
    wall0 = time.perf_counter()
    if args.workers <= 1:
        parts = [import_chunk(org_ids, YEARS, args.seed, first)]
    else:
        # Each forked worker opens its own connection; close ours so none is shared.
        connections.close_all()
        chunks = [org_ids[i :: args.workers] for i in range(args.workers)]
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            parts = pool.starmap(import_chunk, [(chunk, YEARS, args.seed, first) for chunk in chunks])
    results["import_wall_s"] = time.perf_counter() - wall0

    timings = {y: [t for part in parts for t in part[0][y]] for y in YEARS}
    results["sheet_queries"] = {y: q for part in parts for y, q in part[1].items()}
    results["rows_per_sheet"] = parts[0][2]
    results["sheets"] = sum(len(t) for t in timings.values())
    results["rows"] = sum(results["rows_per_sheet"][y] * len(timings[y]) for y in YEARS)
    results["score_rows"] = Score.objects.count()
    results["sheet_all"] = summary_ms([t for ts in timings.values() for t in ts])
    results["sheet_by_year"] = {y: summary_ms(timings[y]) for y in YEARS}
    results["import_busy_s"] = sum(t for ts in timings.values() for t in ts)


def analyse_tables(results):
    """VACUUM ANALYZE after the bulk load, as autovacuum would do soon after in production."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    results["vacuum_s"] = time.perf_counter() - t0


# --------------------------------------------------------------------------- #
# Latency
# --------------------------------------------------------------------------- #


def timed_get(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - t0
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed, len(ctx.captured_queries), len(body)


def bench_users(orgs, role):
    """One user per organisation holding ``role`` there (no password: logged in with force_login)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from assessments.models import Membership

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{BENCH_USER_PREFIX}{role}-{o.code}", password=make_password(None)) for o in orgs]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o, role=role) for u, o in zip(users, orgs, strict=True)]
    )
    return dict(zip([o.code for o in orgs], users, strict=True))


def pick_assessments(n, rng):
    """n random assessments (organisation and year), with repeats, as users would open them."""
    from assessments.models import Assessment

    # Every assessment the import created has scores (and so a computed total).
    assessments = list(
        Assessment.objects.exclude(total_score=None).select_related("organisation", "fiscal_year").order_by("pk")
    )
    return [rng.choice(assessments) for _ in range(n)]


def measure_analysis_page(args, results, picks):
    """GET /o/<code>/<year>/analysis/ as that organisation's staff, for random (org, year) pairs."""
    from django.test import Client

    orgs = list({a.organisation.code: a.organisation for a in picks}.values())
    users = bench_users(orgs, "staff")
    clients = {}
    for code, user in users.items():
        clients[code] = Client()
        clients[code].force_login(user)
    samples = []
    for n, a in enumerate(picks):
        url = f"/o/{a.organisation.code}/{a.fiscal_year.year}/analysis/"
        elapsed, queries, size = timed_get(clients[a.organisation.code], url)
        if n >= 5:  # the first requests compile templates and warm caches
            samples.append((a.fiscal_year.year, elapsed, queries, size))
    results["analysis"] = summary_ms([s[1] for s in samples])
    results["analysis_by_year"] = {
        y: summary_ms([s[1] for s in samples if s[0] == y]) for y in YEARS if any(s[0] == y for s in samples)
    }
    results["analysis_queries"] = sorted({s[2] for s in samples})
    results["analysis_kb"] = statistics.median(s[3] for s in samples) / 1024


def measure_cli(args, results, picks):
    """ita_analysis --json: in process (the command's own work) and as a new process (what a user waits)."""
    from django.core.management import call_command

    in_process = []
    for a in picks[: args.cli_samples]:
        out = io.StringIO()
        t0 = time.perf_counter()
        call_command("ita_analysis", org=a.organisation.code, year=a.fiscal_year.year, json=True, stdout=out)
        in_process.append(time.perf_counter() - t0)
    results["cli_in_process"] = summary_ms(in_process) if in_process else None
    spawned = []
    for a in picks[: args.cli_process_samples]:
        cmd = [sys.executable, "manage.py", "ita_analysis", "--org", a.organisation.code]
        cmd += ["--year", str(a.fiscal_year.year), "--json"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        spawned.append(time.perf_counter() - t0)
    results["cli_process"] = summary_ms(spawned) if spawned else None


def measure_home(args, results, rng):
    """A supervisor over every organisation (one parent above all) opens / and random list pages."""
    from django.test import Client

    from assessments.models import Organisation, rebuild_paths

    parent, _ = Organisation.objects.get_or_create(code="bench-supervisor", defaults={"name": "สำนักงานกำกับดูแล"})
    Organisation.objects.exclude(pk=parent.pk).update(parent=parent)
    rebuild_paths()  # a queryset update bypasses save(), which keeps the materialised paths
    user = bench_users([parent], "supervisor")[parent.code]
    client = Client()
    client.force_login(user)
    pages = math.ceil(Organisation.objects.count() / 50)
    for _ in range(3):  # warm up
        timed_get(client, "/")
    first, paged, queries = [], [], set()
    for _ in range(args.home_samples):
        elapsed, q, _size = timed_get(client, "/")
        first.append(elapsed)
        queries.add(q)
        elapsed, q, _size = timed_get(client, f"/?page={rng.randint(1, pages)}")
        paged.append(elapsed)
        queries.add(q)
    results["home"] = summary_ms(first)
    results["home_paged"] = summary_ms(paged)
    results["home_queries"] = sorted(queries)
    results["home_pages"] = pages


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #


def machine(results):
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = "PostgreSQL " + cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            results["db_size"] = cursor.fetchone()[0]
        else:
            db = f"{connection.vendor} {connection.Database.sqlite_version}"
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, Django {django.get_version()}, {db}"


def fmt(stat):
    if not stat:
        return "—"
    return f"{stat['median']:.1f} / {stat['p95']:.1f} (max {stat['max']:.0f}, n={stat['n']})"


def report(args, results):
    r = results
    lines = [
        f"# ITA Portal load and analysis benchmark — {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {r['machine']}",
        f"Load average (1 min) at start / end: {r['load_start']:.2f} / {r['load_end']:.2f}"
        " — other work on the machine inflates the p95 figures.",
        f"Command: `{r['command']}`",
        "",
        "| Measure | Value |",
        "|---|---|",
    ]
    if "import_wall_s" in r:
        rate = r["rows"] / r["import_wall_s"]
        lines += [
            f"| Organisations imported (`import_organisations`, one call) | {args.orgs:,} in {r['org_import_s']:.2f} s |",
            f"| Score sheets (`import_scores`, {args.workers} process(es)) | {r['sheets']:,} |",
            f"| Rows per sheet {', '.join(str(y) for y in YEARS)} | "
            + " / ".join(str(r["rows_per_sheet"][y]) for y in YEARS)
            + " |",
            f"| Sheet rows imported / Score rows stored | {r['rows']:,} / {r['score_rows']:,} |",
            f"| Import wall time (inside `import_scores`) | {r['import_wall_s']:.1f} s = {r['import_wall_s'] / 60:.1f} min"
            f" ({r['import_busy_s']:.1f} s) |",
            f"| Throughput | {rate:,.0f} rows/s, {r['sheets'] / r['import_wall_s']:.1f} sheets/s |",
            f"| Per sheet ms, median / p95 (all years) | {fmt(r['sheet_all'])} |",
        ]
        for y in YEARS:
            lines.append(
                f"| Per sheet ms {y}, median / p95 ({r['sheet_queries'].get(y, '?')} queries) | "
                f"{fmt(r['sheet_by_year'][y])} |"
            )
        if args.orgs < FULL_SIZE:
            est = r["import_wall_s"] * FULL_SIZE / args.orgs
            lines.append(f"| Extrapolated import wall time for {FULL_SIZE:,} orgs | {est / 60:.1f} min (linear) |")
        lines.append(f"| VACUUM ANALYZE after load | {r['vacuum_s']:.1f} s |")
    if "db_size" in r:
        lines.append(f"| Database size | {r['db_size']} |")
    if "analysis" in r:
        lines += [
            f"| **Analysis page** ms, median / p95 | **{fmt(r['analysis'])}** |",
            f"| Analysis page SQL queries per request | {', '.join(map(str, r['analysis_queries']))} |",
            f"| Analysis page HTML size (median) | {r['analysis_kb']:.0f} KiB |",
        ]
        for y, stat in r["analysis_by_year"].items():
            lines.append(f"| Analysis page ms {y}, median / p95 | {fmt(stat)} |")
    if "cli_in_process" in r:
        lines += [
            f"| `ita_analysis --json` in process, ms median / p95 | {fmt(r['cli_in_process'])} |",
            f"| `ita_analysis --json` as a new process, ms median / p95 | {fmt(r['cli_process'])} |",
        ]
    if "home" in r:
        lines += [
            f"| **Supervisor home** `/` ms, median / p95 | **{fmt(r['home'])}** |",
            f"| Supervisor home `/?page=<random of {r['home_pages']}>` ms, median / p95 | {fmt(r['home_paged'])} |",
            f"| Supervisor home SQL queries per request | {', '.join(map(str, r['home_queries']))} |",
        ]
    lines += [f"| **FAILED** | {e} |" for e in r.get("errors", [])]
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    config = database_config()
    if config["ENGINE"].endswith("sqlite3") and not args.allow_sqlite:
        sys.exit("Refusing to run on SQLite (pass --allow-sqlite; the numbers will not represent production).")
    if not args.reuse_data:
        recreate_database(config, allow_sqlite=args.allow_sqlite, allow_drop=args.allow_drop)
    setup_django()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    load_start = os.getloadavg()[0]
    argv_shown = sys.argv[1:] if argv is None else list(argv)
    results = {
        "command": f"DATABASE_URL={os.environ['DATABASE_URL']} .venv/bin/python benchmarks/load_and_analyse.py "
        + " ".join(argv_shown),
        "load_start": load_start,
    }
    # With --reuse-data this only applies migrations added to the app since the data was loaded.
    call_command("migrate", verbosity=0)
    if not args.reuse_data:
        run_import(args, results)
        analyse_tables(results)
        write_report(args, results)  # keep the import figures even if a page fails below
    else:
        get_user_model().objects.filter(username__startswith=BENCH_USER_PREFIX).delete()
    rng = random.Random(args.seed + 1)
    picks = pick_assessments(args.samples + 5, rng)  # the first 5 warm up the page
    for label, phase in [
        ("the analysis page", lambda: measure_analysis_page(args, results, picks)),
        ("ita_analysis", lambda: measure_cli(args, results, picks[5:])),
        ("the supervisor home page", lambda: measure_home(args, results, rng)),
    ]:
        print(f"Timing {label}...", file=sys.stderr)
        try:
            phase()
        except Exception as exc:  # report what was measured; name what failed
            results.setdefault("errors", []).append(f"{label}: {exc.__class__.__name__}: {exc}")
            print(f"  failed: {exc!r}", file=sys.stderr)
    print(write_report(args, results))
    print(f"Written to {args.output}", file=sys.stderr)
    return 1 if results.get("errors") else 0


def write_report(args, results):
    results["machine"] = machine(results)
    results["load_end"] = os.getloadavg()[0]
    text = report(args, results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    sys.exit(main())
