"""Who may do what with people and places."""

from __future__ import annotations

from core.permissions import is_staff_member, is_supervisor


def can_view_people_and_places(user) -> bool:
    """Contacts, households, properties and tenancies are visible to every staff member."""
    return is_staff_member(user)


def can_edit_people_and_places(user) -> bool:
    """Any staff member records contacts, households, organisations, properties and tenancies."""
    return is_staff_member(user)


def can_manage_areas(user) -> bool:
    """Regions and patches are reference data that supervisors (and administrators) maintain."""
    return is_supervisor(user)
