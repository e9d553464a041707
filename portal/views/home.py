"""The portal's front door: a start page for visitors, and for a signed-in applicant their home
page (what needs their attention, then their applications); and the language switcher."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from portal.labels import applicant_status, applicant_status_colour
from portal.middleware import portal_languages, remember_in_session
from portal.panels import home_panels_for
from portal.permissions import applicant_required, is_applicant
from portal.selectors import applications_for, notices_for
from portal.services.accounts import applicant_language_set


@require_http_methods(["GET"])
def home(request):
    if not request.user.is_authenticated:
        # Visitors see only the notices for everyone (notices_for: no one's region is known yet).
        return render(request, "portal/start.html", {"notices_panel": {"notices": notices_for(request.user)}})
    return _applicant_home(request)


@applicant_required
def _applicant_home(request):
    applications = [
        {"case": case, "status": applicant_status(case), "colour": applicant_status_colour(case)}
        for case in applications_for(request.user)
    ]
    return render(request, "portal/home.html", {"applications": applications, "panels": home_panels_for(request)})


@require_POST
def language(request):
    """The language switcher: Django's set_language (the language cookie, and back to the page
    the applicant was on), and for a signed-in applicant their choice remembered on their profile
    too, so every device they sign in on uses it."""
    response = set_language(request)  # leaves the cookie alone for a language it has no catalogue for
    code = request.POST.get("language", "")
    if code in portal_languages() and check_for_language(code) and is_applicant(request.user):
        applicant_language_set(actor=request.user, user=request.user, language=code)
        remember_in_session(request, code)
    return response
