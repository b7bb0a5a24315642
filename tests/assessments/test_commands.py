"""The ita_* management commands, as operators run them."""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Membership, Organisation, Score

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_scores_then_analysis_json_has_the_documented_schema(org, seed000_items):
    run("ita_import_scores", str(seed000_items), "--org", "bungkok", "--year", "2565")
    out, _ = run("ita_analysis", "--org", "bungkok", "--year", "2565", "--json")
    data = json.loads(out)
    assert data["organisation"] == "bungkok" and data["year"] == 2565
    assert data["strengths"] == [10, 1, 3, 5, 2] and data["weaknesses"] == [8, 9, 7, 6, 4]
    ind9 = next(i for i in data["indicators"] if i["number"] == 9)
    assert ind9 == ind9 | {
        "published": None,
        "computed": 76.29,
        "score": 76.29,
        "status": "weak",
        "name": "การเปิดเผยข้อมูล",
    }
    assert data["total"] == data["total"] | {"published": None, "computed": 83.37, "grade": "B", "result": None}
    assert [i["code"] for i in data["failed_oit_items"]][:2] == ["o11", "o12"]
    assert data["mismatches"] == []
    assert {k: v for k, v in next(i for i in data["weak_items"] if i["code"] == "e14").items() if k != "title"} == {
        "code": "e14",
        "label": "e14",
        "indicator": 8,
        "score": 63.53,
    }


def test_refused_score_file_exits_non_zero_and_names_rows(org, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,score\ni1,80\ni2,200\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ไม่ได้บันทึกข้อมูลใด ๆ"):
        run("ita_import_scores", str(bad), "--org", "bungkok", "--year", "2565")
    assert not Score.objects.exists()


def test_refused_file_exits_with_status_1_from_the_shell(tmp_path):
    """A real process on its own database: a refusal is exit status 1 with the rows on stderr."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, check=False
        )

    assert manage("migrate", "-v0").returncode == 0
    assert manage("ita_import_orgs", str(_write(tmp_path, "orgs.csv", "code,name\nbk,อบต.บึงกอก\n"))).returncode == 0
    proc = manage(
        "ita_import_scores",
        str(_write(tmp_path, "bad.csv", "code,score\ni1,80\nnope,1\n")),
        "--org",
        "bk",
        "--year",
        "2565",
    )
    assert proc.returncode == 1
    assert "แถวที่ 3: ไม่รู้จักรหัส “nope” ในกรอบการประเมินปี 2565" in proc.stderr


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dry_run_checks_without_saving(org, seed000_items):
    out, _ = run("ita_import_scores", str(seed000_items), "--org", "bungkok", "--year", "2565", "--dry-run")
    assert "ถูกต้อง 88 แถว" in out and not Score.objects.exists()


def test_unknown_year_is_named_with_the_known_ones(org, seed000_items):
    with pytest.raises(CommandError, match=r"ไม่มีกรอบการประเมินปี 2599 \(มี: 2564, 2565, 2566, 2567, 2568, 2569\)"):
        run("ita_import_scores", str(seed000_items), "--org", "bungkok", "--year", "2599")


IMPORTS = {
    "ita_import_scores": ["--org", "bungkok", "--year", "2565"],
    "ita_load_scores": ["--year", "2565"],
    "ita_import_results": ["--year", "2565"],
    "ita_import_orgs": [],
    "ita_import_users": [],
}


@pytest.mark.parametrize("command", list(IMPORTS))
def test_every_import_command_names_a_file_that_is_not_there(command, org, tmp_path):
    missing = tmp_path / "none.csv"
    with pytest.raises(CommandError, match="^" + re.escape(f"ไม่พบไฟล์ {missing}") + "$"):
        run(command, str(missing), *IMPORTS[command])


@pytest.mark.parametrize("command", list(IMPORTS))
def test_every_import_command_refuses_a_folder_as_no_file(command, org, tmp_path):
    with pytest.raises(CommandError, match="^" + re.escape(f"ไม่พบไฟล์ {tmp_path}") + "$"):
        run(command, str(tmp_path), *IMPORTS[command])


def test_import_orgs_from_csv(tmp_path):
    f = tmp_path / "orgs.csv"
    f.write_text("code,name,type,province,district\nbk1,อบต.บึงกอก,อบต.,พิษณุโลก,บางระกำ\n", encoding="utf-8")
    out, _ = run("ita_import_orgs", str(f))
    assert "เพิ่ม 1" in out and Organisation.objects.get(code="bk1").district == "บางระกำ"


def test_demo_is_safe_to_run_twice():
    run("ita_demo")
    first = (Organisation.objects.count(), Membership.objects.count(), Score.objects.count())
    out, _ = run("ita_demo")
    assert (Organisation.objects.count(), Membership.objects.count(), Score.objects.count()) == first
    assert "ita-demo-2567" in out


def test_demo_agency_2565_is_seed000(db):
    run("ita_demo")
    out, _ = run("ita_analysis", "--org", "demo", "--year", "2565", "--json")
    data = json.loads(out)
    assert [(i["number"], i["published"]) for i in data["indicators"]][8:] == [(9, 76.29), (10, 93.75)]
    assert data["weaknesses"] == [8, 9, 7, 6, 4]


def test_demo_shows_the_current_cycle_a_2569_result_and_a_2570_plan(db):
    from measures.models import Plan

    run("ita_demo")
    out, _ = run("ita_analysis", "--org", "demo", "--year", "2569", "--json")
    total = json.loads(out)["total"]
    assert total["rating"] == "ผ่าน" and total["rating_blockers"] == ["oit"]
    assert {"o12", "o25", "o26"} <= {i["code"] for i in json.loads(out)["failed_oit_items"]}
    plan = Plan.objects.get(organisation__code="demo", fiscal_year__year=2570)
    assert plan.analysis_year.year == 2569 and plan.measures.exists()


def test_demo_has_an_ovec_college_with_its_staff_user(db):
    run("ita_demo")
    college = Organisation.objects.get(code="demo-college")
    assert college.scheme == "ovec"
    assert Membership.objects.filter(organisation=college, user__username="college", role="staff").exists()
