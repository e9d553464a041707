"""Reads of cases with the permission rules applied (casework.permissions): staff see every
case; an applicant sees the cases they applied on and those they have been granted."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from casework.models import Case, CaseUserObjectPermission, Tenancy
from communications.models import Message
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


def case_get(*, user, case_id: int | Case) -> Case:
    """The case, if `user` may see it. Raises NotFound otherwise: an applicant cannot tell a case
    that is not theirs from one that does not exist. Given a case already loaded (a page reading
    several sections of one case), staff get it back without another query: they see every case."""
    if isinstance(case_id, Case) and is_staff_member(user):
        return case_id
    case = case_list_for(user=user).filter(pk=getattr(case_id, "pk", case_id)).first()
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


# What the summary shows of the people and cases linked to a case: a name, a number and type.
PERSON_FIELDS = ("id", "first_name", "last_name", "email")


def _linked_cases() -> QuerySet[Case]:
    return Case.objects.select_related("case_type").only(
        "id", "number", "workflow", "status", "parent_id", "case_type", "case_type__name"
    )


def case_page_get(*, user, case_id: int) -> Case:
    """The case for its staff page, with everything the summary shows loaded: its type, contact,
    owner or queue, property, the person a pending offer waits on, whether other cases link to
    it and whether a letter or message about it needs review (subqueries) in the case's own
    query; then its tenancy (with household and property), its parent and children
    (`linked_cases`: e.g. a tenant case's landlord case or a denial's appeal), and the people
    named (its last reviewer and `potential_owner`), one small query each, and only when there
    is something to read. One query joining all of them made
    PostgreSQL weigh 14 relations' join orders (~20 ms of planning at a million cases; two more
    joins on the case's five cost ~3.5 ms). Raises NotFound as case_get."""
    from casework.selectors.clocks import badge_of, sla_annotations
    from core.models import User

    # Offers belong to assignments, which builds on casework: reach them through the reverse
    # relation rather than importing that app here.
    offer = Case._meta.get_field("offers").related_model
    offered_to = offer._default_manager.filter(case=OuterRef("pk"), status="pending").values("user_id")[:1]
    # A letter or message that failed or is held for missing details flags the case.
    to_review = Message.objects.filter(
        regarding_type=ContentType.objects.get_for_model(Case), regarding_id=OuterRef("pk"), needs_review=True
    )
    case = (
        case_list_for(user=user)
        .select_related("property")
        .annotate(
            potential_owner_id=Subquery(offered_to),
            has_linked_cases=Exists(Case.objects.filter(parent=OuterRef("pk"))),
            has_messages_to_review=Exists(to_review),
            **sla_annotations(),
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise errors.NotFound("There is no such case.")
    case.sla_badge = badge_of(case)  # type: ignore[attr-defined]  # for the summary
    case.tenancy = (
        Tenancy.objects.select_related("household", "property").filter(pk=case.tenancy_id).first()
        if case.tenancy_id
        else None
    )
    family = []
    if case.parent_id or case.has_linked_cases:  # type: ignore[attr-defined]
        family = list(_linked_cases().filter(Q(pk=case.parent_id) | Q(parent=case)).order_by("created_at", "pk"))
    case.parent = next((linked for linked in family if linked.pk == case.parent_id), None)
    # Set on this instance only, for the page (not model fields).
    case.linked_cases = [linked for linked in family if linked.parent_id == case.pk]  # type: ignore[attr-defined]
    named = [case.last_reviewed_by_id, case.potential_owner_id]  # type: ignore[attr-defined]
    people = {person.pk: person for person in User.objects.only(*PERSON_FIELDS).filter(pk__in=named)}
    case.last_reviewed_by, case.potential_owner = (people.get(pk) for pk in named)  # type: ignore[attr-defined]
    return case
