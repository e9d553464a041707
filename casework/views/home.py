from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from casework.selectors import caseload_summary_for
from casework.selectors.documents import document_get
from casework.services import documents as document_services
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


def document_download(request, document_id: int):
    """Download a document (staff, or the case's applicant). Anonymous visitors are sent to sign
    in; anyone who may not see the case gets the same 404 as for a document that does not exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    document = document_get(user=request.user, document_id=document_id)
    return document_services.document_response(document)
