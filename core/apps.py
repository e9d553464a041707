from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "Users, roles and audit"
    # Permissions each staff role holds in this app (see core.roles); administrators hold all.
    role_permissions = {
        "supervisor": ["pghistory.view_events", "core.view_user", "core.view_heartbeat"],
    }

    def ready(self) -> None:
        from core import roles

        post_migrate.connect(roles.sync_role_groups_after_migrate, sender=self)


class SupervisorAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.SupervisorAdminSite"
