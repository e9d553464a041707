"""What caseworkers do on an account's page: each form posts to its own URL and calls one
service. A successful one redirects back to the page (at its panel) with a success banner; a
refused one re-shows the page with the GOV.UK error summary at the top and the field errors on
the form: 400 for bad input, 409 when the account's state does not allow it (as on the case
page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears import forms
from arrears.models import AccountKind, Arrangement, CourtCase, RentAccount
from arrears.selectors import account as selectors
from arrears.services import automation, legal
from arrears.services import diary as diary_services
from arrears.views.account import FORMS, render_page
from core import errors
from core.dates import day_month_year
from core.forms import form_add_domain_error
from core.permissions import staff_member_required


def refusal_status(exc: errors.DomainError) -> int:
    return 409 if isinstance(exc, errors.Conflict) else exc.status_code


def _back(account_id: int, name: str) -> HttpResponse:
    return redirect(f"{reverse('arrears-account', args=[account_id])}#{FORMS[name]}")


def _renamed(exc: errors.DomainError, rename: dict[str, str]) -> errors.DomainError:
    """The refusal with the service's field names as the form calls them."""
    if not rename or not exc.fields:
        return exc
    return type(exc)(exc.message, fields={rename.get(name, name): msgs for name, msgs in exc.fields.items()})


def _form_post(
    request,
    account_id: int,
    name: str,
    form_class,
    call: Callable[[RentAccount, dict], str],
    *,
    form_kwargs: dict | None = None,
    rename: dict[str, str] | None = None,
) -> HttpResponse:
    """Parse the form, call the service (through `call`, which returns the success sentence),
    and answer: back to the page's panel, or the page again with the form and its errors."""
    account = selectors.account_page_get(user=request.user, account_id=account_id)
    form = form_class(request.POST, prefix=name, **(form_kwargs or {}))
    if not form.is_valid():
        return render_page(request, account, status=400, failed=name, form=form)
    try:
        done = call(account, form.cleaned_data)
    except errors.DomainError as exc:
        form_add_domain_error(form, _renamed(exc, rename or {}))
        account = selectors.account_page_get(user=request.user, account_id=account_id)  # as it is now
        return render_page(request, account, status=refusal_status(exc), failed=name, form=form)
    messages.success(request, done)
    return _back(account_id, name)


def _action_post(request, account_id: int, name: str, call: Callable[[RentAccount], str]) -> HttpResponse:
    """A button without fields (send the letter, mark the failed letter reviewed): a refusal
    is shown as a sentence in the error summary."""
    account = selectors.account_page_get(user=request.user, account_id=account_id)
    try:
        done = call(account)
    except errors.DomainError as exc:
        reason = " ".join([exc.message, *(m for msgs in exc.fields.values() for m in msgs)]).strip()
        account = selectors.account_page_get(user=request.user, account_id=account_id)
        return render_page(request, account, status=refusal_status(exc), failed=name, refusal=reason)
    if done:
        messages.success(request, done)
    return _back(account_id, name)


# --- views -----------------------------------------------------------------------------------


@require_POST
@staff_member_required
def account_pause(request, account_id: int):
    def call(account: RentAccount, data: dict) -> str:
        diary_services.account_pause(
            actor=request.user, account=account, until=data["until"], reason=data["reason"], comment=data["comment"]
        )
        return _("Account paused until %(date)s.") % {"date": day_month_year(data["until"])}

    return _form_post(
        request,
        account_id,
        "pause",
        forms.PauseForm,
        call,
        form_kwargs={"reasons": selectors.pause_reason_choice_list_for(user=request.user)},
    )


@require_POST
@staff_member_required
def account_unpause(request, account_id: int):
    def call(account: RentAccount, data: dict) -> str:
        diary_services.account_unpause(actor=request.user, account=account, comment=data["comment"])
        return _("The pause has ended: the account is back on the worktray.")

    return _form_post(request, account_id, "unpause", forms.UnpauseForm, call)


@require_POST
@staff_member_required
def diary_add(request, account_id: int):
    def call(account: RentAccount, data: dict) -> str:
        entry = diary_services.diary_add(
            actor=request.user,
            account=account,
            code=data["code"].code,
            comment=data["comment"],
            occurred_at=data["occurred_at"],
        )
        return _("%(code)s added to the action diary.") % {"code": entry.code_id}

    return _form_post(
        request,
        account_id,
        "diary",
        forms.DiaryForm,
        call,
        form_kwargs={"codes": selectors.diary_code_choice_list_for(user=request.user)},
        rename={"occurred_at": "occurred_on"},
    )


@require_POST
@staff_member_required
def recommended_send(request, account_id: int):
    """The letter button: send what the classification the page showed recommends. The
    service classifies the account afresh and refuses if that has changed (so a second press,
    or a page drawn before someone else sent it, sends nothing)."""

    def call(account: RentAccount) -> str:
        shown = request.POST.get("classification", "")  # what the page showed
        step = automation.step_for(account, shown)
        name = step.template.name if step is not None else _("The letter")
        result = automation.recommended_send(actor=request.user, account=account, shown=shown)
        if result == automation.MISSING_DATA:
            messages.warning(
                request,
                _(
                    "“%(name)s” was not sent: the account is missing details the letter needs. It has been paused "
                    "for a week and a task set to add them (see the action diary)."
                )
                % {"name": name},
            )
            return ""
        return _("“%(name)s” sent.") % {"name": name}

    return _action_post(request, account_id, "send", call)


@require_POST
@staff_member_required
def failed_letter_review(request, account_id: int):
    def call(account: RentAccount) -> str:
        diary_services.failed_letter_review(actor=request.user, account=account)
        return _("The failed letter is marked reviewed.")

    return _action_post(request, account_id, "review", call)


@require_POST
@staff_member_required
def arrangement_create(request, account_id: int):
    def call(account: RentAccount, data: dict) -> str:
        arrangement = legal.arrangement_create(
            actor=request.user,
            account=account,
            kind=data["kind"],
            frequency=data["frequency"],
            instalment_amount=data["instalment_amount"],
            start_date=data["start_date"],
            lump_sum_amount=data["lump_sum_amount"],
            lump_sum_date=data["lump_sum_date"],
            court_case=data["court_case"],
            notes=data["notes"],
        )
        return _("Arrangement made: %(what)s.") % {"what": arrangement}

    return _form_post(
        request,
        account_id,
        "arrangement",
        forms.ArrangementForm,
        call,
        form_kwargs={"court_cases": CourtCase.objects.filter(account_id=account_id).order_by("-pk")},
    )


@require_POST
@staff_member_required
def arrangement_cancel(request, account_id: int, arrangement_id: int):
    arrangement = Arrangement.objects.filter(pk=arrangement_id, account_id=account_id).select_related("account").first()
    if arrangement is None:
        raise errors.NotFound("There is no such arrangement on this account.")

    def call(account: RentAccount, data: dict) -> str:
        legal.arrangement_cancel(actor=request.user, arrangement=arrangement, reason=data["reason"])
        return _("Arrangement cancelled.")

    return _form_post(request, account_id, "cancel", forms.ArrangementCancelForm, call)


@require_POST
@staff_member_required
def nosp_record(request, account_id: int):
    account = selectors.account_page_get(user=request.user, account_id=account_id)
    if account.kind != AccountKind.RENT:
        raise errors.NotFound("Leasehold accounts have no NOSPs: they are sent a letter before action.")

    def call(account: RentAccount, data: dict) -> str:
        legal.nosp_record(actor=request.user, account=account, served_on=data["served_on"])
        return _("NOSP served on %(date)s recorded.") % {"date": day_month_year(data["served_on"])}

    return _form_post(request, account_id, "nosp", forms.NospForm, call)


@require_POST
@staff_member_required
def court_case_record(request, account_id: int):
    def call(account: RentAccount, data: dict) -> str:
        legal.court_case_record(actor=request.user, account=account, court_date=data["court_at"])
        when = timezone.localtime(data["court_at"])
        return _("Hearing on %(date)s at %(time)s recorded.") % {"date": day_month_year(when), "time": f"{when:%H:%M}"}

    return _form_post(request, account_id, "court", forms.CourtCaseForm, call)


@require_POST
@staff_member_required
def court_outcome_record(request, account_id: int, court_case_id: int):
    court_case = CourtCase.objects.filter(pk=court_case_id, account_id=account_id).select_related("account").first()
    if court_case is None:
        raise errors.NotFound("There is no such court case on this account.")

    def call(account: RentAccount, data: dict) -> str:
        recorded = legal.court_outcome_record(
            actor=request.user,
            court_case=court_case,
            outcome_code=data["code"],
            terms=data["terms"],
            disrepair_counter_claim=data["disrepair_counter_claim"],
            balance_on_outcome_date=data["balance_on_outcome_date"],
            strike_out_date=data["strike_out_date"],
        )
        return _("Court outcome %(code)s recorded.") % {"code": recorded.outcome_code}

    outcomes = sorted(selectors.court_outcome_labels().items())
    return _form_post(request, account_id, "outcome", forms.CourtOutcomeForm, call, form_kwargs={"outcomes": outcomes})


@require_POST
@staff_member_required
def eviction_record(request, account_id: int):
    def call(account: RentAccount, data: dict) -> str:
        legal.eviction_record(actor=request.user, account=account, date=data["at"])
        return _("Eviction on %(date)s recorded.") % {"date": day_month_year(data["at"])}

    return _form_post(request, account_id, "eviction", forms.EvictionForm, call)


# --- the account's letters and messages -----------------------------------------------------------
