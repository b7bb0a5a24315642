"""Who may do what: every access helper and permission predicate in one place.

Views, templates, forms and services ask these functions, so a rule is written once.
``access_*`` fetch a row and check that the user may read it in one step (another
organisation's data is a 404, never a 403, so its existence is not revealed);
``may_*`` answer a yes/no question; ``require_*`` raise PermissionDenied with a Thai
message naming the rule.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FilteredRelation, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import EDIT_ROLES, Assessment, Edition, FiscalYear, Membership, Organisation, Role
from ita_portal.compiled import MARKER, YEAR_MARKER, Compiled, first_of

NO_ORGANISATION = "No Organisation matches the given query."  # get_object_or_404's words, as before


def access_organisation(user: User | AnonymousUser, code: str) -> Organisation:
    """The organisation if the user may read it; 404 otherwise (never reveal it exists).

    One query: the organisation, the user's memberships in it (as ``organisation.memberships.all()``,
    what role_of and the signer's position read) and the user's unread-notice count for the
    header (measures.context_processors), one row per membership held there."""
    if not user.is_authenticated:
        raise Http404(NO_ORGANISATION)
    sql, params = _ORGANISATION_QUERY[bool(user.is_superuser)].sql(user.pk, code)
    rows = list(Organisation.objects.raw(sql, params))
    if not rows:
        raise Http404(NO_ORGANISATION)
    organisation = rows[0]
    fields = ["id", "user_id", "organisation_id", "role", "position"]
    memberships = [
        Membership.from_db(
            organisation._state.db, fields, (r.mine_id, user.pk, organisation.pk, r.mine_role, r.mine_position)
        )
        for r in rows
        if r.mine_id is not None
    ]
    prefetched = organisation.memberships.get_queryset()  # as prefetch_related leaves it
    prefetched._result_cache, prefetched._prefetch_done = memberships, True
    organisation._prefetched_objects_cache = {"memberships": prefetched}
    remember_unread(user, organisation.unread)
    for name in ("mine_id", "mine_role", "mine_position", "unread"):
        delattr(organisation, name)
    return organisation


def organisation_query(user, code: str):
    """access_organisation's query: visible_to's rule, the user's memberships there (a join,
    one row per membership) and the unread-notice count."""
    return (
        Organisation.objects.visible_to(user)
        .filter(code=code)
        .annotate(
            mine=FilteredRelation("memberships", condition=Q(memberships__user=user.pk)),
            mine_id=F("mine__id"),
            mine_role=F("mine__role"),
            mine_position=F("mine__position"),
            unread=unread_count(user),
        )
        .order_by("mine__id")
    )


def _organisation_query_for(superuser: bool) -> Compiled:
    """organisation_query for a stand-in user (an ordinary one or a superuser, whose SQL differs)."""

    def build(user_id: int, code: str):
        from django.contrib.auth import get_user_model

        return organisation_query(get_user_model()(pk=user_id, is_superuser=superuser), code)

    return Compiled(build, markers=(MARKER, "\x00any organisation code\x00"))


# Building and compiling organisation_query cost about 3.5 ms a request (the query itself under
# 1 ms): it is compiled once per thread and database (ita_portal.compiled), each request's user
# and code then take the stand-ins' places as parameters.
_ORGANISATION_QUERY = {False: _organisation_query_for(False), True: _organisation_query_for(True)}


def access_report(user: User | AnonymousUser, code: str, pk: int):
    """The organisation and one of its report rows, if the user may read the organisation; 404
    otherwise. One query, the unread-notice count with it (the organisation's memberships are
    not read: the report's pages ask no role)."""
    from reports.models import Report

    if not user.is_authenticated:
        raise Http404(NO_ORGANISATION)
    report = (
        Report.objects.filter(pk=pk, organisation__code=code, organisation__in=Organisation.objects.visible_to(user))
        .select_related("organisation")
        .annotate(unread=unread_count(user))
        .first()
    )
    if report is None:
        raise Http404("No Report matches the given query.")
    remember_unread(user, report.unread)
    del report.unread
    return report.organisation, report


def unread_count(user):
    """The user's unread notices, as an expression to read with another query."""
    from measures.models import Notification

    unread = (
        Notification.objects.filter(user=user.pk, read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0)


# The user's unread-notice count, read with the organisation (access_organisation) and shown
# by the header of the same request: set on the request's user object, never shared.
UNREAD_ATTRIBUTE = "_ita_unread_notifications"


def remember_unread(user, count: int) -> None:
    setattr(user, UNREAD_ATTRIBUTE, count)


def remembered_unread(user) -> int | None:
    """The count access_organisation read in this request, or None (then the header asks)."""
    return getattr(user, UNREAD_ATTRIBUTE, None)


def forget_unread(user) -> None:
    """A notice was created or read for this user: the header asks the database again."""
    if hasattr(user, UNREAD_ATTRIBUTE):
        delattr(user, UNREAD_ATTRIBUTE)


def access_supervision(user: User | AnonymousUser, code: str) -> Organisation:
    """An organisation the user supervises, directly or from a body above it; 404 otherwise.

    Its dashboard shows every agency below it, so being a member of it is not enough."""
    return get_object_or_404(Organisation.objects.supervisable_by(user, code))


def access_fiscal_year(year: int) -> FiscalYear:
    return get_object_or_404(FiscalYear.objects.with_framework(), year=year)


def access_edition(organisation: Organisation, fiscal_year: FiscalYear) -> Edition:
    """The edition the organisation answers in the year (its scores', else its scheme's); 404 when none."""
    from assessments.frameworks import NoEdition
    from assessments.services import edition_for

    try:
        return edition_for(organisation, fiscal_year)
    except NoEdition as exc:
        raise Http404(str(exc)) from exc


def access_assessment(user, code: str, year: int):
    organisation = access_organisation(user, code)
    fiscal_year = access_fiscal_year(year)
    from django.db.models import Exists, OuterRef

    from assessments.models import Score

    assessment = (
        Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year)
        .select_related("edition__fiscal_year")
        # whether it holds scores (the analysis page's first question), in the same query
        .annotate(holds_scores=Exists(Score.objects.filter(assessment=OuterRef("pk"))))
        .first()
    )
    if assessment is not None:  # the rows just read: the analysis reads both, and a lazy load is a query each
        assessment.organisation, assessment.fiscal_year = organisation, fiscal_year
    return organisation, fiscal_year, assessment


def access_plan(user, code: str, year: int):
    """The organisation and its plan for the year (None when there is none yet).

    The year needs no framework of its own: a plan for N needs only an analysed year
    before it (assessments.services.plan_fiscal_year); otherwise a 404."""
    from assessments.services import plan_fiscal_year

    organisation = access_organisation(user, code)
    # The plan comes with its year; the year alone is read (or made) only when there is no plan.
    found = _PLAN_QUERY.objects(organisation.pk, year, year - 1) if 0 < year <= 32_767 else []  # the column's range
    plan = found[0] if found else None
    fiscal_year = plan.fiscal_year if plan is not None else plan_fiscal_year(year)
    if fiscal_year is None:
        raise Http404(f"ยังไม่มีผลการประเมินปี {year - 1} ให้จัดทำมาตรการปี {year}")
    return organisation, fiscal_year, plan


def plan_query(organisation_id: int, year: int, previous_year: int):
    """access_plan's query: the organisation's plan for ``year`` with its years (so the year
    needs no query of its own when there is a plan), approved revision and organisation, and
    whether the organisation has a plan for ``previous_year`` (the plan page offers to carry
    it over)."""
    from django.db.models import Exists

    from measures.models import Plan

    return first_of(
        Plan.objects.filter(organisation_id=organisation_id, fiscal_year__year=year)
        .select_related("fiscal_year", "analysis_year", "approved_revision", "organisation")
        .defer("approved_revision__snapshot")  # 25 KB of JSON decoded per request; no caller reads it
        .annotate(
            previous_exists=Exists(
                Plan.objects.filter(organisation_id=organisation_id, fiscal_year__year=previous_year)
            )
        )
    )


# Building plan_query cost about 3 ms a request: compiled once (ita_portal.compiled).
_PLAN_QUERY = Compiled(plan_query, markers=(MARKER, YEAR_MARKER, YEAR_MARKER - 1))


def may_edit(organisation: Organisation, user) -> bool:
    """Staff of the organisation (or an administrator) change its scores, measures and follow-up."""
    return user.is_authenticated and (user.is_superuser or bool(organisation.role_of(user) & EDIT_ROLES))


def require_edit(organisation: Organisation, user) -> None:
    if not may_edit(organisation, user):
        raise PermissionDenied("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขข้อมูลได้")


# --------------------------------------------------------------------------- #
# The approval chain and decisions (segregation of duties)
# --------------------------------------------------------------------------- #

# Only these roles may sit on a step of the chain: a clerk (staff) never approves.
STEP_ROLES = frozenset({Role.APPROVER, Role.EXECUTIVE})


def roles_in(organisation: Organisation, user) -> set[str]:
    """The roles a user holds in an organisation, read from the database (an organisation
    fetched by access_organisation has only the requesting user's memberships prefetched)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(organisation=organisation, user=user).values_list("role", flat=True))


def may_configure_chain(organisation: Organisation, user) -> bool:
    """The organisation's executive (or an administrator) sets the approval chain."""
    return user.is_authenticated and (user.is_superuser or Role.EXECUTIVE in organisation.role_of(user))


def require_configure_chain(organisation: Organisation, user) -> None:
    if not may_configure_chain(organisation, user):
        raise PermissionDenied("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงกำหนดสายการอนุมัติได้")


def may_configure_documents(organisation: Organisation, user) -> bool:
    """The organisation's executive (or an administrator) sets how its documents are signed
    and headed: the document-number prefix, the emblem and the sign-off blocks."""
    return may_configure_chain(organisation, user)


def require_configure_documents(organisation: Organisation, user) -> None:
    if not may_configure_documents(organisation, user):
        raise PermissionDenied("เฉพาะผู้บริหารของหน่วยงานหรือผู้ดูแลระบบจึงกำหนดตราหน่วยงาน เลขที่หนังสือ และช่องลงนามได้")


def chain_locked(organisation: Organisation) -> bool:
    """The chain cannot change while a plan of the organisation is under consideration."""
    from measures.models import Plan

    return Plan.objects.filter(organisation=organisation, state=Plan.State.SUBMITTED).exists()


def step_holders_eligible(organisation: Organisation):
    """Users who may be put on a step: approvers and executives of this organisation."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organisation=organisation, memberships__role__in=list(STEP_ROLES))
        .distinct()
    )


def step_holder_refusal(organisation: Organisation, user, *, chain, except_step=None) -> str | None:
    """Why this user may not be put on a step (Thai), or None: only approvers and executives
    of the organisation, and one person holds one step (acting twice would block the plan)."""
    name = user.get_full_name() or user.username
    if not user.is_active or not (roles_in(organisation, user) & STEP_ROLES):
        return f"{name} ไม่มีบทบาทผู้พิจารณาหรือผู้บริหารของหน่วยงานนี้ จึงอยู่ในสายการอนุมัติไม่ได้"
    for step in chain:
        if step is not except_step and user in step.users.all():
            return f"{name} อยู่ในขั้นตอน “{step.title}” แล้ว หนึ่งคนอยู่ได้เพียงหนึ่งขั้นตอน"
    return None


def contributors_of(plan) -> set[int]:
    """Ids of the users who drafted, edited or submitted the plan's current revision."""
    return set(plan.contributors.filter(revision=plan.revision).values_list("user_id", flat=True))


def decision_refusal(plan, user, *, chain, contributors=None) -> str | None:
    """Why this user may not decide on the plan now (Thai), or None if they may.

    The rules, in order: the plan is under consideration; the user sits on its current step
    and still holds an approver or executive role; they neither drafted, edited nor submitted
    this revision; they have not already decided in this round."""
    from measures.models import Decision, Plan

    if not user.is_authenticated:
        return "กรุณาเข้าสู่ระบบ"
    if plan.state != Plan.State.SUBMITTED:
        return f"แผนอยู่ในสถานะ “{plan.get_state_display()}” จึงยังไม่มีการพิจารณา"
    step = next((s for s in chain if s.order == plan.current_step), None)
    if step is None or user not in step.users.all():
        return "ท่านไม่ใช่ผู้พิจารณาในขั้นตอนปัจจุบันของแผนนี้"
    if not (roles_in(plan.organisation, user) & STEP_ROLES):
        return "ท่านไม่มีบทบาทผู้พิจารณาหรือผู้บริหารของหน่วยงานนี้แล้ว จึงพิจารณาไม่ได้"
    if user.pk in (contributors if contributors is not None else contributors_of(plan)):
        return "ท่านเป็นผู้จัดทำ แก้ไข หรือเสนอแผนฉบับนี้ จึงพิจารณาแผนฉบับนี้ไม่ได้ (การแบ่งแยกหน้าที่)"
    acted = Decision.objects.filter(plan=plan, revision=plan.revision, submission=plan.submission, user=user).exclude(
        kind=Decision.Kind.SUBMIT
    )
    if acted.exists():
        return "ท่านได้พิจารณาแผนนี้ในรอบนี้แล้ว"
    return None


def decision_kinds(plan, user, *, chain, contributors=None) -> list[str]:
    """The decisions this user may record now, in the order the buttons show them: an
    intermediate step passes the plan on or returns it; the last step approves, does not
    approve, or returns it. Empty when the user may not decide."""

    if decision_refusal(plan, user, chain=chain, contributors=contributors) is not None:
        return []
    return step_kinds(plan, chain=chain)


def step_kinds(plan, *, chain) -> list[str]:
    """The decisions of the plan's current step, for someone already allowed to decide
    (decision_refusal returned None): the last step approves, does not approve or returns;
    any other passes the plan on or returns it."""
    from measures.models import Decision

    if plan.current_step == chain[-1].order:
        return [Decision.Kind.APPROVE, Decision.Kind.REJECT, Decision.Kind.RETURN]
    return [Decision.Kind.FORWARD, Decision.Kind.RETURN]


def chain_refusal_at_submit(plan, *, chain, contributors) -> str | None:
    """Why the plan cannot go up the chain now (Thai), or None: every step needs a holder
    who may decide on it — someone with an approver or executive role who neither drafted,
    edited nor submitted this revision — or the plan would wait forever."""
    if not chain:
        return "หน่วยงานยังไม่ได้กำหนดสายการอนุมัติ"
    seen = {}
    for step in chain:  # one person one step: the second would wait forever (each acts once a round)
        for user in step.users.all():
            if user.pk in seen:
                name = user.get_full_name() or user.username
                return f"{name} อยู่ทั้งขั้นตอน “{seen[user.pk]}” และ “{step.title}” หนึ่งคนอยู่ได้เพียงหนึ่งขั้นตอน"
            seen[user.pk] = step.title
    for step in chain:
        holders = [u for u in step.users.all() if u.is_active and roles_in(plan.organisation, u) & STEP_ROLES]
        if not holders:
            return f"ขั้นตอน “{step.title}” ยังไม่มีผู้พิจารณาที่มีบทบาทผู้พิจารณาหรือผู้บริหาร"
        if all(u.pk in contributors for u in holders):
            return f"ขั้นตอน “{step.title}” มีเพียงผู้ที่จัดทำ แก้ไข หรือเสนอแผนฉบับนี้ ผู้จัดทำพิจารณาแผนของตนเองไม่ได้ (การแบ่งแยกหน้าที่)"
    return None


def may_read_audit(organisation: Organisation, user) -> bool:
    """The organisation's executive (or an administrator) reads its audit trail."""
    return user.is_authenticated and (user.is_superuser or Role.EXECUTIVE in organisation.role_of(user))


# Whoever may sit on a step of a chain signs in with a second factor.
MFA_ROLES = STEP_ROLES


def may_move_history(user) -> bool:
    """Exporting an organisation's whole history (people, files) or restoring one over the
    portal's data: superusers only, from the command line or the admin."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def requires_mfa(user) -> bool:
    """Whoever decides on plans (an approver or executive of any organisation) and every
    administrator signs in with a second factor: their approval is the agency's signature."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role__in=MFA_ROLES).exists()
