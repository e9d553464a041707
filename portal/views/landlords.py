"""A landlord's or property manager's pages: their profile (payee details, properties, advocates),
the gate that keeps them from applying until it is complete (seed 000), their landlord
applications step by step to sign and submit, and for advocates the landlords they act for.

Every page reads through portal.selectors.landlords, scoped to the signed-in applicant (someone
else's profile entry, application or authorisation is 404), and every write is one service of
portal.services.landlords; a refusal is shown on the form it came from, with status 400."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import errors
from core.forms import form_add_domain_error
from portal.forms.landlords import (
    AdvocateForm,
    ConfirmForm,
    PayeeForm,
    PropertyForm,
    PropertyStepForm,
    RentStepForm,
    StartForm,
    SubmitForm,
    TenancyStepForm,
)
from portal.labels import applicant_status, applicant_status_colour
from portal.panels import Panel, home_panel
from portal.permissions import verified_applicant_required
from portal.selectors.landlords import (
    advocates_authorised_by,
    authorisation_for_landlord_get,
    authorisation_get,
    is_advocate,
    is_landlord,
    landlord_application_get,
    landlord_applications_for,
    landlord_applications_for_landlord,
    landlord_properties_for,
    landlord_property_get,
    landlords_acted_for,
    profile_status_for,
)
from portal.services.landlords import (
    STEP_DECLARATION,
    STEP_PAYEE,
    STEP_PROPERTY,
    STEP_RENT,
    STEP_TENANCY,
    STEPS,
    advocate_authorisation_revoke,
    advocate_authorise,
    can_edit_landlord_application,
    landlord_application_start,
    landlord_application_step_save,
    landlord_application_submit,
    landlord_payee_save,
    landlord_property_add,
    landlord_property_remove,
    steps_missing,
)

STEP_TITLES = {
    STEP_PROPERTY: gettext_lazy("Property"),
    STEP_TENANCY: gettext_lazy("Tenant and tenancy"),
    STEP_RENT: gettext_lazy("Rent owed"),
    STEP_PAYEE: gettext_lazy("Payee"),
    STEP_DECLARATION: gettext_lazy("Declaration"),
}


def _landlord_only(request) -> None:
    """These pages are a landlord's or property manager's: anyone else gets "not found"."""
    if not is_landlord(request.user):
        raise Http404(_("This page is for landlords and property managers."))


def _advocate_only(request) -> None:
    if not is_advocate(request.user):
        raise Http404(_("This page is for advocates."))


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
    _landlord_only(request)
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
    _landlord_only(request)
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
    _landlord_only(request)
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
    _landlord_only(request)
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


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def advocates(request):
    _landlord_only(request)
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
            "applications": _application_rows(
                landlord_applications_for_landlord(request.user).exclude(started_by=request.user)
            ),
        },
        status=status,
    )


@verified_applicant_required
@require_POST
def advocate_revoke(request, authorisation_id: int):
    _landlord_only(request)
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


# --- landlord applications -----------------------------------------------------------------------


def _application_rows(applications) -> list[dict]:
    return [
        {
            "application": application,
            "case": application.case,
            "status": applicant_status(application.case),
            "colour": applicant_status_colour(application.case),
        }
        for application in applications
    ]


def _start(request, *, landlord, authorisation=None):
    """The start page for `landlord`'s application (their own, or an advocate's for them)."""
    status_of_profile = profile_status_for(landlord)
    context = {"status": status_of_profile, "landlord": landlord, "authorisation": authorisation}
    if not status_of_profile.is_complete:
        # The gate (seed 000): no form until the profile is complete, and links to what is missing.
        return render(request, "portal/landlords/start_blocked.html", context)
    form = StartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application, created = landlord_application_start(
                    actor=request.user,
                    landlord=landlord,
                    tenant_code=form.cleaned_data["tenant_code"],
                    tenant_name=form.cleaned_data["tenant_name"],
                    tenant_email=form.cleaned_data["tenant_email"],
                )
            except (errors.ValidationError, errors.Conflict, errors.PermissionDenied) as refused:
                form_add_domain_error(form, refused)
            else:
                number = application.case.number
                if not created:
                    messages.info(
                        request,
                        _("You have already started application %(number)s for this tenant. Carry on with it here.")
                        % {"number": number},
                    )
                    return redirect("portal-landlord-application-resume", number=number)
                if application.mode == application.Mode.NAMED_TENANT:
                    return redirect("portal-landlord-application-code", number=number)
                return redirect("portal-landlord-application-step", number=number, step=STEP_PROPERTY)
        status = 400
    return render(request, "portal/landlords/start.html", {**context, "form": form}, status=status)


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def application_start(request):
    _landlord_only(request)
    return _start(request, landlord=request.user)


def _application_for_editing(request, number: str):
    application = landlord_application_get(request.user, number)
    return application, can_edit_landlord_application(request.user, application)


@verified_applicant_required
@require_http_methods(["GET"])
def application_code(request, number: str):
    application = landlord_application_get(request.user, number)
    return render(request, "portal/landlords/application_code.html", {"application": application})


@verified_applicant_required
@require_http_methods(["GET"])
def application_resume(request, number: str):
    application, editable = _application_for_editing(request, number)
    if not editable:
        return redirect("portal-landlord-application-submitted", number=number)
    missing = steps_missing(application)
    if missing:
        return redirect("portal-landlord-application-step", number=number, step=missing[0])
    return redirect("portal-landlord-application-review", number=number)


def _step_form(step: str, application, data=None):
    case = application.case
    if step == STEP_PROPERTY:
        listed = list(landlord_properties_for(application.landlord))
        initial = next((str(item.pk) for item in listed if item.property_id == case.property_id), None)
        return PropertyStepForm(data, listed=listed, initial={"property": initial})
    if step == STEP_TENANCY:
        return TenancyStepForm(
            data,
            initial={
                "tenant_name": application.tenant_name,
                "unit": application.unit,
                "monthly_rent": application.monthly_rent,
                "tenancy_start": application.tenancy_start,
            },
        )
    if step == STEP_RENT:
        return RentStepForm(data, initial={"rent_owed": application.rent_owed, "owed_from": application.owed_from})
    if step == STEP_PAYEE:
        return ConfirmForm(
            data,
            label=_("Pay this payee for this application"),
            message=_("Confirm that payments should go to this payee."),
            initial={"confirm": application.payee_id is not None},
        )
    return ConfirmForm(
        data,
        label=_(
            "I declare that the tenant named in this application rents the property from me (or from the landlord "
            "I act for), that the rent owed is correct, and that I will tell you if it is paid by anyone else."
        ),
        message=_("Confirm the declaration to continue."),
        initial={"confirm": application.declaration_confirmed_at is not None},
    )


def _step_answers(step: str, form) -> dict:
    if step == STEP_PROPERTY:
        return {"listed": form.listed.get(form.cleaned_data["property"])}
    return form.cleaned_data


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def application_step(request, number: str, step: str):
    if step not in STEPS:
        raise Http404(_("There is no such step."))
    application, editable = _application_for_editing(request, number)
    if not editable:
        return redirect("portal-landlord-application-submitted", number=number)
    form = _step_form(step, application, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = landlord_application_step_save(
                    actor=request.user, application=application, step=step, **_step_answers(step, form)
                )
            except (errors.ValidationError, errors.Conflict) as refused:
                form_add_domain_error(form, refused)
            else:
                if request.POST.get("then") == "save-and-exit":
                    messages.success(
                        request,
                        _("Your answers have been saved. You can come back to application %(number)s at any time.")
                        % {"number": number},
                    )
                    return redirect("portal-home")
                missing = steps_missing(application)
                later = [name for name in STEPS[STEPS.index(step) + 1 :] if name in missing]
                following = later[0] if later else (missing[0] if missing else None)
                if following is None or request.GET.get("from") == "review":
                    return redirect("portal-landlord-application-review", number=number)
                return redirect("portal-landlord-application-step", number=number, step=following)
        status = 400
    index = STEPS.index(step)
    context = {
        "application": application,
        "case": application.case,
        "form": form,
        "step": step,
        "step_title": STEP_TITLES[step],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "previous_step": STEPS[index - 1] if index else None,
        "payee": profile_status_for(application.landlord).payee,
        "on_behalf": application.landlord_id != request.user.pk,
    }
    return render(request, "portal/landlords/step.html", context, status=status)


def _review_rows(application) -> list[dict]:
    missing = set(steps_missing(application))
    return [{"step": step, "title": STEP_TITLES[step], "missing": step in missing} for step in STEPS]


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def application_review(request, number: str):
    application, editable = _application_for_editing(request, number)
    if not editable:
        return redirect("portal-landlord-application-submitted", number=number)
    form = SubmitForm(request.POST or None)
    status = 200
    missing = steps_missing(application)
    if request.method == "POST":
        if missing:
            form.is_valid()
            form.add_error(None, _("Answer every question before you sign and submit."))
        elif form.is_valid():
            try:
                landlord_application_submit(
                    actor=request.user,
                    application=application,
                    signed_name=form.cleaned_data["signed_name"],
                    confirmed=form.cleaned_data["confirm"],
                )
            except (errors.ValidationError, errors.Conflict, errors.PermissionDenied) as refused:
                form_add_domain_error(form, refused)
            else:
                return redirect("portal-landlord-application-submitted", number=number)
        status = 400
    context = {
        "application": application,
        "case": application.case,
        "form": form,
        "rows": _review_rows(application),
        "missing": [{"step": step, "title": STEP_TITLES[step]} for step in missing],
        "payee": profile_status_for(application.landlord).payee,
        "on_behalf": application.landlord_id != request.user.pk,
    }
    return render(request, "portal/landlords/review.html", context, status=status)


@verified_applicant_required
@require_http_methods(["GET"])
def application_submitted(request, number: str):
    application = landlord_application_get(request.user, number)
    if application.case.status == application.case.Status.DRAFT:
        return redirect("portal-landlord-application-resume", number=number)
    return render(
        request,
        "portal/landlords/submitted.html",
        {
            "application": application,
            "case": application.case,
            "status": applicant_status(application.case),
            "on_behalf": application.submitted_on_behalf,
        },
    )


# --- advocates -------------------------------------------------------------------------------------


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
            "applications": _application_rows(applications),
        },
    )


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def advocate_application_start(request, authorisation_id: int):
    _advocate_only(request)
    authorisation = authorisation_get(request.user, authorisation_id)
    return _start(request, landlord=authorisation.landlord, authorisation=authorisation)
