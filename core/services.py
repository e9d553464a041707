"""Writes that core owns: staff accounts and their roles, and the worker heartbeat."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core import errors
from core.audit import audited
from core.models import Heartbeat, User
from core.permissions import can_manage_staff_roles
from core.roles import ADMIN_SITE_ROLES, Role


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create an account of the given kind. actor None means the system (seed, registration).
    Raises ValidationError when the email is taken or the kind is unknown."""
    if kind not in User.Kind.values:
        raise errors.ValidationError(fields={"kind": [f"Unknown kind {kind!r}."]})
    if User.objects.filter(email__iexact=email).exists():
        raise errors.ValidationError(fields={"email": ["An account with this email address already exists."]})
    with audited(actor=actor, action="user_create"):
        return User.objects.create_user(
            email=email, password=password, kind=kind, first_name=first_name, last_name=last_name
        )


@transaction.atomic
def staff_set_roles(*, actor: User | None, user: User, roles: set[Role] | set[str]) -> User:
    """Give a staff member exactly these roles. Admin-site access (is_staff) follows the roles:
    supervisors and administrators have it, caseworkers do not.

    Who: administrators (actor None is the system, e.g. seeding).
    Raises PermissionDenied for anyone else, ValidationError for an applicant or unknown role.
    """
    if actor is not None and not can_manage_staff_roles(actor):
        raise errors.PermissionDenied("Only administrators can change staff roles.")
    wanted = {Role(r) for r in roles if r in Role.values}
    if len(wanted) != len(set(roles)):
        raise errors.ValidationError(fields={"roles": [f"Unknown role in {sorted(map(str, roles))}."]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.kind != User.Kind.STAFF:
        raise errors.ValidationError(fields={"roles": ["Applicant accounts cannot hold staff roles."]})
    with audited(actor=actor, action="staff_set_roles", roles=sorted(wanted)):
        user.groups.set(Group.objects.filter(name__in=wanted))
        user.is_staff = bool(wanted & ADMIN_SITE_ROLES) or user.is_superuser
        user.save(update_fields=["is_staff"])
    return user


def heartbeat_record(*, name: str, hostname: str = "") -> Heartbeat:
    """Note that `name` (a worker running beat's schedule) is alive now. Safe to run twice."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now(), "hostname": hostname[:255]}
    )
    return heartbeat
