"""The advocates' pages (DHC-1663): a landlord's list of the advocates they authorise (authorise
one, revoke one, and the applications advocates started for them), and for an advocate the
landlords they act for, each one's applications, and starting an application for them.

Every page reads through portal.selectors.landlords, scoped to the signed-in applicant (someone
else's authorisation is 404), and every write is one service of portal.services.advocates (or,
to start an application, portal.services.landlord_applications); a refusal is shown on the form
it came from, with status 400."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import errors
from core.forms import form_add_domain_error
from portal.forms.landlords import AdvocateForm
from portal.permissions import verified_applicant_required
from portal.selectors.landlords import (
    advocates_authorised_by,
    authorisation_for_landlord_get,
    authorisation_get,
    is_advocate,
    landlord_applications_for,
    landlord_applications_for_landlord,
    landlords_acted_for,
    profile_status_for,
)
from portal.services.advocates import advocate_authorisation_revoke, advocate_authorise
from portal.views.landlord_applications import application_rows, start_page
from portal.views.landlords import landlord_only


def _advocate_only(request) -> None:
    if not is_advocate(request.user):
        raise Http404(_("This page is for advocates."))


# --- a landlord's advocates ----------------------------------------------------------------------


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def advocates(request):
    landlord_only(request)
    form = AdvocateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                authorisation = advocate_authorise(actor=request.user, email=form.cleaned_data["email"])
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
            else:
                messages.success(
                    request,
                    _("%(advocate)s can now apply for you.")
                    % {"advocate": authorisation.advocate.get_full_name() or authorisation.advocate.email},
                )
                return redirect("portal-landlord-advocates")
        status = 400
    return render(
        request,
        "portal/landlords/advocates.html",
        {
            "form": form,
            "advocates": list(advocates_authorised_by(request.user)),
            "applications": application_rows(
                landlord_applications_for_landlord(request.user).exclude(started_by=request.user)
            ),
        },
        status=status,
    )


@verified_applicant_required
@require_POST
def advocate_revoke(request, authorisation_id: int):
    landlord_only(request)
    authorisation = authorisation_for_landlord_get(request.user, authorisation_id)
    try:
        advocate_authorisation_revoke(actor=request.user, authorisation=authorisation)
    except errors.DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(advocate)s can no longer apply for you.")
            % {"advocate": authorisation.advocate.get_full_name() or authorisation.advocate.email},
        )
    return redirect("portal-landlord-advocates")


# --- an advocate's landlords ---------------------------------------------------------------------


@verified_applicant_required
@require_http_methods(["GET"])
def advocate_landlords(request):
    _advocate_only(request)
    return render(
        request, "portal/landlords/acting_for.html", {"authorisations": list(landlords_acted_for(request.user))}
    )


@verified_applicant_required
@require_http_methods(["GET"])
def advocate_landlord(request, authorisation_id: int):
    _advocate_only(request)
    authorisation = authorisation_get(request.user, authorisation_id)
    # Only the applications this advocate can see (those they were granted) of this landlord.
    applications = landlord_applications_for(request.user).filter(landlord=authorisation.landlord)
    return render(
        request,
        "portal/landlords/acting_for_landlord.html",
        {
            "authorisation": authorisation,
            "landlord": authorisation.landlord,
            "status": profile_status_for(authorisation.landlord),
            "applications": application_rows(applications),
        },
    )


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def advocate_application_start(request, authorisation_id: int):
    _advocate_only(request)
    authorisation = authorisation_get(request.user, authorisation_id)
    return start_page(request, landlord=authorisation.landlord, authorisation=authorisation)
