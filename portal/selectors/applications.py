"""Reads for the tenant application pages, each scoped to the signed-in applicant: their own
application through portal.selectors.application_get (anyone else's is a 404), their draft for
the home page, and the duplicate check at intake (which says whether an open application
exists, never whose)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from casework.models import Case, CaseType, Status, Workflow
from portal.models import TenantApplication
from portal.permissions import is_applicant
from portal.selectors import application_get


def tenant_case_types() -> list[CaseType]:
    """The programmes a tenant can apply to: active case types with the tenant workflow."""
    return list(CaseType.objects.filter(workflow=Workflow.RENTAL_TENANT, is_active=True).order_by("name", "pk"))


def tenant_application_get(user, number: str) -> TenantApplication:
    """The tenant application numbered `number` that `user` applied on (or was granted), with its
    case. Raises Http404 for anyone else's, a landlord's application, or none at all."""
    case = application_get(user, number)
    application = (
        TenantApplication.objects.select_related("case", "case__case_type", "case__applicant")
        .filter(case=case, case__workflow=Workflow.RENTAL_TENANT)
        .first()
    )
    if application is None:
        raise Http404(_("There is no such application."))
    return application


def draft_tenant_application_for(user) -> TenantApplication | None:
    """`user`'s newest tenant application still in draft (to continue from the home page)."""
    if not is_applicant(user):
        return None
    return (
        TenantApplication.objects.select_related("case")
        .filter(case__applicant=user, case__workflow=Workflow.RENTAL_TENANT, case__status=Status.DRAFT)
        .order_by("-case__created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Duplicate:
    """An open tenant application for the same home or household. `case` is only for the
    applicant's own: for someone else's the portal says no more than that one exists."""

    own: bool
    same_home: bool
    case: Case | None


def open_duplicate(*, user, address_key: str, household_key: str, exclude_case: Case | None = None) -> Duplicate | None:
    """An open (not closed) tenant application with the same home (address key) or the same head
    of household (name and date of birth), preferring the applicant's own; None when there is
    none. `exclude_case` leaves out the application being submitted."""
    match = Q()
    if address_key:
        match |= Q(address_key=address_key)
    if household_key:
        match |= Q(household_key=household_key)
    if not match:
        return None
    found = (
        TenantApplication.objects.filter(match, case__workflow=Workflow.RENTAL_TENANT)
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
    )
    if exclude_case is not None:
        found = found.exclude(case=exclude_case)
    rows = list(found.order_by("case__created_at", "pk")[:20])
    if not rows:
        return None
    own = [row for row in rows if row.case.applicant_id == user.pk]
    chosen = own[0] if own else rows[0]
    return Duplicate(
        own=bool(own),
        same_home=bool(address_key) and chosen.address_key == address_key,
        case=chosen.case if own else None,
    )
