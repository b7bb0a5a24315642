"""Who may do what: every access helper and permission predicate in one place.

Views, templates, forms and services ask these functions, so a rule is written once.
``access_*`` fetch a row and check that the user may read it in one step (another
organisation's data is a 404, never a 403, so its existence is not revealed);
``may_*`` answer a yes/no question; ``require_*`` raise PermissionDenied with a Thai
message naming the rule.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from assessments.models import EDIT_ROLES, Assessment, FiscalYear, Membership, Organisation


def access_organisation(user: User | AnonymousUser, code: str) -> Organisation:
    """The organisation if the user may read it; 404 otherwise (never reveal it exists)."""
    qs = Organisation.objects.visible_to(user).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(user=user))
    )
    return get_object_or_404(qs, code=code)


def access_supervision(user: User | AnonymousUser, code: str) -> Organisation:
    """An organisation the user supervises, directly or from a body above it; 404 otherwise.

    Its dashboard shows every agency below it, so being a member of it is not enough."""
    return get_object_or_404(Organisation.objects.supervisable_by(user, code))


def access_fiscal_year(year: int) -> FiscalYear:
    return get_object_or_404(FiscalYear.objects.with_framework(), year=year)


def access_assessment(user, code: str, year: int):
    organisation = access_organisation(user, code)
    fiscal_year = access_fiscal_year(year)
    assessment = Assessment.objects.filter(organisation=organisation, fiscal_year=fiscal_year).first()
    return organisation, fiscal_year, assessment


def access_plan(user, code: str, year: int):
    """The organisation and its plan for the year (None when there is none yet)."""
    from measures.models import Plan

    organisation = access_organisation(user, code)
    fiscal_year = access_fiscal_year(year)
    plan = (
        Plan.objects.filter(organisation=organisation, fiscal_year=fiscal_year)
        .select_related("fiscal_year", "analysis_year", "approved_revision", "organisation")
        .first()
    )
    return organisation, fiscal_year, plan


def may_edit(organisation: Organisation, user) -> bool:
    """Staff of the organisation (or an administrator) change its scores, measures and follow-up."""
    return user.is_authenticated and (user.is_superuser or bool(organisation.role_of(user) & EDIT_ROLES))


def require_edit(organisation: Organisation, user) -> None:
    if not may_edit(organisation, user):
        raise PermissionDenied("เฉพาะเจ้าหน้าที่ของหน่วยงานจึงแก้ไขข้อมูลได้")
