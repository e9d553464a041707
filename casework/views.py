from django.shortcuts import render

from casework.selectors import caseload_summary_for
from core.permissions import is_supervisor, staff_member_required
from core.roles import Role
from core.selectors import heartbeat_get


@staff_member_required
def staff_home(request):
    """The staff landing page: roles, the caseload at a glance, tools, and whether background
    jobs are running."""
    return render(
        request,
        "staff/home.html",
        {
            "summary": caseload_summary_for(user=request.user),
            "is_supervisor": is_supervisor(request.user),
            "roles": sorted(
                Role(name).label if name in Role.values else name
                for name in request.user.groups.values_list("name", flat=True)
            ),
            "heartbeat": heartbeat_get(name="worker"),
        },
    )
