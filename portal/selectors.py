"""Every read the portal makes, scoped to the signed-in applicant: an applicant sees only their
own applications (and those they have been granted, e.g. an advocate acting for someone), never
anyone else's, whatever id a URL carries. Later slices add theirs here (or in a selectors/
package when this passes ~400 lines)."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.models import Case
from casework.selectors.cases import case_list_for
from portal.models import ApplicantProfile
from portal.permissions import is_applicant


def profile_for(user) -> ApplicantProfile:
    """The applicant's portal profile; for an account made outside the portal that has none yet,
    an unsaved default (not verified, no language chosen). Read once per request: the user
    object keeps it."""
    try:
        return user.applicant_profile
    except ApplicantProfile.DoesNotExist:
        return ApplicantProfile(user=user)


def applications_for(user) -> QuerySet[Case]:
    """The cases `user` applied on or has been granted (casework.selectors.cases.case_list_for),
    newest first, with what the home page shows. Nothing for anyone who is not an applicant:
    staff see every case on the staff pages, never here."""
    if not is_applicant(user):
        return Case.objects.none()
    return (
        case_list_for(user=user)
        .select_related(None)
        .select_related("case_type")
        .only("id", "number", "status", "closure_stage", "status_changed_at", "created_at", "case_type__name")
        .order_by("-created_at", "-id")
    )
