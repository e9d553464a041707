"""Reads of the organisations involved in a case. Staff only: applicants never see them here."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.models import CaseOrganisation
from casework.selectors.cases import case_get
from core import errors
from core.permissions import is_staff_member


def case_organisation_list_for(*, user, case_id: int) -> QuerySet[CaseOrganisation]:
    """The organisations involved in a case, by role. Staff only; raises NotFound otherwise."""
    if not is_staff_member(user):
        raise errors.NotFound("There is no such case.")
    case = case_get(user=user, case_id=case_id)
    return case.organisations.select_related("organisation")


def case_organisation_get(*, user, case_id: int, link_id: int) -> CaseOrganisation:
    link = case_organisation_list_for(user=user, case_id=case_id).filter(pk=link_id).first()
    if link is None:
        raise errors.NotFound("That organisation is not linked to this case.")
    return link
