"""The portal's service name and navigation. A later slice adds its section with one NavItem
(e.g. a landlord's profile, shown to landlords and property managers only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem, navigation_for
from portal.permissions import is_applicant

SERVICE_NAME = _("Apply for help with rent")


def _is_landlord(user) -> bool:
    from portal.selectors.landlords import is_landlord

    return is_landlord(user)


def _is_advocate(user) -> bool:
    from portal.selectors.landlords import is_advocate

    return is_advocate(user)


# The home page's path prefixes every portal page, hence `exact`.
NAVIGATION: list[NavItem] = [
    NavItem("portal-home", _("Your applications"), visible=is_applicant, exact=True),
    NavItem("portal-landlord-profile", _("Your profile"), visible=_is_landlord),
    NavItem("portal-advocate-landlords", _("Landlords you act for"), visible=_is_advocate),
    NavItem("portal-account", _("Your account"), visible=is_applicant),
]


def portal_navigation_for(request) -> list[dict]:
    return navigation_for(request, NAVIGATION)
