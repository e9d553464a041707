"""A payee's staff page: their details (masked), verification by a worker with evidence, and the
automatic name/TIN check. Same conventions as payments.views.staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework.views.case_page import refusal_status
from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required
from payments import forms, selectors
from payments.models import Payee
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
