"""Staff roles are Django groups. Which model permissions each role holds is declared by each app
(`role_permissions` on its AppConfig) and applied after every migrate, so adding a model and its
permissions to a role is one line in the app that owns it."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    # Caseworkers on the later chevrons: they also verify or override a property's region.
    CASE_MANAGER = "case_manager", "Case manager"
    REVIEWER = "reviewer", "Reviewer"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles whose holders may sign in to the Django admin (is_staff).
ADMIN_SITE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def declared_role_permissions() -> dict[str, set[str]]:
    """{role: {"app_label.codename", ...}} gathered from every installed app. Case managers,
    reviewers and supervisors also hold everything a caseworker holds."""
    declared: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared[Role(role)].update(perms)
    for senior in (Role.CASE_MANAGER, Role.REVIEWER, Role.SUPERVISOR):
        declared[senior] |= declared[Role.CASEWORKER]
    return declared


def sync_role_groups(using: str = "default") -> None:
    """Create the role groups and give each exactly its declared permissions (administrators:
    all of them). Idempotent; runs after every migrate."""
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    declared = declared_role_permissions()
    all_perms = Permission.objects.using(using).select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        if role == Role.ADMINISTRATOR:
            wanted = list(by_name.values())
        else:
            missing = declared[role] - by_name.keys()
            if missing:
                raise LookupError(f"Role {role.value} names unknown permissions: {sorted(missing)}")
            wanted = [by_name[name] for name in declared[role]]
        group.permissions.set(wanted)


def sync_role_groups_after_migrate(sender, using="default", **kwargs) -> None:
    sync_role_groups(using=using)
