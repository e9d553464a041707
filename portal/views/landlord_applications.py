"""A landlord's applications, step by step to sign and submit: start (the gate keeps a landlord
out until their profile is complete, seed 000), the code to give a named tenant, resume, each
step, review with sign and submit, and the confirmation. An advocate's start for a landlord they
act for is in portal.views.advocates and uses start_page here.

Every page reads through portal.selectors.landlords, scoped to the signed-in applicant (someone
else's application is 404), and every write is one service of
portal.services.landlord_applications; a refusal is shown on the form it came from, with status
400."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core import errors
from core.forms import form_add_domain_error
from portal.forms.landlords import (
    ConfirmForm,
    PropertyStepForm,
    RentStepForm,
    StartForm,
    SubmitForm,
    TenancyStepForm,
)
from portal.labels import applicant_status, applicant_status_colour
from portal.permissions import verified_applicant_required
from portal.selectors.landlords import (
    landlord_application_get,
    landlord_properties_for,
    profile_status_for,
)
from portal.services.landlord_applications import (
    STEP_DECLARATION,
    STEP_PAYEE,
    STEP_PROPERTY,
    STEP_RENT,
    STEP_TENANCY,
    STEPS,
    can_edit_landlord_application,
    landlord_application_start,
    landlord_application_step_save,
    landlord_application_submit,
    steps_missing,
)
from portal.views.landlords import landlord_only

STEP_TITLES = {
    STEP_PROPERTY: gettext_lazy("Property"),
    STEP_TENANCY: gettext_lazy("Tenant and tenancy"),
    STEP_RENT: gettext_lazy("Rent owed"),
    STEP_PAYEE: gettext_lazy("Payee"),
    STEP_DECLARATION: gettext_lazy("Declaration"),
}


def application_rows(applications) -> list[dict]:
    """Rows for a list of landlord applications, with the status the applicant sees (also
    portal.views.advocates)."""
    return [
        {
            "application": application,
            "case": application.case,
            "status": applicant_status(application.case),
            "colour": applicant_status_colour(application.case),
        }
        for application in applications
    ]


def start_page(request, *, landlord, authorisation=None):
    """The start page for `landlord`'s application (their own, or an advocate's for them: also
    portal.views.advocates)."""
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
    landlord_only(request)
    return start_page(request, landlord=request.user)


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
