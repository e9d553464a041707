"""The staff pages' service navigation: one list, in the order shown. Each entry names its URL,
its label, who sees it and the path prefix that marks it as the current section."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import is_staff_member, is_supervisor


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    visible: Callable = is_staff_member
    exact: bool = False  # the worktray lives at /staff/, which prefixes every staff page


NAVIGATION: list[NavItem] = [
    NavItem("staff-home", _("My worktray"), exact=True),
    NavItem("staff-search", _("Search")),
    NavItem("arrears-worktray", _("Arrears")),
    NavItem("staff-enquiries", _("Take an enquiry")),
    NavItem("supervisor-home", _("Supervisor"), visible=is_supervisor),
    NavItem("staff-bulk-letters", _("Bulk letters"), visible=is_supervisor),
    NavItem("staff-sla", _("SLAs"), visible=is_supervisor),
    NavItem("staff-payment-batches", _("Payments"), visible=is_supervisor),
    NavItem("job-list", _("Background jobs"), visible=is_supervisor),
    NavItem("admin:index", _("Admin"), visible=is_supervisor),
]


def staff_navigation_for(request) -> list[dict]:
    if not is_staff_member(getattr(request, "user", None)):
        return []
    return navigation_for(request, NAVIGATION)


def navigation_for(request, navigation: list[NavItem]) -> list[dict]:
    """The items of `navigation` the user may see, each with its URL, label and whether the
    request is in its section (the staff pages' and the portal's service navigation)."""
    user = getattr(request, "user", None)
    items = []
    for item in navigation:
        if not item.visible(user):
            continue
        url = reverse(item.url_name)
        current = request.path == url if item.exact else request.path.startswith(url)
        items.append({"url": url, "label": item.label, "current": current})
    return items
