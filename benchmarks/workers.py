"""Annual-report throughput of one Celery worker against two, on PostgreSQL and Redis.

A timing script, not a test. It uses the demo agency's data (``ita_demo``, put there when
the database lacks it) in the PostgreSQL database named by DATABASE_URL, and the Redis
database named by REDIS_URL. For 1 and then 2 workers it starts that many real workers
(``celery worker --pool prefork --concurrency 1``, each its own process), waits until every
one answers a ping, queues N annual-report builds and times from the first hand-over
until every row has left the queued and running states (polling the rows, never a fixed
sleep), after one untimed build per worker (its first loads fonts and templates), then
stops the workers it started. It prints each run's throughput, the ratio of
two workers to one and the load average beside it: on a machine running other work the
second worker shares the cores with it, so compare on a quiet machine.

The builds are real and all different to the broker: each is its own report row (distinct
``source_hash`` until built), so the "one build per data" rule does not fold them into one.
They are the demo agency's annual report of 2566 each time; when several finish with the
same data the first keeps the file and the rest are marked superseded, after doing the
whole build and render like the first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ita_workers_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python benchmarks/workers.py --reports 8

The Redis database's queue is purged before each run.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_and_analyse as base  # noqa: E402

ROOT = base.ROOT


def start_workers(count, env, tag):
    procs = []
    for i in range(count):
        cmd = [sys.executable, "-m", "celery", "-A", "ita_portal", "worker", "--pool", "prefork",
               "--concurrency", "1", "-n", f"{tag}{i}@%h", "--loglevel", "WARNING", "--without-gossip",
               "--without-mingle", "--without-heartbeat"]  # fmt: skip
        log = open(Path(tempfile.gettempdir()) / f"{tag}{i}.log", "w")  # noqa: SIM115 - closed with the worker
        procs.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
    return procs


def wait_ready(app, names, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=names, timeout=1.0) or []
        if {n for r in replies for n in r} >= set(names):
            return
    raise RuntimeError(f"workers {names} did not answer within {timeout} s")


def stop_workers(procs):
    for proc, _log in procs:
        proc.send_signal(signal.SIGTERM)  # warm shutdown: the running task (none by now) finishes
    for proc, log in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def run(count, args, env, app):
    from django.utils import timezone

    from assessments.models import Organisation
    from reports import leases
    from reports.models import Report

    app.control.purge()
    demo = Organisation.objects.get(code="demo")
    tag = f"bench{count}w{os.getpid()}-"
    procs = start_workers(count, env, tag)
    try:
        import socket

        wait_ready(app, [f"{tag}{i}@{socket.gethostname()}" for i in range(count)])
        stamp = timezone.now().strftime("%H%M%S")

        def build(n, label):
            rows = [
                Report.objects.create(
                    organisation=demo, kind="annual", year=2566, fmt="pdf", source_hash=f"bench-{stamp}-{label}{i}"
                )
                for i in range(n)
            ]
            for r in rows:
                if not leases.hand_over(r.pk):
                    raise RuntimeError("the broker did not take the task (is REDIS_URL up?)")
            pending = {r.pk for r in rows}
            while pending:
                live = Report.objects.filter(pk__in=pending, state__in=[Report.State.QUEUED, Report.State.RUNNING])
                pending = set(live.values_list("pk", flat=True))
                if pending:
                    time.sleep(0.2)  # polling interval of the state, not a wait for the work
            return rows

        build(count, "warm")  # one untimed build per worker: its first one loads fonts and templates
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        rows = build(args.reports, "")
        elapsed = time.perf_counter() - t0
        states = sorted(Report.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", flat=True))
        return {"workers": count, "seconds": elapsed, "per_minute": args.reports / elapsed * 60,
                "load": (load_before, os.getloadavg()[0]), "states": states}  # fmt: skip
    finally:
        stop_workers(procs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=8, help="annual reports queued per run (default 8)")
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL is required (e.g. redis://127.0.0.1:6379/7)")
    base.database_config()
    env = {**os.environ, "MEDIA_ROOT": tempfile.mkdtemp(prefix="ita-workers-")}
    os.environ.update(env)
    base.setup_django()
    from django.core.management import call_command
    from django.db import connection

    from assessments.models import Organisation
    from ita_portal.celery import app

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (several worker processes write at once)")
    call_command("migrate", verbosity=0)
    if not Organisation.objects.filter(code="demo").exists():
        call_command("ita_demo", stdout=StringIO())
    results = [run(1, args, env, app), run(2, args, env, app)]
    print(f"{args.reports} annual reports of the demo agency per run, prefork workers of concurrency 1,"
          f" {os.cpu_count()} cores\n")  # fmt: skip
    print("| workers | wall s | reports / min | load average (1 min) before → after | end states |")
    print("|---:|---:|---:|---|---|")
    for r in results:
        states = ", ".join(f"{s} {r['states'].count(s)}" for s in sorted(set(r["states"])))
        print(
            f"| {r['workers']} | {r['seconds']:.1f} | {r['per_minute']:.1f} | {r['load'][0]:.2f} → {r['load'][1]:.2f} | {states} |"
        )
    print(
        f"\n**two workers / one: {results[1]['per_minute'] / results[0]['per_minute']:.2f}×** (aim ≥ 1.8× on a quiet machine)"
    )


if __name__ == "__main__":
    main()
