"""Bytes of a cold page load with and without compression.

A cold load of the analysis page as the demo agency's staff member: the HTML, then every
stylesheet and script it links and every font the stylesheet names, fetched through
``django.test.Client`` (the full middleware stack, WhiteNoise included) once without
``Accept-Encoding`` and once with ``Accept-Encoding: gzip, deflate, br`` as a browser sends
it. Two set-ups, each in its own process:

- embedded: static files straight from the finders (the default; compressed as they stream
  by ``ita_portal.compression.CompressionMiddleware``);
- manifest: ``collectstatic`` with ``CompressedManifestStaticFilesStorage`` (production;
  WhiteNoise serves the .br/.gz written beside each file).

    .venv/bin/python benchmarks/compression.py postgres://postgres@127.0.0.1:5432/ita_demo_bench

The database needs the demo data (benchmarks/pages.py puts it there). ``manifest`` runs
collectstatic into the project's staticfiles/ folder (git-ignored).
"""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_and_analyse as base  # noqa: E402

PAGE = "/o/demo/2565/analysis/"
BROWSER = "gzip, deflate, br"


def fetch(client, url, encoding):
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding) if encoding else client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body, response.get("Content-Encoding", "")


def child(mode):
    base.setup_django()
    from django.core.management import call_command
    from django.test import Client

    from assessments.models import Membership

    if mode == "manifest":
        call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
    user = Membership.objects.filter(organisation__code="demo", role="staff").first().user
    rows = []
    for encoding in ("", BROWSER):
        client = Client()
        client.force_login(user)
        html, html_enc = fetch(client, PAGE, encoding)
        plain_html, _ = fetch(client, PAGE, "")
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', plain_html)
        total = {"html": (len(html), html_enc)}
        for url in assets:
            body, enc = fetch(client, url.decode(), encoding)
            total[url.decode()] = (len(body), enc)
            if url.endswith(b".css"):
                plain_css, _ = fetch(client, url.decode(), "")
                for font in re.findall(rb'url\("?([^")]+)"?\)', plain_css):
                    font_url = os.path.normpath(os.path.join(os.path.dirname(url.decode()), font.decode()))
                    fbody, fenc = fetch(client, font_url, encoding)
                    total[font_url] = (len(fbody), fenc)
        rows.append({"encoding": encoding or "(none)", "files": total})
    print("JSON " + json.dumps(rows))


def main():
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2])
    url = (sys.argv[1:] or [os.environ.get("DATABASE_URL", "")])[0]
    print(f"Cold load of {PAGE} (HTML + linked CSS, JS and the fonts the CSS names), bytes on the wire\n")
    print("| static files | Accept-Encoding | HTML | CSS + JS | fonts | total | encodings |")
    print("|---|---|---:|---:|---:|---:|---|")
    for mode, extra in (("embedded", {}), ("manifest", {"STATIC_MANIFEST": "1"})):
        env = {**os.environ, "DATABASE_URL": url, **extra}
        proc = subprocess.run([sys.executable, __file__, "--child", mode], env=env, capture_output=True, text=True)
        if proc.returncode:
            sys.stderr.write(proc.stderr)
            sys.exit(f"{mode}: failed")
        rows = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("JSON "))[5:])
        for row in rows:
            files = row["files"]
            fonts = sum(n for k, (n, _e) in files.items() if "/fonts/" in k)
            code = sum(n for k, (n, _e) in files.items() if k != "html" and "/fonts/" not in k)
            encs = sorted({e or "identity" for _n, e in files.values()})
            print(
                f"| {mode} | {row['encoding']} | {files['html'][0] / 1024:.1f} KiB | {code / 1024:.1f} KiB | "
                f"{fonts / 1024:.1f} KiB | **{sum(n for n, _e in files.values()) / 1024:.1f} KiB** | {', '.join(encs)} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
