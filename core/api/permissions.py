from rest_framework.permissions import BasePermission

from core.permissions import is_staff_member


class IsStaffMember(BasePermission):
    """The default for /api/v1/: signed-in, active staff. Applicants get 403, whatever they hold."""

    message = "This API is for staff accounts only."

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)
