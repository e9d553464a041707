"""A landlord's or property manager's profile pages: the profile (payee details, properties,
advocates), the payee details, adding and removing the homes they let, and the home page panel
with their next step (the gate that keeps them from applying until the profile is complete,
seed 000). The advocates they authorise are in portal.views.advocates, their landlord
applications in portal.views.landlord_applications.

Every page reads through portal.selectors.landlords, scoped to the signed-in applicant (someone
else's profile entry is 404), and every write is one service of portal.services.landlords; a
refusal is shown on the form it came from, with status 400."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import errors
from core.forms import form_add_domain_error
from portal.forms.landlords import PayeeForm, PropertyForm
from portal.panels import Panel, home_panel
from portal.permissions import verified_applicant_required
from portal.selectors.landlords import (
    advocates_authorised_by,
    is_landlord,
    landlord_property_get,
    profile_status_for,
)
from portal.services.landlords import landlord_payee_save, landlord_property_add, landlord_property_remove


def landlord_only(request) -> None:
    """These pages are a landlord's or property manager's: anyone else gets "not found" (also for
    portal.views.advocates and portal.views.landlord_applications)."""
    if not is_landlord(request.user):
        raise Http404(_("This page is for landlords and property managers."))


# --- home page panel -----------------------------------------------------------------------------


@home_panel(order=30)
def landlord_next_step_panel(request) -> Panel | None:
    """For a landlord or property manager: "finish your profile first" with what is missing, or
    once it is complete, "start a landlord application". Nothing for anyone else."""
    if not is_landlord(request.user):
        return None
    status = profile_status_for(request.user)
    return Panel("portal/landlords/_home_panel.html", {"status": status})


# --- the profile ---------------------------------------------------------------------------------


@verified_applicant_required
@require_http_methods(["GET"])
def profile(request):
    landlord_only(request)
    status = profile_status_for(request.user)
    return render(
        request,
        "portal/landlords/profile.html",
        {
            "status": status,
            "advocates": list(advocates_authorised_by(request.user)),
            "can_authorise_advocates": True,
        },
    )


def _payee_initial(payee) -> dict:
    if payee is None:
        return {}
    return {
        "kind": payee.kind,
        "name": payee.name,
        "payment_method": payee.payment_method,
        "account_holder": payee.account_holder,
        "routing_number": payee.routing_number,
        "mailing_address_line_1": payee.mailing_address_line_1,
        "mailing_address_line_2": payee.mailing_address_line_2,
        "mailing_town": payee.mailing_town,
        "mailing_postcode": payee.mailing_postcode,
    }


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def payee(request):
    landlord_only(request)
    current = profile_status_for(request.user).payee
    form = PayeeForm(request.POST or None, payee=current, initial=_payee_initial(current))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                landlord_payee_save(actor=request.user, **form.cleaned_data)
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
            else:
                messages.success(request, _("Your payee details have been saved."))
                return redirect("portal-landlord-profile")
        status = 400
    context = {
        "form": form,
        "payee": current,
        "kind_options": form.options("kind"),
        "method_options": form.options("payment_method"),
    }
    return render(request, "portal/landlords/payee.html", context, status=status)


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def property_add(request):
    landlord_only(request)
    form = PropertyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                listed = landlord_property_add(actor=request.user, **form.cleaned_data)
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
            else:
                messages.success(
                    request, _("%(address)s has been added to your profile.") % {"address": listed.property}
                )
                return redirect("portal-landlord-profile")
        status = 400
    return render(request, "portal/landlords/property_add.html", {"form": form}, status=status)


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def property_remove(request, property_id: int):
    landlord_only(request)
    listed = landlord_property_get(request.user, property_id)
    refusal = None
    if request.method == "POST":
        try:
            landlord_property_remove(actor=request.user, listed=listed)
        except (errors.Conflict, errors.PermissionDenied) as refused:
            refusal = refused.message
        else:
            messages.success(
                request, _("%(address)s has been removed from your profile.") % {"address": listed.property}
            )
            return redirect("portal-landlord-profile")
    return render(
        request,
        "portal/landlords/property_remove.html",
        {"listed": listed, "refusal": refusal},
        status=409 if refusal else 200,
    )
