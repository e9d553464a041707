"""Notices on the applicant's home page (and, for visitors, the start page: portal.views.home):
what supervisors posted for everyone, or for the applicant's region, patch or programme."""

from __future__ import annotations

from portal.panels import Panel, home_panel
from portal.selectors import notices_for


@home_panel(order=20)
def notices_panel(request) -> Panel | None:
    """The live notices for the signed-in applicant, or nothing when there are none."""
    notices = notices_for(request.user)
    return Panel("portal/home/_notices.html", {"notices": notices}) if notices else None
