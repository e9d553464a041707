from django.contrib.auth.views import redirect_to_login

from casework.selectors.documents import document_get
from casework.services import documents as document_services
from casework.views import worktray

# The staff landing page is the caseworker's worktray (casework.views.worktray); the URL name
# "staff-home" stays, so every "back to the start" link keeps working.
staff_home = worktray.worktray


def document_download(request, document_id: int):
    """Download a document (staff, or the case's applicant). Anonymous visitors are sent to sign
    in; anyone who may not see the case gets the same 404 as for a document that does not exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    document = document_get(user=request.user, document_id=document_id)
    return document_services.document_response(document)
