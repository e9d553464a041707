"""Who may use the portal, and the decorators every portal view wears.

- `applicant_required(view)`: a signed-in applicant (tenant, landlord, property manager,
  advocate). Anonymous visitors are sent to the portal's sign-in; staff get 403 (they work cases
  on the staff pages, never through the portal).
- `verified_applicant_required(view)`: as above, and the applicant has confirmed their email
  address; otherwise they are sent to the page that asks them to (and can send the link again).
  Applying, uploading and signing need it; reading their own home page does not.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.permissions import is_supervisor
from portal.models.accounts import APPLICANT_KINDS


def is_applicant(user) -> bool:
    """A signed-in, active account of one of the applicant kinds."""
    return bool(user and user.is_authenticated and user.is_active and user.kind in APPLICANT_KINDS)


def is_verified_applicant(user) -> bool:
    from portal.selectors import profile_for

    return is_applicant(user) and profile_for(user).is_email_verified


def can_change_applicant_kind(user) -> bool:
    """Correcting an applicant registered as the wrong kind (seed 000) is for supervisors."""
    return is_supervisor(user)


def _refuse_non_applicants(request):
    """The response for someone who is not a signed-in applicant, or None for an applicant."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("portal-sign-in"))
    if not is_applicant(request.user):
        raise PermissionDenied(_("These pages are for applicants. Staff work cases on the staff pages."))
    return None


def applicant_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _refuse_non_applicants(request) or view(request, *args, **kwargs)

    return wrapper


def verified_applicant_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refused = _refuse_non_applicants(request)
        if refused is not None:
            return refused
        if not is_verified_applicant(request.user):
            return redirect(f"{reverse('portal-verify-email')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
