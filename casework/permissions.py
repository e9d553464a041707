"""Who may do what with people and places."""

from __future__ import annotations

from core.permissions import has_role, is_staff_member, is_supervisor
from core.roles import Role


def can_view_people_and_places(user) -> bool:
    """Contacts, households, properties and tenancies are visible to every staff member."""
    return is_staff_member(user)


def can_edit_people_and_places(user) -> bool:
    """Any staff member records contacts, households, organisations, properties and tenancies."""
    return is_staff_member(user)


def can_manage_areas(user) -> bool:
    """Regions, patches and the postcode lookup are reference data that supervisors (and
    administrators) maintain."""
    return is_supervisor(user)


def can_verify_property_region(user) -> bool:
    """Confirming a property's looked-up patch, or overriding it with a reason, is for case
    managers and reviewers (the seed's "CM and reviewers verify GIS"), and supervisors."""
    return has_role(user, Role.CASE_MANAGER, Role.REVIEWER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def can_create_contact_by_hand(user) -> bool:
    """Applicants' contact records come from registrations and submissions, not from staff typing
    them in: only a superuser may add one directly (the admin's "add contact"). The one staff
    exception, adding a household member to a case, is case_household_member_add."""
    return is_staff_member(user) and user.is_superuser


def can_link_contact_external_key(user) -> bool:
    """Any staff member may link another system's key to a contact; the service checks that the
    records match before it does."""
    return is_staff_member(user)


# --- cases -----------------------------------------------------------------------------------
# Staff work every case (the service is one organisation's caseload). An applicant sees and acts
# on their own applications only; an advocate or agent acts on another's case only through a
# per-object grant (django-guardian, casework.CaseUserObjectPermission), never a global one.


def is_case_applicant(user, case) -> bool:
    """`user` is the case's applicant, or has been granted the case (e.g. an advocate)."""
    if not (user and user.is_authenticated and user.is_active) or is_staff_member(user):
        return False
    return case.applicant_id == user.pk or user.has_perm("casework.change_case", case)


def can_view_case(user, case) -> bool:
    return is_staff_member(user) or is_case_applicant(user, case) or _granted_view(user, case)


def _granted_view(user, case) -> bool:
    return bool(user and user.is_authenticated and user.is_active) and user.has_perm("casework.view_case", case)


def can_work_case(user, case) -> bool:
    """Edit details, add notes, tasks, documents, referrals; move open cases along their chevrons.
    A closed case is read-only to caseworkers: see can_change_closed_case."""
    return is_staff_member(user)


def can_change_closed_case(user) -> bool:
    """Only supervisors reopen closed cases (and only they may touch one before reopening)."""
    return is_supervisor(user)


def can_configure_casework(user) -> bool:
    """Case types and their picklists, teams, queues and referral reasons."""
    return is_supervisor(user)


# --- teams, queues and referrals -------------------------------------------------------------


def is_team_member(user, team) -> bool:
    """`user` is an active staff member listed in `team`."""
    return is_staff_member(user) and team.members.filter(pk=user.pk).exists()


def can_take_from_queue(user, queue) -> bool:
    """Members of the queue's team take its cases; everyone else may only look."""
    return is_team_member(user, queue.team)


def can_act_on_referral(user, referral) -> bool:
    """Accepting and completing a referral is for the team it was referred to."""
    return is_team_member(user, referral.team)
