from rest_framework.permissions import BasePermission

from core.permissions import is_staff_member


class IsStaffMember(BasePermission):
    """The default for /api/v1/: signed-in, active staff. Applicants get 403, whatever they hold."""

    message = "This API is for staff accounts only."

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class IsSignedIn(BasePermission):
    """Endpoints applicants use too (their own cases): any signed-in, active user. The view's
    selector and the service decide which objects and actions each user may have."""

    message = "Sign in to use this API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)
