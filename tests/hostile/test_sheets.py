"""The hostile sheet corpus, through the command line and the web upload.

Every file of tests/hostile/corpus.py is refused with a Thai reason (exit code 1 and the
reason on stderr; HTTP 400 with the reason on the page) or accepted whole, never a
traceback or a 500, never a partial write. Each run happens under an address-space limit
a little above what the process already holds, so a file the bounds let through would
end in a MemoryError and fail the test; the bombs also run in a subprocess under
RLIMIT_AS, where the peak memory of each file is measured.
"""

import io
import json
import os
import resource
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.html import escape

from assessments.models import ChangeLog, Score
from tests.factories import PASSWORD, log_in_verified

from .corpus import CASES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HEADROOM = 300 * 2**20  # bytes of address space a run may add to what the process holds


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    """Every case written once per session into a temporary directory (never committed)."""
    folder = tmp_path_factory.mktemp("hostile-sheets")
    for case in CASES:
        (folder / case.filename).write_bytes(case.make())
    return folder


def _vm_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmSize")  # pragma: no cover


@contextmanager
def memory_limit():
    """Lower the soft RLIMIT_AS to the current size plus HEADROOM for the duration."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_size() + HEADROOM
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _counts():
    return Score.objects.count(), ChangeLog.objects.count()


def _saved():
    return {key: value for key, value in Score.objects.values_list("key", "value")}


def _check_refusal_lines(case, lines):
    assert lines, f"{case.name}: no reason given"
    text = "\n".join(lines)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in text), f"{case.name}: the reason is not in Thai: {text}"
    assert "Traceback" not in text
    if case.reason:
        assert case.reason in text, f"{case.name}: {text}"
    if case.row is not None:
        assert f"แถวที่ {case.row}" in text, f"{case.name}: row {case.row} not named in {text}"
    else:
        assert "แถวที่" in text or "ไฟล์" in text, f"{case.name}: names neither a row nor the file: {text}"


def run_cli(path):
    """ita_import_scores as an operator runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ita_import_scores", str(path), "--org", "bungkok", "--year", "2565", stdout=out, stderr=err)
    except CommandError as exc:  # Django's command runner prints it and exits with its returncode
        err.write(f"CommandError: {exc}\n")
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


CLASSES = sorted({c.cls for c in CASES})


def _by_class(cls):
    return [c for c in CASES if c.cls == cls]


def _cli_problem(case, corpus_dir):
    """Why the command line's answer to one file is wrong, or None."""
    before = _counts()
    with memory_limit():
        code, out, err = run_cli(corpus_dir / case.filename)
    if code:
        if code != 1:
            return f"exit code {code}"
        if case.expect == "accept":
            return f"refused: {err}"
        _check_refusal_lines(case, err.strip().splitlines())
        if _counts() != before:
            return "a refused file wrote rows"
        return None
    if case.expect == "refuse":
        return f"accepted: {out}"
    saved = _saved()
    Score.objects.all().delete()
    ChangeLog.objects.all().delete()
    if case.expect == "accept" and saved != case.values:
        return f"saved {saved}, expected {case.values}"
    return None if saved else "accepted but nothing saved"


@pytest.mark.parametrize("cls", CLASSES)
def test_the_command_line_refuses_each_hostile_sheet_with_a_thai_reason_or_imports_it_whole(cls, corpus_dir, org):
    problems = {case.name: _cli_problem(case, corpus_dir) for case in _by_class(cls)}
    assert {name: p for name, p in problems.items() if p} == {}


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def _web_problem(case, corpus_dir, client, max_bytes):
    """Why the web upload's answer to one file is wrong, or None."""
    before = _counts()
    data = (corpus_dir / case.filename).read_bytes()
    upload = io.BytesIO(data)
    upload.name = case.filename
    with memory_limit():
        response = client.post("/o/bungkok/2565/import/", {"file": upload})
    if response.status_code not in (200, 400):
        return f"HTTP {response.status_code}"
    if _counts() != before:
        return "the upload wrote rows before confirmation"
    if response.context.get("preview"):
        if case.expect == "refuse":
            return "accepted on the web"
        shown = {p["row"].key: p["row"].value for p in response.context["preview"]}
        if case.expect == "accept" and shown != case.values:
            return f"preview {shown}, expected {case.values}"
        return None
    if case.expect == "accept" and len(data) <= max_bytes:
        return "refused on the web"
    errors = response.context.get("errors")
    if errors:
        if response.status_code != 400:
            return f"refused with HTTP {response.status_code}"
        _check_refusal_lines(case, errors)
        if escape(errors[0]) not in response.content.decode():
            return "the reason is not on the page"
        return None
    form_errors = response.context["form"].errors.get("file") or []  # the form itself: too big, empty
    if not form_errors or not all(any("\u0e00" <= ch <= "\u0e7f" for ch in e) for e in form_errors):
        return f"no Thai message: {form_errors}"
    return None


@pytest.mark.parametrize("cls", CLASSES)
def test_the_web_upload_answers_each_hostile_sheet_with_a_thai_message_and_writes_nothing(
    cls, corpus_dir, staff_client, settings
):
    problems = {
        case.name: _web_problem(case, corpus_dir, staff_client, settings.ITA_MAX_IMPORT_BYTES)
        for case in _by_class(cls)
    }
    assert {name: p for name, p in problems.items() if p} == {}


BOMBS = [c for c in CASES if c.bomb]

PROBE = """
import json, resource, sys
sys.path.insert(0, {root!r})
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from assessments import sheets

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

for path in sys.argv[1:]:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = hwm()
    try:
        with open(path, "rb") as fh:
            rows = sheets.read_table(fh, path, limits=sheets.SCORE_LIMITS)
        outcome = "read"
    except sheets.ImportRefused as exc:
        outcome = "refused: " + exc.lines()[0]
    except MemoryError:
        outcome = "MemoryError"
    print(json.dumps({{"file": path.rsplit("/", 1)[-1], "outcome": outcome, "peak": hwm() - base}}), flush=True)
"""


def test_memory_bombs_are_refused_by_the_bounds_under_a_256_mb_address_space_limit(corpus_dir):
    limit = 256 * 2**20
    script = PROBE.format(root=str(ROOT), limit=limit)
    result = subprocess.run(
        [sys.executable, "-c", script, *[str(corpus_dir / c.filename) for c in BOMBS]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outcomes) == len(BOMBS)
    for item, case in zip(outcomes, BOMBS, strict=True):
        assert item["outcome"] != "MemoryError", item
        if case.expect == "refuse":
            assert item["outcome"].startswith("refused: "), item
        assert item["peak"] < 64 * 2**20, item
    worst = max(outcomes, key=lambda item: item["peak"])
    print(f"\nworst file {worst['file']}: peak {worst['peak'] / 2**20:.1f} MiB above the baseline")


def test_the_corpus_covers_every_crash_class_of_the_issue():
    classes = {c.cls for c in CASES}
    assert {
        "CR-only line ends", "fields over the length limit", "truncated or malformed XML", "truncated files",
        "XML entities (billion laughs, XXE)", "zip bombs", "wrong cell types", "shared strings", "hidden first sheet",
        "percent formats", "Thai digits", "control characters", "duplicate codes", "formulas", "NUL bytes",
    } <= classes  # fmt: skip
    assert len(CASES) >= 400
    assert sum(c.kind == "csv" for c in CASES) >= 100 and sum(c.kind == "xlsx" for c in CASES) >= 200


def test_a_percent_cell_that_shows_92_percent_is_stored_as_92(corpus_dir, org):
    code, _out, err = run_cli(corpus_dir / "xlsx-percent-0.xlsx")
    assert code == 0, err
    assert Score.objects.get(key="i1").value == Decimal("92.00")


def test_the_admin_refuses_a_framework_workbook_with_xml_entities_before_reading_it(corpus_dir):
    from django.contrib.auth import get_user_model

    from assessments.models import FiscalYear

    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    log_in_verified(client, admin)
    years = FiscalYear.objects.count()
    for name in ("xlsx-entities-xl_workbook_xml-0.xlsx", "xlsx-zipbomb-zeros-1gb.xlsx", "xlsx-bomb-depth.xlsx"):
        upload = io.BytesIO((corpus_dir / name).read_bytes())
        upload.name = name
        response = client.post("/admin/assessments/fiscalyear/import-framework/", {"file": upload})
        assert response.status_code == 400, name
        assert "ไฟล์ “" in response.content.decode(), name
    assert FiscalYear.objects.count() == years


def test_the_organisations_import_reads_through_the_same_bounds(corpus_dir, org):
    from assessments.models import Organisation

    count = Organisation.objects.count()
    for name in ("xlsx-zipbomb-zeros-1gb.xlsx", "xlsx-entities-xl_sharedStrings_xml-0.xlsx", "csv-nul-0.csv"):
        with pytest.raises(CommandError) as exc, memory_limit():
            call_command("ita_import_orgs", str(corpus_dir / name), stdout=io.StringIO(), stderr=io.StringIO())
        assert exc.value.returncode == 1, name
    assert Organisation.objects.count() == count
