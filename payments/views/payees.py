"""A payee's staff page: their details (masked), verification by a worker with evidence, and the
automatic name/TIN check; and the form staff keep a utility's payee with. Same conventions as payments.views.staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.views.case_page import refusal_status
from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required
from payments import forms, selectors
from payments.models import Payee, PayeeRole
from payments.permissions import can_verify_payee
from payments.services import payees as payee_services
from payments.views.staff import refusal_sentences


def payee_page_context(request, payee: Payee, *, form=None, refusal: str = "") -> dict:
    user = request.user
    may_verify = can_verify_payee(user)
    return {
        "payee": payee,
        "payee_cases": list(selectors.payee_case_list_for(user=user, payee=payee).select_related("case_type")[:50]),
        "may_verify": may_verify,
        "verify_form": form or (forms.PayeeVerifyForm(prefix="verify") if may_verify else None),
        "verify_open": form is not None,
        "check_refusals": [refusal] if refusal else [],
    }


def render_payee(request, payee: Payee, *, status: int = 200, **kwargs) -> HttpResponse:
    return render(
        request, "payments/staff/payee_detail.html", payee_page_context(request, payee, **kwargs), status=status
    )


@require_GET
@staff_member_required
def payee_detail(request, payee_id: int):
    payee = selectors.payee_get(user=request.user, payee_id=payee_id)
    return render_payee(request, payee)


@require_POST
@staff_member_required
def payee_verify(request, payee_id: int):
    """A worker verifies the payee: the evidence is filed as a document (category "Tax or payee
    verification") on the owner's landlord application, or a case the payee is paid on, then the
    verification recorded with it."""
    payee = selectors.payee_get(user=request.user, payee_id=payee_id)
    form = forms.PayeeVerifyForm(request.POST, request.FILES, prefix="verify")
    if not form.is_valid():
        return render_payee(request, payee, status=400, form=form)
    try:
        payee_services.payee_verify_with_evidence(
            actor=request.user,
            payee=payee,
            case=selectors.payee_evidence_case(user=request.user, payee=payee),
            uploaded_file=form.cleaned_data["evidence"],
            reason=form.cleaned_data["reason"],
        )
    except errors.DomainError as exc:
        form_add_domain_error(form, exc)
        payee = selectors.payee_get(user=request.user, payee_id=payee_id)
        return render_payee(request, payee, status=refusal_status(exc), form=form)
    messages.success(request, _("%(name)s is verified.") % {"name": payee.name})
    return redirect(reverse("staff-payee", args=[payee.pk]))


@require_POST
@staff_member_required
def payee_check(request, payee_id: int):
    """Run the automatic name/TIN check on the payee now."""
    payee = selectors.payee_get(user=request.user, payee_id=payee_id)
    try:
        payee = payee_services.payee_check_automatic(actor=request.user, payee=payee)
    except errors.DomainError as exc:
        payee = selectors.payee_get(user=request.user, payee_id=payee_id)
        return render_payee(request, payee, status=refusal_status(exc), refusal=" ".join(refusal_sentences(exc)))
    messages.success(
        request,
        _("Automatic check: %(result)s.") % {"result": payee.get_automatic_check_status_display() or _("no answer")},
    )
    return redirect(reverse("staff-payee", args=[payee.pk]))


def _utility_form_page(request, form, *, payee: Payee | None = None, status: int = 200) -> HttpResponse:
    return render(request, "payments/staff/utility_payee_form.html", {"form": form, "payee": payee}, status=status)


@require_http_methods(["GET", "POST"])
@staff_member_required
def utility_payee_form(request, payee_id: int | None = None):
    """Add a utility's payee, or change one's details (landlords keep theirs in the portal)."""
    payee = selectors.payee_get(user=request.user, payee_id=payee_id) if payee_id else None
    if payee is not None and payee.role != PayeeRole.UTILITY:
        raise errors.NotFound("Only a utility's payee is changed here.")
    if request.method == "GET":
        initial = {field: getattr(payee, field) for field in UTILITY_FIELDS} if payee else None
        return _utility_form_page(request, forms.UtilityPayeeForm(initial=initial), payee=payee)
    form = forms.UtilityPayeeForm(request.POST)
    if not form.is_valid():
        return _utility_form_page(request, form, payee=payee, status=400)
    try:
        saved = payee_services.utility_payee_save(actor=request.user, payee=payee, **form.cleaned_data)
    except errors.DomainError as exc:
        form_add_domain_error(form, exc)
        return _utility_form_page(request, form, payee=payee, status=refusal_status(exc))
    messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
    return redirect(reverse("staff-payee", args=[saved.pk]))


# What the form shows back of a stored utility payee (never the tax id or account number).
UTILITY_FIELDS = (
    "kind",
    "name",
    "payment_method",
    "account_holder",
    "routing_number",
    "mailing_address_line_1",
    "mailing_address_line_2",
    "mailing_town",
    "mailing_postcode",
)
