"""Every URL pattern × every role, GET and POST, with real ids of two organisations.

The expected status of each pair lives in MATRIX below; a URL pattern that is not in it
fails the suite, so a new page cannot ship without someone deciding who may see it.
Columns: anonymous, staff, approver, executive, viewer, supervisor, outsider, admin —
the demo's users (staff … viewer belong to `demo`; supervisor supervises `demo` and
`other`; outsider is staff of `other`). POSTs carry no form data: they test the gate,
not the action. Approvers, executives and the administrator sign in with a verified
second factor where the portal requires one.
"""

import os

import pytest
from django.test import Client
from django.urls import reverse

from tests.access.world import ROLES, url_names, url_parameters
from tests.factories import log_in_verified

pytestmark = pytest.mark.django_db

# name, organisation of the URL's ids: GET statuses per role | POST statuses per role
MATRIX = """
account                      -      GET 302 200 200 200 200 200 200 200 | POST 302 200 200 200 200 200 200 200
analysis                     demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
analysis                     other  GET 302 404 404 404 404 200 200 200 | POST 302 405 405 405 405 405 405 405
audit                        demo   GET 302 403 403 200 403 403 404 200 | POST 302 405 405 405 405 405 405 405
audit                        other  GET 302 404 404 404 404 403 403 200 | POST 302 405 405 405 405 405 405 405
chain                        demo   GET 302 200 200 200 200 200 404 200 | POST 302 403 403 400 403 403 404 400
chain                        other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 403 400
decide                       demo   GET 302 405 405 405 405 405 405 405 | POST 302 302 302 302 302 302 404 302
decide                       other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 302 302 302
document_settings            demo   GET 302 403 403 200 403 403 404 200 | POST 302 403 403 400 403 403 404 400
document_settings            other  GET 302 404 404 404 404 403 403 200 | POST 302 404 404 404 404 403 403 400
document_texts           demo   GET 302 200 403 403 403 403 404 200 | POST 302 400 403 403 403 403 404 400
document_texts           other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 400 400
evidence                     demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
evidence                     other  GET 302 404 404 404 404 200 200 200 | POST 302 405 405 405 405 405 405 405
followup                     demo   GET 302 200 200 200 200 200 404 200 | POST 302 400 403 403 403 403 404 400
followup                     other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 400 400
home                         -      GET 302 302 302 302 302 200 302 200 | POST 302 405 405 405 405 405 405 405
import_scores                demo   GET 302 200 403 403 403 403 404 200 | POST 302 200 403 403 403 403 404 200
import_scores                other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 200 200
indicator_scores             demo   GET 302 200 200 200 200 200 404 200 | POST 302 302 403 403 403 403 404 302
indicator_scores             other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 302 302
item_analysis_edit       demo   GET 302 200 403 403 403 403 404 200 | POST 302 302 403 403 403 403 404 302
item_analysis_edit       other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 302 302
login                        -      GET 200 200 200 200 200 200 200 200 | POST 200 200 200 200 200 200 200 200
logout                       -      GET 405 405 405 405 405 405 405 405 | POST 302 302 302 302 302 302 302 302
measure_action               demo   GET 302 405 405 405 405 405 405 405 | POST 302 302 403 403 403 403 404 302
measure_action               other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 403 302 302
measure_add                  demo   GET 302 200 403 403 403 403 404 200 | POST 302 400 403 403 403 403 404 400
measure_add                  other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 400 400
measure_edit                 demo   GET 302 200 403 403 403 403 404 200 | POST 302 400 403 403 403 403 404 400
measure_edit                 other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 400 400
memo_edit                    demo   GET 302 200 403 403 403 403 404 200 | POST 302 400 403 403 403 403 404 400
memo_edit                    other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 302 302
mfa_enrol                    -      GET 302 302 302 302 302 302 302 302 | POST 302 302 302 302 302 302 302 302
mfa_verify                   -      GET 302 302 302 302 302 302 302 302 | POST 302 302 302 302 302 302 302 302
narrative_edit               demo   GET 302 200 403 403 403 403 404 200 | POST 302 302 403 403 403 403 404 302
narrative_edit               other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 302 302
notifications                -      GET 302 200 200 200 200 200 200 200 | POST 302 302 302 302 302 302 302 302
oidc_authentication_callback -      GET 404 404 404 404 404 404 404 404 | POST 404 404 404 404 404 404 404 404
oidc_authentication_init     -      GET 404 404 404 404 404 404 404 404 | POST 404 404 404 404 404 404 404 404
oidc_refused                 -      GET 403 403 403 403 403 403 403 403 | POST 403 403 403 403 403 403 403 403
organisation                 demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
organisation                 other  GET 302 404 404 404 404 200 200 200 | POST 302 405 405 405 405 405 405 405
password_change              -      GET 302 200 200 200 200 200 200 200 | POST 302 200 200 200 200 200 200 200
password_change_done         -      GET 302 200 200 200 200 200 200 200 | POST 302 405 405 405 405 405 405 405
password_reset               -      GET 200 200 200 200 200 200 200 200 | POST 200 200 200 200 200 200 200 200
password_reset_complete      -      GET 200 200 200 200 200 200 200 200 | POST 405 405 405 405 405 405 405 405
password_reset_confirm       -      GET 200 200 200 200 200 200 200 200 | POST 200 200 200 200 200 200 200 200
password_reset_done          -      GET 200 200 200 200 200 200 200 200 | POST 405 405 405 405 405 405 405 405
people                       demo   GET 302 200 200 200 200 200 404 200 | POST 302 200 403 403 403 403 404 200
people                       other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 200 200
plan                         demo   GET 302 200 200 200 200 200 404 200 | POST 302 302 403 403 403 403 404 302
plan                         other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 302 302
plan_layout                  demo   GET 302 200 200 200 200 200 404 200 | POST 302 302 403 403 403 403 404 302
plan_layout                  other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 302 302
public_followup_pdf          demo   GET 200 200 200 200 200 200 200 200 | POST 405 405 405 405 405 405 405 405
public_followup_pdf          other  GET 404 404 404 404 404 404 404 404 | POST 405 405 405 405 405 405 405 405
public_plan                  demo   GET 200 200 200 200 200 200 200 200 | POST 405 405 405 405 405 405 405 405
public_plan                  other  GET 404 404 404 404 404 404 404 404 | POST 405 405 405 405 405 405 405 405
public_plan_pdf              demo   GET 200 200 200 200 200 200 200 200 | POST 405 405 405 405 405 405 405 405
public_plan_pdf              other  GET 404 404 404 404 404 404 404 404 | POST 405 405 405 405 405 405 405 405
recommendation_add           demo   GET 302 405 405 405 405 405 405 405 | POST 302 400 403 403 403 403 404 400
recommendation_add           other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 403 400 400
recommendation_delete    demo   GET 302 405 405 405 405 405 405 405 | POST 302 302 403 403 403 403 404 302
recommendation_delete    other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 403 302 302
recommendation_edit      demo   GET 302 200 403 403 403 403 404 200 | POST 302 400 403 403 403 403 404 400
recommendation_edit      other  GET 302 404 404 404 404 403 200 200 | POST 302 404 404 404 404 403 400 400
recommendation_move      demo   GET 302 405 405 405 405 405 405 405 | POST 302 302 403 403 403 403 404 302
recommendation_move      other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 403 302 302
recovery_codes               -      GET 302 200 200 200 200 200 200 200 | POST 302 302 302 302 302 302 302 302
report_download              demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
report_download              other  GET 302 404 404 404 404 200 200 200 | POST 302 405 405 405 405 405 405 405
report_request               demo   GET 302 405 405 405 405 405 405 405 | POST 302 302 302 302 302 302 404 302
report_request               other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 302 302 302
report_status                demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
report_status                other  GET 302 404 404 404 404 200 200 200 | POST 302 405 405 405 405 405 405 405
reports                      demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
reports                      other  GET 302 404 404 404 404 200 200 200 | POST 302 405 405 405 405 405 405 405
revision                     demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
revision                     other  GET 302 404 404 404 404 404 404 404 | POST 302 405 405 405 405 405 405 405
revision_document            demo   GET 302 200 200 200 200 200 404 200 | POST 302 405 405 405 405 405 405 405
revision_document            other  GET 302 404 404 404 404 404 404 404 | POST 302 405 405 405 405 405 405 405
scores                       demo   GET 302 200 200 200 200 200 404 200 | POST 302 302 403 403 403 403 404 302
scores                       other  GET 302 404 404 404 404 200 200 200 | POST 302 404 404 404 404 403 302 302
supervision                  demo   GET 302 404 404 404 404 302 404 302 | POST 302 405 405 405 405 405 405 405
supervision                  other  GET 302 404 404 404 404 302 404 302 | POST 302 405 405 405 405 405 405 405
supervision_chase            demo   GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 400 404 400
supervision_chase            other  GET 302 405 405 405 405 405 405 405 | POST 302 404 404 404 404 400 404 400
supervision_dashboard        demo   GET 302 404 404 404 404 200 404 200 | POST 302 405 405 405 405 405 405 405
supervision_dashboard        other  GET 302 404 404 404 404 200 404 200 | POST 302 405 405 405 405 405 405 405
supervision_export           demo   GET 302 404 404 404 404 200 404 200 | POST 302 405 405 405 405 405 405 405
supervision_export           other  GET 302 404 404 404 404 200 404 200 | POST 302 405 405 405 405 405 405 405
supervision_results          demo   GET 302 404 404 404 404 200 404 200 | POST 302 404 404 404 404 400 404 400
supervision_results          other  GET 302 404 404 404 404 200 404 200 | POST 302 404 404 404 404 400 404 400
verify                       -      GET 200 200 200 200 200 200 200 200 | POST 400 400 400 400 400 400 400 400
verify_hash                  -      GET 200 200 200 200 200 200 200 200 | POST 200 200 200 200 200 200 200 200
"""

# Which stored row a URL's <pk> names.
PK = {
    "measure_edit": "pk_measure",
    "measure_action": "pk_measure",
    "evidence": "pk_evidence",
    "report_status": "pk_report",
    "report_download": "pk_report",
    "recommendation_edit": "pk_recommendation",
    "recommendation_delete": "pk_recommendation",
    "recommendation_move": "pk_recommendation",
}


def _parse(text):
    expected = {}
    for line in text.strip().splitlines():
        head, post = line.split(" | POST ")
        name, org, _get, *get = head.split()
        expected[(name, org)] = {"get": [int(s) for s in get], "post": [int(s) for s in post.split()]}
    return expected


EXPECTED = _parse(MATRIX)


def _url(name, pattern, ids):
    kwargs = {}
    for key in url_parameters(pattern):
        if key == "pk":
            kwargs[key] = ids[PK[name]]
        elif key in ("uidb64", "token"):
            kwargs[key] = "x"
        else:
            kwargs[key] = ids[key]
    return reverse(name, kwargs=kwargs)


def matrix_urls(ids):
    """(name, organisation, url) of every URL pattern: an organisation's pattern once with each
    organisation's real ids, the others once (organisation "-")."""
    for name, pattern in sorted(url_names().items()):
        for org in ("demo", "other") if "code" in url_parameters(pattern) else ("-",):
            yield name, org, _url(name, pattern, ids[org if org != "-" else "demo"])


def _client(users, role):
    client = Client(raise_request_exception=False)
    if role == "anonymous":
        return client
    return log_in_verified(client, users[role])


@pytest.mark.skipif(not os.environ.get("ITA_PRINT_MATRIX"), reason="set ITA_PRINT_MATRIX=1 to print today's matrix")
def test_print_the_matrix_as_it_is_now(world, db):
    """A maintainer's aid: `ITA_PRINT_MATRIX=1 pytest tests/access -k print -s` prints every row
    as the portal answers today, to review and paste into MATRIX."""
    users, ids = world
    lines = []
    for name, org, url in matrix_urls(ids):
        cells = {m: [str(getattr(_client(users, role), m)(url).status_code) for role in ROLES] for m in ("get", "post")}
        lines.append(f"{name:24} {org:6} GET {' '.join(cells['get'])} | POST {' '.join(cells['post'])}")
    print("\n" + "\n".join(lines))


def test_every_url_pattern_is_in_the_matrix():
    names = set(url_names())
    pinned = {name for name, _org in EXPECTED}
    assert sorted(names - pinned) == [], "new URL patterns: decide who may see them and add them to MATRIX"
    assert sorted(pinned - names) == [], "MATRIX names URL patterns that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_pinned(role, world, db):
    users, ids = world
    column = ROLES.index(role)
    wrong = []
    client = _client(users, role)
    for name, org, url in matrix_urls(ids):
        for method in ("get", "post"):
            want = EXPECTED[(name, org)][method][column]
            got = getattr(client, method)(url).status_code
            if name == "logout":
                client = _client(users, role)  # signed out by the request: sign in again
            if got != want:
                wrong.append(f"{method.upper()} {url} as {role}: {got}, pinned {want}")
    if os.environ.get("ITA_PRINT_MATRIX"):
        print("\n".join(wrong))
    assert wrong == []
