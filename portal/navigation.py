"""The portal's service name and navigation. A later slice adds its section with one NavItem
(e.g. a landlord's profile, shown to landlords and property managers only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.permissions import is_applicant

SERVICE_NAME = _("Apply for help with rent")


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    visible: Callable = is_applicant
    exact: bool = False  # the home page's path prefixes every portal page


NAVIGATION: list[NavItem] = [
    NavItem("portal-home", _("Your applications"), exact=True),
    NavItem("portal-account", _("Your account")),
]


def portal_navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    items = []
    for item in NAVIGATION:
        if not item.visible(user):
            continue
        url = reverse(item.url_name)
        current = request.path == url if item.exact else request.path.startswith(url)
        items.append({"url": url, "label": item.label, "current": current})
    return items
