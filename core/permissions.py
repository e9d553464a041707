"""Who may do what, for the things core owns. Object-level rules live with each app's models."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from core.roles import Role


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.kind == "staff")


def has_role(user, *roles: Role) -> bool:
    if not is_staff_member(user):
        return False
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return bool(names & {r.value for r in roles})


def is_supervisor(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMINISTRATOR)


def can_manage_staff_roles(user) -> bool:
    return is_staff_member(user) and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))


def staff_member_required(view):
    """Staff pages: anonymous visitors are sent to sign in; signed-in applicants get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            raise PermissionDenied("This page is for staff. Applicants use the applicant portal.")
        return view(request, *args, **kwargs)

    return wrapper
