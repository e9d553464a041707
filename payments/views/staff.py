"""The staff pages for payments: the payments section on a tenant's case page (registered with
casework's case page by payments.apps) and a payment's page. A payee's page is
payments.views.payees; the batch and reconciliation pages payments.views.batches.

Every POST parses its form, loads through a selector (NotFound for what the user may not see) and
calls one service. A success redirects back with a banner; a refusal re-shows the page (or, with
htmx, the case page's section) with the service's sentence in the error summary and on the
fields: 400 for bad input, 403 when the user may not, 409 when the payment's state does not allow
it (as on the case page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from casework.models import Case, Status, Workflow
from casework.selectors.cases import case_get
from casework.views.case_page import refusal_status, section_response
from core import errors
from core.forms import domain_error_messages, form_add_domain_error
from core.permissions import staff_member_required
from payments import forms, selectors
from payments.models import Payee, Payment
from payments.models.payments import transition_sources
from payments.permissions import (
    can_change_payment,
    can_create_payment,
    can_override_duplicate,
    can_record_payment_result,
    can_settle_payment,
    can_submit_payment,
)
from payments.services import payments as payment_services
from payments.services.duplicates import DuplicateBenefit
from payments.services.payments import TRANSITION_LABELS

SECTION = "payments"  # the case page section's name: <section id="case-payments">

ACTION_LABELS = {
    "payment_create": gettext_lazy("Set up"),
    "payment_update": gettext_lazy("Changed"),
    **{f"payment_{name}": label for name, label in TRANSITION_LABELS.items()},
}


def money(value) -> str:
    return f"{value:,.2f}" if value is not None else ""


def applies(case: Case) -> bool:
    """The payments section is on tenants' rental applications only (payments are made on them)."""
    return case.workflow == Workflow.RENTAL_TENANT


# --- the case page's section ---------------------------------------------------------------------


def may_add_payment(user, case: Case) -> bool:
    return can_create_payment(user) and case.status == Status.PAYMENT


def case_payments_context(
    request, case: Case, *, form=None, duplicate: DuplicateBenefit | None = None, refusal: str = ""
) -> dict:
    """What the payments section shows: the case's payments, what is paid and pending, its
    stipend schedules and, for the workers who set payments up on a case at the Payment chevron,
    the form to add one (with the supervisor's override once the duplicate check refused it).
    `refusal`: why setting one up was refused, when the form is not there to show it on (the
    user may not, or the case is not at Payment)."""
    user = request.user
    may_add = may_add_payment(user, case)
    payees = selectors.case_payee_choice_list_for(user=user, case=case) if may_add else None
    if may_add and form is None:
        form = forms.PaymentForm(prefix="payment", payees=payees)
    return {
        "payments": list(selectors.payment_list_for_case(user=user, case=case)),
        "payment_totals": selectors.payment_totals_for_case(user=user, case=case),
        "stipend_schedules": list(selectors.stipend_schedule_list_for_case(user=user, case=case)),
        "payment_may_add": may_add,
        "payment_form": form,
        "payment_no_payees": may_add and not form.fields["payee"].queryset.exists(),
        "payment_duplicate": duplicate,
        "payment_may_override": duplicate is not None and can_override_duplicate(user),
        "payment_refusals": [refusal] if refusal else [],
    }


@require_POST
@staff_member_required
def payment_add(request, case_id: int):
    """Set up a payment on the case from its payments section."""
    case = case_get(user=request.user, case_id=case_id)
    if not applies(case):
        raise errors.NotFound("This case has no payments.")
    payees = selectors.case_payee_choice_list_for(user=request.user, case=case)
    form = forms.PaymentForm(request.POST, prefix="payment", payees=payees)
    if not form.is_valid():
        return section_response(request, case_id, SECTION, status=400, form=form)
    data = form.cleaned_data
    try:
        payment = payment_services.payment_create(
            actor=request.user,
            case=case,
            payee=data["payee"],
            reason=data["reason"],
            amount=data["amount"],
            payment_method=data["payment_method"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            override_reason=data["override_reason"],
        )
    except errors.DomainError as exc:
        status = refusal_status(exc)
        if not may_add_payment(request.user, case):  # no form in the section to show it on
            return section_response(request, case_id, SECTION, status=status, refusal=" ".join(refusal_sentences(exc)))
        form_add_domain_error(form, exc)
        duplicate = exc if isinstance(exc, DuplicateBenefit) else None
        return section_response(request, case_id, SECTION, status=status, form=form, duplicate=duplicate)
    done = _("Payment of %(amount)s to %(payee)s set up.") % {"amount": money(payment.amount), "payee": payment.payee}
    return section_response(request, case_id, SECTION, success=done)


def refusal_sentences(exc: errors.DomainError) -> list[str]:
    """The refusal's sentence and its field messages, where there is no form to put them on."""
    fields = domain_error_messages(exc) if exc.fields else []
    return [exc.message, *(message for message in fields if message != exc.message)]


# --- a payment's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A button (or small form) on a payment's page: who may see it, its form, and the service."""

    name: str
    label: str
    transitions: tuple[str, ...]  # the model transitions it makes (its statuses come from them)
    allowed: Callable[..., bool]
    form: type | None
    call: Callable[..., Payment]
    warning: bool = False


def _with_reason(name: str, allowed: Callable[..., bool], service: Callable[..., Payment], **kwargs) -> Move:
    """A move whose service takes the payment and a reason (required or optional by its form)."""
    return Move(
        name,
        TRANSITION_LABELS[name],
        (name,),
        allowed,
        kwargs.pop("form", forms.ReasonForm),
        lambda user, payment, data: service(actor=user, payment=payment, reason=data["reason"]),
        **kwargs,
    )


MOVES = {
    move.name: move
    for move in (
        Move(
            "verify",
            TRANSITION_LABELS["verify"],
            ("verify",),
            can_change_payment,
            None,
            lambda user, payment, data: payment_services.payment_verify(actor=user, payment=payment),
        ),
        _with_reason("submit", can_submit_payment, payment_services.payment_submit, form=forms.OptionalReasonForm),
        _with_reason("retry", can_change_payment, payment_services.payment_retry, form=forms.OptionalReasonForm),
        Move(
            "record_result",
            gettext_lazy("Record the provider's result"),
            ("mark_successful", "mark_failed", "mark_returned"),
            lambda user: user is not None and can_record_payment_result(user),
            forms.ResultForm,
            lambda user, payment, data: payment_services.payment_record_result(
                actor=user, payment=payment, result=data["result"], reference=data["reference"], reason=data["reason"]
            ),
        ),
        _with_reason("reject", can_change_payment, payment_services.payment_reject, warning=True),
        _with_reason("void", can_settle_payment, payment_services.payment_void, warning=True),
        _with_reason("recoup", can_settle_payment, payment_services.payment_recoup, warning=True),
        _with_reason("refund_or_cancel", can_settle_payment, payment_services.payment_refund_or_cancel, warning=True),
    )
}


def _possible_now(move: Move, payment: Payment) -> bool:
    return any(payment.status in transition_sources(name) for name in move.transitions)


def _edit_payees(user, payment: Payment):
    """Who a payment can be changed to be paid to: the case's landlord payees, and its own."""
    return (
        selectors.case_payee_choice_list_for(user=user, case=payment.case) | Payee.objects.filter(pk=payment.payee_id)
    ).distinct()


def _edit_initial(payment: Payment) -> dict:
    return {
        "payee": payment.payee_id,
        "reason": payment.reason,
        "amount": f"{payment.amount:.2f}",
        "payment_method": payment.payment_method,
        "period_start": payment.period_start,
        "period_end": payment.period_end,
    }


def payment_page_context(
    request,
    payment: Payment,
    *,
    failed: str = "",
    form=None,
    duplicate: DuplicateBenefit | None = None,
) -> dict:
    user = request.user
    moves = []
    for move in MOVES.values():
        if not (move.allowed(user) and _possible_now(move, payment)):
            continue
        if failed == move.name:
            move_form = form
        else:
            move_form = move.form(prefix=move.name, action=move.label) if move.form else None
        moves.append(
            {
                "name": move.name,
                "label": move.label,
                "form": move_form,
                "warning": move.warning,
                "open": failed == move.name,
                "url": reverse("staff-payment-move", args=[payment.pk, move.name]),
            }
        )
    edit_form = None
    if can_change_payment(user) and payment.is_editable:
        edit_form = (
            form
            if failed == "edit"
            else forms.PaymentForm(prefix="edit", payees=_edit_payees(user, payment), initial=_edit_initial(payment))
        )
    history = selectors.payment_history(payment)
    for row in history:
        row["label"] = ACTION_LABELS.get(row["action"], row["action"])
    return {
        "payment": payment,
        "case": payment.case,
        "payee": payment.payee,
        "moves": moves,
        "edit_form": edit_form,
        "edit_open": failed == "edit",
        "history": history,
        "failed_form": form if failed else None,
        "duplicate": duplicate,
        "may_override": duplicate is not None and can_override_duplicate(user),
    }


def render_payment(request, payment: Payment, *, status: int = 200, **kwargs) -> HttpResponse:
    return render(
        request, "payments/staff/payment_detail.html", payment_page_context(request, payment, **kwargs), status=status
    )


@require_GET
@staff_member_required
def payment_detail(request, payment_id: int):
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    return render_payment(request, payment)


def _payment_refused(request, payment_id: int, name: str, form, exc: errors.DomainError) -> HttpResponse:
    form_add_domain_error(form, exc)
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)  # as it is now
    duplicate = exc if isinstance(exc, DuplicateBenefit) else None
    return render_payment(request, payment, status=refusal_status(exc), failed=name, form=form, duplicate=duplicate)


def _back_to_payment(request, payment: Payment, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect(reverse("staff-payment", args=[payment.pk]))


class _NoFields(forms.OptionalReasonForm):
    """A button without fields: a form only so its refusal has somewhere to be shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]


@require_POST
@staff_member_required
def payment_move(request, payment_id: int, move: str):
    """One of MOVES on a payment. The service decides whether it may happen: a move not offered
    to the user (not theirs, or not from this status) is refused with its sentence, like any
    other."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    chosen = MOVES.get(move)
    if chosen is None:
        raise errors.NotFound("There is no such action on a payment.")
    form = (chosen.form or _NoFields)(request.POST, prefix=chosen.name, action=chosen.label)
    if not form.is_valid():
        return render_payment(request, payment, status=400, failed=chosen.name, form=form)
    try:
        payment = chosen.call(request.user, payment, form.cleaned_data)
    except errors.DomainError as exc:
        return _payment_refused(request, payment_id, chosen.name, form, exc)
    done = _("Payment %(id)s is now %(status)s.") % {"id": payment.pk, "status": payment.get_status_display()}
    return _back_to_payment(request, payment, done)


@require_POST
@staff_member_required
def payment_edit(request, payment_id: int):
    """Change a payment before it is submitted (a verified one goes back to be checked again)."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    form = forms.PaymentForm(request.POST, prefix="edit", payees=_edit_payees(request.user, payment))
    if not form.is_valid():
        return render_payment(request, payment, status=400, failed="edit", form=form)
    data = form.cleaned_data
    try:
        payment = payment_services.payment_update(
            actor=request.user,
            payment=payment,
            payee=data["payee"],
            reason=data["reason"],
            amount=data["amount"],
            payment_method=data["payment_method"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            override_reason=data["override_reason"],
        )
    except errors.DomainError as exc:
        return _payment_refused(request, payment_id, "edit", form, exc)
    return _back_to_payment(request, payment, _("Payment %(id)s saved.") % {"id": payment.pk})
