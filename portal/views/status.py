"""An application's page in the portal (where it is in applicant words, what is needed, what has
happened, messages and letters, appointments) and what the applicant can do from it: withdraw,
appeal a denial once, read a message or letter, cancel an appointment or ask to rearrange it.

Every view reads the application through portal.selectors.application_get (another applicant's
number is a 404) and everything on it through portal.selectors.status, scoped to that case;
every write is one service. A refusal from a service is shown as a sentence on the page (with
status 409), never a server error."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.models import Case
from casework.services.cases import case_appeal, case_withdraw
from communications.services import message_letter_pdf
from core import errors
from core.forms import form_add_domain_error
from portal.forms.status import AppealForm, AppointmentCancelForm, AppointmentRearrangeForm, WithdrawForm
from portal.labels import applicant_status
from portal.permissions import applicant_required, verified_applicant_required
from portal.selectors import application_get
from portal.selectors import status as selectors
from portal.services.appointments import appointment_applicant_cancel, appointment_rearrange_request


def _application_url(case: Case) -> str:
    return reverse("portal-application", args=[case.number])


@require_http_methods(["GET"])
@applicant_required
def application(request, number: str):
    case = application_get(request.user, number)
    return render(request, "portal/status/application.html", selectors.application_page_for(request.user, case))


# --- withdraw -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@verified_applicant_required
def withdraw(request, number: str):
    case = application_get(request.user, number)
    refusal = selectors.withdraw_refusal(request.user, case)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if refusal:
            status = 409
        elif form.is_valid():
            try:
                case_withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"])
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
                status = 400
            except (errors.Conflict, errors.PermissionDenied):
                # Someone else moved it meanwhile (e.g. approved it): say why as the page would.
                case = application_get(request.user, number)
                refusal = selectors.withdraw_refusal(request.user, case) or _(
                    "This application cannot be withdrawn now. Contact us if you need to."
                )
                status = 409
            else:
                messages.success(request, _("Your application %(number)s has been withdrawn.") % {"number": number})
                return redirect(_application_url(case))
        else:
            status = 400
    context = {
        "case": case,
        "form": form,
        "refusal": refusal,
        "is_tenant": case.workflow == Case.Workflow.RENTAL_TENANT,
    }
    return render(request, "portal/status/withdraw.html", context, status=status)


# --- appeal ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@verified_applicant_required
def appeal(request, number: str):
    case = application_get(request.user, number)
    existing = selectors.appeal_of(case)
    refusal = "" if existing else selectors.appeal_refusal(request.user, case)
    form = AppealForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if existing or refusal:
            status = 409  # a replayed form, or a second appeal: the page says why, nothing changes
        elif form.is_valid():
            try:
                made = case_appeal(actor=request.user, case=case, grounds=form.cleaned_data["grounds"])
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
                status = 400
            except (errors.Conflict, errors.PermissionDenied):
                existing = selectors.appeal_of(case)
                refusal = "" if existing else _("This decision cannot be appealed online. Contact us if you need to.")
                status = 409
            else:
                messages.success(
                    request, _("Your appeal has been received. Its number is %(number)s.") % {"number": made.number}
                )
                return redirect(_application_url(made))
        else:
            status = 400
    context = {
        "case": case,
        "form": form,
        "existing": existing,
        "existing_status": applicant_status(existing) if existing else "",
        "already_tried": request.method == "POST" and existing is not None,
        "refusal": refusal,
    }
    return render(request, "portal/status/appeal.html", context, status=status)


# --- messages and letters -------------------------------------------------------------------


@require_http_methods(["GET"])
@applicant_required
def message(request, number: str, message_id: int):
    case = application_get(request.user, number)
    context = {"case": case, "message": selectors.message_get(request.user, case, message_id)}
    return render(request, "portal/status/message.html", context)


@require_http_methods(["GET"])
@applicant_required
def message_letter(request, number: str, message_id: int):
    case = application_get(request.user, number)
    letter = selectors.message_get(request.user, case, message_id)
    try:
        pdf = message_letter_pdf(letter)
    except (errors.NotFound, errors.ValidationError) as missing:
        raise Http404(_("There is no letter to download.")) from missing
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{case.number}-{letter.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- appointments ---------------------------------------------------------------------------


def _appointment_page(request, number: str, appointment_id: int, *, form_class, template: str, act):
    case = application_get(request.user, number)
    appointment = selectors.appointment_get_for(request.user, case, appointment_id)
    refusal = selectors.appointment_change_refusal(appointment)
    if not refusal and selectors.rearrange_requested(appointment) and form_class is AppointmentRearrangeForm:
        refusal = _("You have already asked for this appointment to be rearranged. We will contact you.")
    form = form_class(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if refusal:
            status = 409
        elif form.is_valid():
            try:
                done = act(case, appointment, form.cleaned_data)
            except errors.ValidationError as refused:
                form_add_domain_error(form, refused)
                status = 400
            except (errors.Conflict, errors.PermissionDenied):
                appointment = selectors.appointment_get_for(request.user, case, appointment_id)
                refusal = selectors.appointment_change_refusal(appointment)
                if not refusal and selectors.rearrange_requested(appointment):
                    refusal = _("You have already asked for this appointment to be rearranged. We will contact you.")
                refusal = refusal or _("This appointment cannot be changed online. Call us instead.")
                status = 409
            else:
                messages.success(request, done)
                return redirect(_application_url(case))
        else:
            status = 400
    context = {"case": case, "appointment": appointment, "form": form, "refusal": refusal}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@verified_applicant_required
def appointment_cancel(request, number: str, appointment_id: int):
    def act(case, appointment, data):
        appointment_applicant_cancel(actor=request.user, appointment=appointment, reason=data["reason"])
        return _("Your appointment has been cancelled.")

    return _appointment_page(
        request,
        number,
        appointment_id,
        form_class=AppointmentCancelForm,
        template="portal/status/appointment_cancel.html",
        act=act,
    )


@require_http_methods(["GET", "POST"])
@verified_applicant_required
def appointment_rearrange(request, number: str, appointment_id: int):
    def act(case, appointment, data):
        appointment_rearrange_request(
            actor=request.user, appointment=appointment, preferred=data["preferred"], reason=data["reason"]
        )
        return _("We have your request to rearrange the appointment. We will contact you to agree a new time.")

    return _appointment_page(
        request,
        number,
        appointment_id,
        form_class=AppointmentRearrangeForm,
        template="portal/status/appointment_rearrange.html",
        act=act,
    )
