"""Which language a page is in. Django's LocaleMiddleware has already chosen one from the
language cookie (set by the switcher) or the browser's Accept-Language; this refines it:

- on portal pages, a signed-in applicant's remembered choice (ApplicantProfile.preferred_language)
  wins, on every device they sign in on. It is read from their profile once per session and kept
  in the session, so a page costs no query for it;
- on every other page (staff pages, the admin, the API) only the staff languages
  (settings.STAFF_LANGUAGES) are used: a caseworker whose browser prefers Spanish, or who switched
  the portal to Spanish while testing it, still gets the organisation's language, as before the
  portal offered others.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "portal_language"
_portal_prefix = SimpleLazyObject(lambda: reverse("portal-home"))


def portal_languages() -> set[str]:
    return {code for code, _name in settings.PORTAL_LANGUAGES}


def portal_language_name(code: str) -> str:
    """The language's own name as the switcher shows it (en-us is the portal's English too)."""
    primary = code.split("-")[0]
    return next((name for known, name in settings.PORTAL_LANGUAGES if known.split("-")[0] == primary), "")


def remember_in_session(request, language: str) -> None:
    """Called when an applicant signs in or switches language."""
    request.session[SESSION_KEY] = language


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.language_for(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

    def language_for(self, request) -> str | None:
        current = translation.get_language()
        if not request.path.startswith(str(_portal_prefix)):
            staff = {code for code, _name in settings.STAFF_LANGUAGES}
            return None if current in staff else settings.LANGUAGE_CODE
        remembered = self.remembered(request)
        return remembered if remembered in portal_languages() else None

    @staticmethod
    def remembered(request) -> str:
        from portal.permissions import is_applicant
        from portal.selectors import profile_for

        user = getattr(request, "user", None)
        if not is_applicant(user):
            return ""
        if SESSION_KEY not in request.session:
            request.session[SESSION_KEY] = profile_for(user).preferred_language
        return request.session[SESSION_KEY]
