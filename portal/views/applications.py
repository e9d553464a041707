"""A tenant's application: start (after the duplicate check), one page per step with "Save and
continue" and "Save and come back later", resume, review with sign and submit, and the
confirmation. Every page reads the application through portal.selectors.applications (another
applicant's number is a 404) and every write is one service in portal.services.applications.
Staff get 403 from the portal decorators."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.forms import BooleanField, DateField, MultipleChoiceField
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from casework.models import Status
from core import errors
from core.models import User
from portal.forms.application_steps import (
    CONTACT_LABELS,
    LANDLORD_CODE,
    RELATIONSHIP_LABELS,
    STEP_FORMS,
    HouseholdStep,
    step_form,
)
from portal.forms.applications import HOUSEHOLD_STEP, STEP_SLUGS, STEP_TITLES, STEPS, StartForm, options
from portal.forms.fields import Checkboxes, MonthField, Radios, SignForm
from portal.panels import Panel, home_panel
from portal.permissions import is_applicant, verified_applicant_required
from portal.selectors.applications import draft_tenant_application_for, tenant_application_get, tenant_case_types
from portal.services.applications import (
    DuplicateApplication,
    IncompleteApplication,
    tenant_application_start,
    tenant_application_step_save,
    tenant_application_submit,
    unfinished_steps,
)

# How each step's fields are grouped on its page: (legend, field names); None: no fieldset.
LAYOUT: dict[str, list[tuple[object, list[str]]]] = {
    "home": [
        (gettext_lazy("The address of the home you rent"), ["address_line_1", "address_line_2", "town", "postcode"]),
        (gettext_lazy("Your tenancy"), ["tenancy_start", "monthly_rent"]),
        (None, ["landlord_known_by"]),
        (gettext_lazy("Your landlord's details"), ["landlord_name", "landlord_email", "landlord_phone"]),
        (gettext_lazy("Or your landlord's application code"), ["landlord_code"]),
    ],
    "income": [(None, ["no_income"]), (gettext_lazy("Or the household's income"), ["wages", "benefits", "other"])],
    "rent-owed": [(None, ["amount", "since"])],
    "expenses": [(None, ["utilities", "childcare", "other"])],
    "consent": [
        (gettext_lazy("Declarations"), ["information_true", "share_with_landlord", "check_records"]),
        (None, ["contact_methods", "contact_phone"]),
    ],
}

STEP_INTROS = {
    "home": gettext_lazy(
        "Tell us about the home you rent and your landlord. If your landlord has already applied, they "
        "can give you their application code instead of their details."
    ),
    "household": gettext_lazy("Tell us about everyone who lives with you. You are the head of the household."),
    "income": gettext_lazy("Tell us the money your household gets each month, before rent."),
    "rent-owed": gettext_lazy("Tell us how much rent you owe and since when."),
    "expenses": gettext_lazy("Tell us about your household's essential costs each month."),
    "consent": gettext_lazy("Read and agree to these, and tell us how we may contact you."),
}


def _status_url(case) -> str:
    """The application's page (the status slice's), or the home page if it is not there yet."""
    try:
        return reverse("portal-application", args=[case.number])
    except NoReverseMatch:
        return reverse("portal-home")


def _field_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, Radios):
        return "radios"
    if isinstance(widget, Checkboxes) or isinstance(field.field, MultipleChoiceField):
        return "checkboxes"
    if isinstance(field.field, BooleanField):
        return "checkbox"
    return "input"


def _groups(step: str, form) -> list[dict]:
    return [
        {
            "legend": legend,
            "fields": [
                {
                    "field": form[name],
                    "kind": _field_kind(form[name]),
                    "options": options(form, name) if _field_kind(form[name]) in ("radios", "checkboxes") else [],
                }
                for name in names
            ],
        }
        for legend, names in LAYOUT[step]
    ]


def _error_list(forms) -> list[tuple[str, str]]:
    """(message, anchor) for the GOV.UK error summary, across the step's forms."""
    found = []
    for form in forms:
        for message in form.non_field_errors():
            found.append((message, ""))
        for field in form:
            for message in field.errors:
                found.append((message, field.id_for_label or field.auto_id))
    return found


def _forms_of(form) -> list:
    return form.forms if isinstance(form, HouseholdStep) else [form]


def _step_url(number: str, step: str) -> str:
    return reverse("portal-application-step", args=[number, step])


def _not_a_draft(application):
    """Where a page about a draft sends someone whose application has moved on."""
    case = application.case
    if case.status == Status.DRAFT:
        return None
    if case.submitted_at:
        return redirect("portal-application-submitted", number=case.number)
    return HttpResponseRedirect(_status_url(case))


# --- start --------------------------------------------------------------------------------------


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def start(request):
    if request.user.kind != User.Kind.TENANT:
        landlord = request.user.kind in (User.Kind.LANDLORD, User.Kind.PROPERTY_MANAGER)
        try:
            landlord_url = reverse("portal-landlord-application-start") if landlord else ""
        except NoReverseMatch:
            landlord_url = ""
        return render(
            request, "portal/applications/not_tenant.html", {"landlord": landlord, "landlord_url": landlord_url}
        )
    case_types = tenant_case_types()
    if not case_types:
        return render(request, "portal/applications/closed.html")
    form = StartForm(request.POST or None, case_types=case_types)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = tenant_application_start(
                actor=request.user,
                case_type=form.chosen_case_type(),
                address_line_1=data["address_line_1"],
                address_line_2=data["address_line_2"],
                town=data["town"],
                postcode=data["postcode"],
                head_name=data["head_name"],
                head_date_of_birth=data["head_date_of_birth"],
            )
        except DuplicateApplication as refused:
            duplicate = refused.duplicate
        except errors.ValidationError as refused:
            for name, problems in refused.fields.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            return redirect("portal-application-step", number=application.case.number, step="home")
    context = {"form": form, "errors": _error_list([form]), "duplicate": duplicate}
    if duplicate is not None and duplicate.own:
        case = duplicate.case
        context["duplicate_url"] = (
            reverse("portal-application-resume", args=[case.number])
            if case.status == Status.DRAFT
            else _status_url(case)
        )
    if "case_type" in form.fields:
        context["case_type_options"] = form.case_type_options()
    return render(request, "portal/applications/start.html", context)


# --- the steps ----------------------------------------------------------------------------------


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def step(request, number: str, step: str):
    application = tenant_application_get(request.user, number)
    moved_on = _not_a_draft(application)
    if moved_on is not None:
        return moved_on
    from_review = request.GET.get("from") == "review" or request.POST.get("from") == "review"
    form = None
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        removing = re.fullmatch(r"remove-(\d+)", action)
        if step == HOUSEHOLD_STEP and (action == "add" or removing):
            # Adding or removing a member redraws the page with what was typed; nothing is saved yet.
            form = HouseholdStep(request.POST, add=action == "add", remove=int(removing.group(1)) if removing else None)
        else:
            later = action == "later"
            try:
                result = tenant_application_step_save(
                    actor=request.user, application=application, step=step, data=request.POST, later=later
                )
            except errors.Conflict:
                application.case.refresh_from_db()
                return _not_a_draft(application) or redirect("portal-home")
            if result.saved and later:
                messages.success(
                    request,
                    _("Your application %(number)s has been saved. You can come back to it at any time from this page.")
                    % {"number": number},
                )
                return redirect("portal-home")
            if result.saved:
                return redirect(_next_after(application, step, from_review))
            form = result.form
    if form is None:
        form = step_form(step, application.step_answers(step))
    forms = _forms_of(form)
    index = STEP_SLUGS.index(step)
    previous = (
        reverse("portal-application-review", args=[number])
        if from_review
        else (_step_url(number, STEP_SLUGS[index - 1]) if index else reverse("portal-home"))
    )
    context = {
        "application": application,
        "case": application.case,
        "step": step,
        "step_title": STEP_TITLES[step],
        "step_number": index + 1,
        "step_count": len(STEP_SLUGS),
        "intro": STEP_INTROS[step],
        "form": form,
        "errors": _error_list(forms),
        "back_url": previous,
        "from_review": from_review,
    }
    if step == HOUSEHOLD_STEP:
        return render(request, "portal/applications/household.html", context)
    context["groups"] = _groups(step, form)
    return render(request, "portal/applications/step.html", context)


def _next_after(application, step: str, from_review: bool) -> str:
    number = application.case.number
    application.refresh_from_db(fields=["completed_steps"])
    if from_review:
        return reverse("portal-application-review", args=[number])
    later = [s for s in STEP_SLUGS[STEP_SLUGS.index(step) + 1 :] if s not in application.completed_steps]
    if later:
        return _step_url(number, later[0])
    return reverse("portal-application-review", args=[number])


@verified_applicant_required
@require_http_methods(["GET"])
def resume(request, number: str):
    application = tenant_application_get(request.user, number)
    moved_on = _not_a_draft(application)
    if moved_on is not None:
        return moved_on
    missing = unfinished_steps(application)
    if missing:
        return redirect("portal-application-step", number=number, step=missing[0])
    return redirect("portal-application-review", number=number)


# --- review, sign and submit --------------------------------------------------------------------


def _date(value: str, pattern: str = "j F Y") -> str:
    try:
        return date_format(datetime.date.fromisoformat(value if len(value) > 7 else f"{value}-01"), pattern)
    except (TypeError, ValueError):
        return value


def _person(row: dict) -> str:
    return _("%(name)s, born %(date)s") % {
        "name": row.get("full_name", ""),
        "date": _date(row.get("date_of_birth", "")),
    }


def _display(value, field=None) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value in (None, ""):
        return ""
    if isinstance(field, MonthField):
        return _date(str(value), "F Y")
    if isinstance(field, DateField):
        return _date(str(value))
    return str(value)


def _summary(application) -> list[dict]:
    """Each step's answers as (label, value) rows for the review page."""
    missing = set(unfinished_steps(application))
    sections = []
    for slug, title in STEPS:
        answers = application.step_answers(slug)
        rows: list[tuple[str, str]] = []
        if slug not in missing:
            if slug == HOUSEHOLD_STEP:
                head = answers.get("head") or {}
                rows.append((_("Head of household (you)"), _person(head)))
                for member in answers.get("members") or []:
                    relationship = RELATIONSHIP_LABELS.get(member.get("relationship"), member.get("relationship"))
                    rows.append((str(relationship), _person(member)))
                if not answers.get("members"):
                    rows.append((_("Other people"), _("Nobody else lives with you")))
            else:
                form = STEP_FORMS[slug]()
                for name, field in form.fields.items():
                    value = answers.get(name)
                    if slug == "home" and name == "landlord_known_by":
                        value = dict(field.choices).get(value, value)
                    elif slug == "consent" and name == "contact_methods":
                        value = ", ".join(str(CONTACT_LABELS.get(v, v)) for v in value or [])
                    shown = _display(value, field)
                    if shown or isinstance(value, bool):
                        rows.append((str(field.label), shown))
                if slug == "home" and answers.get("landlord_known_by") == LANDLORD_CODE:
                    rows = [row for row in rows if row[1]]
        sections.append({"step": slug, "title": title, "complete": slug not in missing, "rows": rows})
    return sections


@verified_applicant_required
@require_http_methods(["GET", "POST"])
def review(request, number: str):
    application = tenant_application_get(request.user, number)
    moved_on = _not_a_draft(application)
    if moved_on is not None:
        return moved_on
    form = SignForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            tenant_application_submit(
                actor=request.user, application=application, signed_name=form.cleaned_data["signed_name"]
            )
        except IncompleteApplication:
            pass  # the unfinished parts are listed below, as on every view of the page
        except DuplicateApplication as refused:
            duplicate = refused.duplicate
        except errors.Conflict:
            application.case.refresh_from_db()
            return _not_a_draft(application) or redirect("portal-home")
        except errors.ValidationError as refused:
            for name, messages_ in refused.fields.items():
                form.add_error(name if name in form.fields else None, messages_)
        else:
            return redirect("portal-application-submitted", number=number)
    sections = _summary(application)
    incomplete = [s for s in sections if not s["complete"]]
    problems = [
        (_("Finish this part of the application: %(title)s") % {"title": s["title"]}, f"section-{s['step']}")
        for s in incomplete
    ]
    context = {
        "application": application,
        "case": application.case,
        "sections": sections,
        "incomplete": incomplete,
        "form": form,
        "sign_name": {"field": form["signed_name"], "kind": "input"},
        "sign_confirm": {"field": form["confirm"], "kind": "checkbox"},
        "errors": problems + _error_list([form]),
        "duplicate": duplicate,
    }
    return render(request, "portal/applications/review.html", context)


@verified_applicant_required
@require_http_methods(["GET"])
def submitted(request, number: str):
    application = tenant_application_get(request.user, number)
    case = application.case
    if case.status == Status.DRAFT:
        return redirect("portal-application-resume", number=number)
    context = {"application": application, "case": case, "status_url": _status_url(case)}
    return render(request, "portal/applications/submitted.html", context)


# --- the home page ------------------------------------------------------------------------------


@home_panel(order=30)
def application_panel(request) -> Panel | None:
    """For tenants: start an application, or continue the one in draft."""
    user = request.user
    if not is_applicant(user) or user.kind != User.Kind.TENANT:
        return None
    draft = draft_tenant_application_for(user)
    return Panel("portal/applications/_home_panel.html", {"draft": draft.case if draft else None})
