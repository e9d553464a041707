"""Reads of cases with the permission rules applied (casework.permissions): staff see every
case; an applicant sees the cases they applied on and those they have been granted."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.models import Case, CaseUserObjectPermission
from core import errors
from core.permissions import is_staff_member


def case_list_for(*, user) -> QuerySet[Case]:
    """Every case `user` may see, unordered filters left to the caller."""
    cases = Case.objects.select_related("case_type", "contact", "owner", "owner_queue")
    if is_staff_member(user):
        return cases
    if not (user and user.is_authenticated and user.is_active):
        return cases.none()
    granted = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename__in=["view_case", "change_case"]
    )
    return cases.filter(Q(applicant=user) | Exists(granted))


def case_get(*, user, case_id: int) -> Case:
    """The case, if `user` may see it. Raises NotFound otherwise: an applicant cannot tell a case
    that is not theirs from one that does not exist."""
    case = case_list_for(user=user).filter(pk=case_id).first()
    if case is None:
        raise errors.NotFound("There is no such case.")
    return case


def existing_open_cases(*, contact, case_type) -> QuerySet[Case]:
    """The contact's open cases of this type, newest first: shown before a new case is opened so
    the caseworker can add a note to an existing case instead."""
    return (
        Case.objects.filter(contact=contact, case_type=case_type)
        .exclude(status="closed")
        .select_related("owner", "owner_queue")
        .order_by("-created_at")
    )


def case_page_get(*, user, case_id: int) -> Case:
    """The case for its staff page, with everything the summary shows loaded in this one query
    (contact, tenancy and household, property, owner or queue, parent case, last reviewer), plus
    `potential_owner`: the person a pending offer is waiting on, if any (one more query), and
    `linked_cases`: its children, e.g. a tenant case's landlord case or a denial's appeal (one
    more). Raises NotFound as case_get."""
    from core.models import User

    case = (
        case_list_for(user=user)
        .select_related(
            "tenancy__household", "tenancy__property", "property", "parent__case_type", "last_reviewed_by", "applicant"
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise errors.NotFound("There is no such case.")
    # Offers belong to assignments, which builds on casework: read them through the reverse
    # relation rather than importing that app here.
    # Two attributes the page reads, set on this instance only (not model fields).
    case.potential_owner = User.objects.filter(offers__case=case, offers__status="pending").first()  # type: ignore[attr-defined]
    case.linked_cases = list(case.children.select_related("case_type").order_by("created_at", "pk"))  # type: ignore[attr-defined]
    return case
