"""Sign-off blocks chosen per document kind: the chain's signers or ผู้รายงาน / ผู้รับรอง /
ผู้เห็นชอบ, names and positions from the accounts, blank lines where nobody is chosen."""

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from measures.models import Plan
from measures.services import signer_of
from reports import builders, pdf
from reports.builders import approval_decisions, signer_line
from reports.excel import render_xlsx
from reports.models import SignOff
from reports.signoff import save_signoff
from tests.factories import client_for

from .test_reports import nfkc, text_of

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


def squeezed(text):
    return "".join(nfkc(text).split())


def pdf_text(kind, demo, year, **kw):
    return squeezed(text_of(pdf.render_pdf(builders.build(kind, demo, year, **kw)))[0])


def roles(demo, kind, **people):
    return save_signoff(demo, by=user("executive"), kind=kind, mode=SignOff.Mode.ROLES,
                        people={f: user(n) for f, n in people.items()})  # fmt: skip


def test_the_measures_pdf_prints_the_named_roles_with_names_and_positions_from_the_accounts(demo):
    roles(demo, "measures", reporter="staff", certifier="deputy", endorser="executive")
    text = pdf_text("measures", demo, 2566)
    for label, name in (("ผู้รายงาน", "staff"), ("ผู้รับรอง", "deputy"), ("ผู้เห็นชอบ", "executive")):
        signer, position = signer_of(user(name), demo)
        assert squeezed(f"({signer})") in text and squeezed(position) in text and label in text


def test_a_role_nobody_fills_prints_blank_lines_to_sign_by_hand(demo):
    roles(demo, "followup", reporter="staff")
    context = builders.build("followup", demo, 2566, round_number=1)
    certifier = context["signoff"]["signers"][1]
    assert (certifier["role"], certifier["name"], certifier["position"]) == ("ผู้รับรอง", "", "")
    assert squeezed("(..............................)") in squeezed(text_of(pdf.render_pdf(context))[0])


def test_the_analysis_pdf_prints_the_chains_signers_from_the_decision_records(demo):
    save_signoff(demo, by=user("executive"), kind="analysis", mode=SignOff.Mode.CHAIN, people={})
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    steps = [d for d in approval_decisions(plan.approved_revision) if d.step is not None]
    text = pdf_text("analysis", demo, 2565)
    assert steps
    for decision in steps:
        assert squeezed(f"({signer_line(decision)['name']})") in text


def test_the_memo_in_roles_mode_is_signed_by_the_chosen_reporter_certifier_and_endorser(demo):
    roles(demo, "memo", reporter="viewer", certifier="deputy", endorser="palat")
    memo = builders.build("memo", demo, 2570)["memo"]
    assert memo["submitter"]["name"] == signer_of(user("viewer"), demo)[0]
    assert [(b["title"], b["signer_name"]) for b in memo["blocks"]] == [
        ("ผู้รับรอง", signer_of(user("deputy"), demo)[0]),
        ("ผู้เห็นชอบ", signer_of(user("palat"), demo)[0]),
    ]
    assert [b["final"] for b in memo["blocks"]] == [False, True]


def test_the_measures_workbook_carries_the_same_sign_off(demo):
    roles(demo, "measures", reporter="staff", endorser="executive")
    ws = load_workbook(io.BytesIO(render_xlsx(builders.build("measures", demo, 2566)))).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"({signer_of(user('executive'), demo)[0]})" in values
    assert "ผู้เห็นชอบ" in values and "ผู้รายงาน" in values


def test_without_a_choice_the_measures_pdf_has_no_sign_off(demo):
    assert builders.build("measures", demo, 2566)["signoff"] == {"mode": "none", "signers": []}


def test_the_executive_chooses_the_sign_off_on_the_settings_page(demo):
    client = client_for(user("executive"))
    response = client.post("/o/demo/documents/", {
        "action": "signoff", "kind": "annual", "annual-mode": "roles",
        "annual-reporter": user("staff").pk, "annual-endorser": user("executive").pk,
    })  # fmt: skip
    assert response.status_code == 302
    config = SignOff.objects.get(organisation=demo, kind="annual")
    assert (config.mode, config.reporter, config.certifier, config.endorser) == (
        "roles", user("staff"), None, user("executive"),
    )  # fmt: skip
