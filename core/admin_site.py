from django.conf import settings
from django.contrib import admin


class SupervisorAdminSite(admin.AdminSite):
    """The Django admin, branded for supervisors. Only staff accounts with an admin-site role
    (supervisor, administrator) get in; applicants never do, whatever their flags say."""

    site_header = f"{settings.SITE_NAME}: supervisors"
    site_title = f"{settings.SITE_NAME} admin"
    index_title = "Configuration, staff and audit"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "kind", None) == "staff")
