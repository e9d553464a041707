"""An arrears account's page: who owes what and what to do next (the recommended action, why,
and the letter button that follows it), the pause, the action diary, the transactions with a
chart of the weekly balance, and the arrangement, NOSP, court and eviction panels.

What caseworkers do on it posts to arrears.views.account_actions, which re-shows this page
with the errors when a form is refused."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from arrears import forms
from arrears.labels import action_label
from arrears.models import ACTIVE_STATES, AccountKind, CourtCase, RentAccount
from arrears.rules import Classification, nosp_dates
from arrears.selectors import account as selectors
from arrears.services import automation
from arrears.services.classification import account_explain
from arrears.services.rulesets import rule_set_for, rule_settings_for
from communications import services as communications
from communications.fields import field_labels
from core.dates import day_month_year
from core.permissions import staff_member_required

PAGE = 25  # diary entries and transactions per page
CHART_WEEKS = 52

KIND_LABELS = {
    AccountKind.RENT: gettext_lazy("Rent account"),
    AccountKind.SERVICE_CHARGE: gettext_lazy("Leasehold service charge account"),
}
WORKTRAYS = {AccountKind.RENT: "arrears-worktray", AccountKind.SERVICE_CHARGE: "arrears-leasehold-worktray"}

# Each form on the page: its prefix, and the panel (anchor) it lives in.
FORMS = {
    "pause": "account-pause",
    "unpause": "account-pause",
    "diary": "account-diary",
    "arrangement": "account-arrangement",
    "cancel": "account-arrangement",
    "nosp": "account-nosp",
    "court": "account-court",
    "outcome": "account-court",
    "eviction": "account-eviction",
    "send": "account-action",
    "review": "account-action",
}


# --- what the page shows ---------------------------------------------------------------------------


def money(value: Decimal | None) -> str:
    """£1,234.56; a credit with a minus sign before the pound sign."""
    if value is None:
        return ""
    sign = "\N{MINUS SIGN}" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def worktray_url(kind: str) -> str | None:
    """The worktray for the account's kind, when it is there to link to."""
    try:
        return reverse(WORKTRAYS[AccountKind(kind)])
    except (NoReverseMatch, ValueError, KeyError):
        return None


def _pager(request, page, param: str, anchor: str) -> dict[str, Any]:
    """A page of a list, and links to the pages either side keeping the rest of the query."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return {
        "rows": list(page.object_list),
        "number": page.number,
        "total": page.paginator.num_pages,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else None,
        "next_url": url(page.next_page_number()) if page.has_next() else None,
    }


def _page(request, queryset, param: str):
    return Paginator(queryset, PAGE).get_page(request.GET.get(param))


def balance_chart(points: list[selectors.WeeklyBalance]) -> dict[str, Any]:
    """A line chart of the weekly balances as SVG coordinates, with its labels, a sentence
    summarising it (the chart's accessible name) and the rows for the table beside it."""
    width, height = 640, 240
    left, right, top, bottom = 80, 16, 16, 40
    plot_width, plot_height = width - left - right, height - top - bottom
    balances = [p.balance for p in points]
    low, high = min([Decimal(0), *balances]), max([Decimal(0), *balances])
    span = (high - low) or Decimal(1)

    def y(value: Decimal) -> float:
        return round(top + float((high - value) / span) * plot_height, 1)

    def x(index: int) -> float:
        return round(left + (index * plot_width / max(len(points) - 1, 1)), 1)

    ticks = sorted({high, Decimal(0), low}, reverse=True)
    middle = len(points) // 2
    x_labels = (
        [
            {"x": x(i), "text": day_month_year(points[i].week_ending), "anchor": anchor}
            for i, anchor in ((0, "start"), (middle, "middle"), (len(points) - 1, "end"))
        ]
        if points
        else []
    )
    summary = ""
    if points:
        highest = max(points, key=lambda p: p.balance)
        lowest = min(points, key=lambda p: p.balance)
        summary = _(
            "Balance at the end of each week from %(first)s to %(last)s: %(start)s at the start and %(end)s at "
            "the end; highest %(high)s (week ending %(high_on)s), lowest %(low)s (week ending %(low_on)s)."
        ) % {
            "first": day_month_year(points[0].week_ending),
            "last": day_month_year(points[-1].week_ending),
            "start": money(points[0].balance),
            "end": money(points[-1].balance),
            "high": money(highest.balance),
            "high_on": day_month_year(highest.week_ending),
            "low": money(lowest.balance),
            "low_on": day_month_year(lowest.week_ending),
        }
    return {
        "weeks": len(points),
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "zero_y": y(Decimal(0)),
        "line": " ".join(f"{x(i)},{y(p.balance)}" for i, p in enumerate(points)),
        "y_labels": [{"y": y(value), "text": money(value)} for value in ticks],
        "x_labels": x_labels,
        "label_y": height - 12,
        "summary": summary,
        "rows": [{"week_ending": p.week_ending, "balance": money(p.balance)} for p in reversed(points)],
    }


def _nosp_rows(nosps, kind: str, now: datetime.datetime) -> list[dict[str, Any]]:
    """Each NOSP with its lifecycle dates (arrears-rules.md §4) under the account's rule set."""
    if not nosps:
        return []
    settings = rule_settings_for(rule_set_for(kind))
    rows = []
    for nosp in nosps:
        dates = nosp_dates(nosp.served_on, settings)
        if dates is None:
            continue
        if dates.in_cooling_off(now):
            state = _("In its cooling-off period")
        elif dates.is_active(now):
            state = _("Active: court action may proceed")
        elif dates.is_valid(now):
            state = _("Valid")
        else:
            state = _("Expired")
        rows.append({"nosp": nosp, "expires": dates.expires, "valid_until": dates.valid_until, "state": state})
    return rows


def _court_rows(court_cases: list[CourtCase], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "case": case,
            "outcome": (labels.get(case.outcome_code) or _("an outcome is recorded")) if case.outcome_code else "",
        }
        for case in court_cases
    ]


def _explanation(account: RentAccount) -> dict[str, Any] | None:
    """Every rule up to the one that fires, each with why (the facts as they are now)."""
    if not account.classification:
        return None
    outcome = account_explain(account)
    steps = [
        {"label": action_label(step.rule, account.kind), "fired": step.fired, "reason": step.reason}
        for step in outcome.explanation
    ]
    current = outcome.classification.value
    return {
        "steps": steps,
        "differs": current != account.classification,
        "now_label": action_label(current, account.kind),
    }


def page_context(request, account: RentAccount, *, failed: str = "", form=None, refusal: str = "") -> dict:
    """Everything the page shows. `failed` names the refused form (`form`, shown again with its
    errors) or action (`refusal`, its sentence), for the error summary at the top."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    kind = account.kind
    is_rent = kind == AccountKind.RENT
    bound = {failed: form} if form is not None else {}

    court_cases = selectors.court_case_list_for(user=user, account=account)
    court_case_rows = list(court_cases)  # read once: the panel and the arrangement form's picker share it
    arrangements = selectors.arrangement_list_for(user=user, account=account)
    current = next((a for a in arrangements if a.state in ACTIVE_STATES), None)
    outcome_labels = selectors.court_outcome_labels()
    step = automation.step_for(account)
    failed_letter = (
        selectors.account_failed_letter_for(user=user, account=account)
        if account.classification == Classification.REVIEW_FAILED_LETTER
        else None
    )

    diary_page = _pager(
        request,
        _page(request, selectors.account_diary_for(user=user, account=account), "diary_page"),
        "diary_page",
        "account-diary",
    )
    transactions_page = _pager(
        request,
        _page(request, selectors.account_transactions_for(user=user, account=account), "transactions_page"),
        "transactions_page",
        "account-transactions",
    )
    for row in transactions_page["rows"]:
        row.amount_text, row.balance_text = money(row.amount), money(row.running_balance)

    officer = getattr(account.patch, "arrears_officer", None) if account.patch_id else None
    context = {
        "account": account,
        "kind_label": KIND_LABELS[AccountKind(kind)],
        "is_rent": is_rent,
        "worktray_url": worktray_url(kind),
        "officer": officer.officer if officer else None,
        "is_paused": account.is_paused(today),
        "gross_rent": money(account.weekly_gross_rent),
        "weekly_rent": money(account.weekly_rent),
        "weekly_service_charge": money(account.weekly_service_charge),
        "weekly_other_charges": money(account.weekly_other_charges),
        "balance": money(account.balance),
        "collectable_arrears": money(account.collectable_arrears),
        "action_label": action_label(account.classification, kind),
        "explanation": _explanation(account),
        "step": step,
        "failed_letter": failed_letter,
        "diary": diary_page,
        "transactions": transactions_page,
        "chart": balance_chart(
            selectors.account_weekly_balances(user=user, account=account, today=today, weeks=CHART_WEEKS)
        ),
        "arrangement": current,
        "arrangement_history": list(current.history.all()) if current else [],
        "past_arrangements": [a for a in arrangements if a is not current],
        "nosps": _nosp_rows(selectors.nosp_list_for(user=user, account=account), kind, now) if is_rent else [],
        "court_cases": _court_rows(court_case_rows, outcome_labels),
        "latest_court_case": court_case_rows[0] if court_case_rows else None,
        "evictions": selectors.eviction_list_for(user=user, account=account),
        # The forms: the refused one as it was sent, the others empty.
        "pause_form": bound.get("pause")
        or forms.PauseForm(prefix="pause", reasons=selectors.pause_reason_choice_list_for(user=user)),
        "unpause_form": bound.get("unpause") or forms.UnpauseForm(prefix="unpause"),
        "diary_form": bound.get("diary")
        or forms.DiaryForm(prefix="diary", codes=selectors.diary_code_choice_list_for(user=user)),
        "arrangement_form": bound.get("arrangement")
        or forms.ArrangementForm(prefix="arrangement", court_cases=court_cases),
        "cancel_form": bound.get("cancel") or forms.ArrangementCancelForm(prefix="cancel"),
        "nosp_form": bound.get("nosp") or forms.NospForm(prefix="nosp"),
        "court_form": bound.get("court") or forms.CourtCaseForm(prefix="court"),
        "outcome_form": bound.get("outcome")
        or forms.CourtOutcomeForm(prefix="outcome", outcomes=sorted(outcome_labels.items())),
        "eviction_form": bound.get("eviction") or forms.EvictionForm(prefix="eviction"),
        "failed": failed,
        "failed_form": form,
        "failed_anchor": FORMS.get(failed, ""),
        "refusals": [refusal] if refusal else [],
    }
    context["has_errors"] = bool(refusal or (form is not None and form.errors))
    return context


def render_page(request, account: RentAccount, *, status: int = 200, **failure) -> HttpResponse:
    return render(request, "arrears/account.html", page_context(request, account, **failure), status=status)


@require_GET
@staff_member_required
def account_detail(request, account_id: int):
    account = selectors.account_page_get(user=request.user, account_id=account_id)
    return render_page(request, account)


@require_GET
@staff_member_required
def account_message(request, account_id: int, message_id: int):
    """A letter, email or text sent (or not) about the account: to whom, its status and why it
    failed, and what it said."""
    account = selectors.account_page_get(user=request.user, account_id=account_id)
    message = selectors.account_message_get(user=request.user, account=account, message_id=message_id)
    context = {"account": account, "message": message, "missing": field_labels(message.missing_fields)}
    return render(request, "arrears/account_message.html", context)


@require_GET
@staff_member_required
def account_message_pdf(request, account_id: int, message_id: int):
    account = selectors.account_page_get(user=request.user, account_id=account_id)
    message = selectors.account_message_get(user=request.user, account=account, message_id=message_id)
    response = HttpResponse(communications.message_letter_pdf(message), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{message.pk}.pdf"'
    return response
