"""Score import against COPY of the same rows, on PostgreSQL.

A timing script, not a test. It (re)creates the database named by DATABASE_URL (its name
must contain "bench", as load_and_analyse.py), runs ``migrate``, creates 3 × N agencies and
generates, with load_and_analyse.py's generator, one sheet per agency and fiscal year
2565-2568 (the same rows for the three sets). Then:

1. ``import_scores`` per sheet (the web page's and ``ita_import_scores``' path: parse,
   check, store, log, summary), for set A;
2. the baseline: per sheet, one transaction holding a COPY of the same rows into the
   score table (the assessment rows made beforehand, untimed), for set B;
3. ``ita_load_scores``' bulk path (``assessments.bulk_scores.load_scores``), one file per
   year with every agency of set C, against the sum of set B's per-sheet COPYs and against
   one COPY of the whole file's rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ita_import_bench \\
        .venv/bin/python benchmarks/score_import.py --orgs 300

It prints median and p95 per sheet, the queries of the first and the second agency's sheet
of each year (a process reads what it keeps of a year once) and the ratios, and over every
sheet the median of (a sheet's import ÷ the same sheet's COPY) and total ÷ total.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_and_analyse as base  # noqa: E402

YEARS = base.YEARS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=300, help="agencies per set (default 300)")
    parser.add_argument("--seed", type=int, default=2568)
    parser.add_argument("--allow-drop", action="store_true")
    parser.add_argument("--skip-bulk", action="store_true", help="leave out the bulk path (e.g. to time older code)")
    args = parser.parse_args(argv)
    config = base.database_config()
    if not config["ENGINE"].endswith("postgresql"):
        sys.exit("PostgreSQL only: the baseline is COPY")
    base.recreate_database(config, allow_sqlite=False, allow_drop=args.allow_drop)
    base.setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from assessments import services
    from assessments.frameworks import edition_of, framework_for
    from assessments.models import Assessment, FiscalYear, Organisation, Score

    call_command("migrate", verbosity=0)
    load = [os.getloadavg()[0]]
    n = args.orgs
    table = [["code", "name", "type", "province", "district"]]
    table += [[f"{s}{i:05d}", f"หน่วยงาน {s}{i}", "เทศบาลตำบล", "เชียงใหม่", "เมือง"] for s in "abc" for i in range(n)]
    services.import_organisations(table, by=None)
    orgs = {s: list(Organisation.objects.filter(code__startswith=s).order_by("code")) for s in "abc"}
    years = list(FiscalYear.objects.filter(year__in=YEARS).order_by("year"))
    plans = {fy.year: base.sheet_plan(framework_for(edition_of(fy, orgs["a"][0].scheme))) for fy in years}
    data = {(i, fy.year): base.sheet_csv(plans[fy.year], random.Random(f"{args.seed}-{i}-{fy.year}")) for fy in years for i in range(n)}  # fmt: skip

    # 1. import_scores per sheet
    imported, queries = {fy.year: [] for fy in years}, {}
    for fy in years:
        for i, org in enumerate(orgs["a"]):
            ctx = CaptureQueriesContext(connection) if i < 2 else None
            if ctx is not None:
                ctx.__enter__()
            t0 = time.perf_counter()
            services.import_scores(org, fiscal_year=fy, fileobj=io.BytesIO(data[i, fy.year]), filename="s.csv", by=None)
            imported[fy.year].append(time.perf_counter() - t0)
            if ctx is not None:
                ctx.__exit__(None, None, None)
                queries.setdefault(fy.year, []).append(str(len(ctx.captured_queries)))

    # 2. baseline: per sheet, a transaction with a COPY of the same rows
    edition = {fy.year: edition_of(fy, orgs["b"][0].scheme) for fy in years}
    Assessment.objects.bulk_create(
        [Assessment(organisation=o, fiscal_year=fy, edition=edition[fy.year]) for fy in years for o in orgs["b"]]
    )
    target = {(a.organisation_id, a.fiscal_year.year): a.pk for a in Assessment.objects.filter(organisation__in=orgs["b"]).select_related("fiscal_year")}  # fmt: skip
    framework = {fy.year: framework_for(edition[fy.year]) for fy in years}
    copied = {fy.year: [] for fy in years}
    columns = "assessment_id, level, key, part, value, updated_at, updated_by_id"
    from django.utils import timezone

    for fy in years:
        for i, org in enumerate(orgs["b"]):
            rows = services.read_score_sheet(io.BytesIO(data[i, fy.year]), "s.csv", framework[fy.year]).rows
            pk, now = target[org.pk, fy.year], timezone.now()
            t0 = time.perf_counter()
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.copy(f"COPY {Score._meta.db_table} ({columns}) FROM STDIN") as copy,
            ):
                for r in rows:
                    copy.write_row((pk, r.level, r.key, r.part, r.value, now, None))
            copied[fy.year].append(time.perf_counter() - t0)

    # 3. the bulk path: one file per year with every agency of set C
    bulk, whole_copy = {}, {}
    for fy in [] if args.skip_bulk else years:
        from assessments import bulk_scores

        lines = ["org,code,score,part"]
        for i, org in enumerate(orgs["c"]):
            lines += [f"{org.code},{line}" for line in data[i, fy.year].decode().splitlines()[1:]]
        blob = ("\n".join(lines) + "\n").encode()
        t0 = time.perf_counter()
        bulk_scores.load_scores(io.BytesIO(blob), fiscal_year=fy)
        bulk[fy.year] = time.perf_counter() - t0
        # one COPY of the same number of rows (into set B's assessments, rolled back)
        rows = [(target[o.pk, fy.year], r) for i, o in enumerate(orgs["b"])
                for r in services.read_score_sheet(io.BytesIO(data[i, fy.year]), "s.csv", framework[fy.year]).rows]  # fmt: skip
        Score.objects.filter(assessment__fiscal_year=fy, assessment__organisation__in=orgs["b"]).delete()
        t0 = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.copy(f"COPY {Score._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for pk, r in rows:
                copy.write_row((pk, r.level, r.key, r.part, r.value, timezone.now(), None))
        whole_copy[fy.year] = time.perf_counter() - t0
    load.append(os.getloadavg()[0])

    med = statistics.median
    all_imported = [t for ts in imported.values() for t in ts]
    all_copied = [t for ts in copied.values() for t in ts]
    print(f"{n} agencies per set × {len(years)} years, PostgreSQL; load average (1 min) {load[0]:.2f} → {load[1]:.2f}"
          f" on {os.cpu_count()} cores\n")  # fmt: skip
    print("| year | rows per sheet | queries per sheet (first / second agency) | import_scores median / p95 ms | per-sheet COPY median ms | "
          "× COPY | bulk load s (all agencies) | × sum of per-sheet COPYs | × one COPY |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fy in years:
        y = fy.year
        print(
            f"| {y} | {len(plans[y])} | {' / '.join(queries[y])} | {med(imported[y]) * 1000:.1f} / "
            f"{base.percentile(imported[y], 95) * 1000:.1f} | {med(copied[y]) * 1000:.2f} | "
            f"{med(imported[y]) / med(copied[y]):.1f} | "
            + (
                f"{bulk[y]:.2f} | {bulk[y] / sum(copied[y]):.2f} | {bulk[y] / whole_copy[y]:.1f} |"
                if bulk
                else "– | – | – |"
            )
        )
    total = sum(bulk.values())
    print(
        f"| all | | | {med(all_imported) * 1000:.1f} | {med(all_copied) * 1000:.2f} | "
        f"**{med(all_imported) / med(all_copied):.1f}** | "
        + (
            f"{total:.2f} | **{total / sum(all_copied):.2f}** | {total / sum(whole_copy.values()):.1f} |"
            if bulk
            else "– | – | – |"
        )
    )
    # The "all" row's ratio of medians mixes years whose sheets differ tenfold in rows: each
    # median sits where the large and the small sheets meet. The same sheet imported and COPYed:
    paired = [imported[y][i] / copied[y][i] for y in imported for i in range(len(imported[y]))]
    print(
        f"\nSame sheet, import ÷ its COPY: median {med(paired):.2f}, p95 {base.percentile(paired, 95):.2f}; "
        f"total import time ÷ total COPY time {sum(all_imported) / sum(all_copied):.2f}"
    )


if __name__ == "__main__":
    main()
