"""The portal layout's pieces: `{% portal_service_name %}`, `{% portal_navigation %}` and
`{% language_switcher %}`."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language

from portal.navigation import SERVICE_NAME, portal_navigation_for
from portal.permissions import is_applicant

register = template.Library()


@register.simple_tag
def portal_service_name() -> str:
    return str(SERVICE_NAME)


@register.inclusion_tag("portal/includes/navigation.html", takes_context=True)
def portal_navigation(context) -> dict:
    request = context["request"]
    return {
        "items": portal_navigation_for(request),
        "is_applicant": is_applicant(request.user),
        "signed_in": request.user.is_authenticated,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("portal/includes/language_switcher.html", takes_context=True)
def language_switcher(context) -> dict:
    request = context["request"]
    current = get_language().split("-")[0]  # en-us is the portal's English too
    return {
        "languages": [
            {"code": code, "name": name, "current": code.split("-")[0] == current}
            for code, name in settings.PORTAL_LANGUAGES
        ],
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def portal_contact() -> dict:
    """How applicants reach the organisation (settings.ORGANISATION): email, phone, address."""
    return settings.ORGANISATION
