"""Who may do what with skills and routing profiles."""

from __future__ import annotations

from core.permissions import is_staff_member, is_supervisor


def can_view_routing(user) -> bool:
    """Skills and routing profiles (who can take what) are visible to all staff."""
    return is_staff_member(user)


def can_manage_routing(user) -> bool:
    """Supervisors (and administrators) define skills and set each person's skills and capacity."""
    return is_supervisor(user)


def can_set_presence(actor, user) -> bool:
    """Staff set their own presence; supervisors may set anyone's (e.g. someone who left
    without signing out)."""
    if not is_staff_member(actor):
        return False
    return actor.pk == user.pk or is_supervisor(actor)
