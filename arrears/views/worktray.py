"""The arrears patch worktrays (rent at /staff/arrears/, leasehold service charges at
/staff/arrears/leasehold/) and the supervisors' chart of classifications by patch
(/staff/arrears/chart/).

A worktray has five tabs (immediate actions, paused, full patch, upcoming evictions, upcoming
court dates), each with its count, filters by patch, patch officer and recommended action, and a
sort. A patch officer opening it sees their own patches first. Each row carries what officers
asked to see without opening the account (arrears-worktray.md §2). Thin: the reads are
arrears.selectors.worktray; a page is a fixed number of queries whatever the patch holds
(tests/arrears/test_worktray_views.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from arrears.labels import action_choices, action_label
from arrears.models import AccountKind, ArrangementState, RentAccount
from arrears.rules import Classification, NospDates, nosp_dates
from arrears.selectors import worktray as selectors
from arrears.selectors.worktray import StrOrPromise
from arrears.services.rulesets import rule_set_for, rule_settings_for
from casework.forms import GovukMixin
from casework.views.worktray import CountedPaginator
from core.permissions import is_supervisor, staff_member_required

ACCOUNTS_PER_PAGE = 50

WORKTRAYS: dict[str, tuple[str, StrOrPromise]] = {
    AccountKind.RENT: ("arrears-worktray", gettext_lazy("Rent arrears worktray")),
    AccountKind.SERVICE_CHARGE: ("arrears-leasehold-worktray", gettext_lazy("Leasehold service charge worktray")),
}


# --- the worktray ------------------------------------------------------------------------------


class WorktrayFilterForm(GovukMixin, forms.Form):
    """The worktray's filters and sort, as `filter-<name>` selects. Choices are given, not
    queried, so checking a submitted value costs nothing."""

    patch = forms.ChoiceField(label=gettext_lazy("Patch"), required=False)
    officer = forms.ChoiceField(label=gettext_lazy("Patch officer"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Recommended action"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False)

    def __init__(self, data, *, kind: str, tab: str, patches, officers, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(data, **kwargs)
        self._choices(
            "patch",
            [
                ("", _("All patches")),
                *((str(patch.pk), f"{patch.code} {patch.name}") for patch in patches),
                (selectors.UNASSIGNED, _("No patch (unassigned)")),
            ],
        )
        self._choices("officer", [("", _("All officers")), *officers])
        self._choices("action", [("", _("All actions")), *action_choices(kind)])
        if next(t for t in selectors.TABS if t.key == tab).order_by is not None:
            del self.fields["sort"]  # the date tabs list soonest first
        else:
            self._choices(
                "sort",
                [
                    (key, label)
                    for key, (label, _order) in selectors.SORTS.items()
                    if tab == "paused" or key not in selectors.PAUSED_ONLY_SORTS
                ],
            )

    def _choices(self, name: str, choices: list) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def value(self, name: str) -> str:
        """The field's checked value ("" when empty or refused)."""
        if name in self.errors:
            return ""
        return self.cleaned_data.get(name) or ""


@dataclass
class Officer:
    user: object
    patch_ids: list[int] = field(default_factory=list)
    patch_codes: list[str] = field(default_factory=list)


def _officers(patch_officers) -> dict[str, Officer]:
    officers: dict[str, Officer] = {}
    for assignment in patch_officers:
        officer = officers.setdefault(str(assignment.officer_id), Officer(assignment.officer))
        officer.patch_ids.append(assignment.patch_id)
        officer.patch_codes.append(assignment.patch.code)
    return dict(sorted(officers.items(), key=lambda item: str(item[1].user).lower()))


def _money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"-£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


@dataclass
class WorktrayRow:
    """One account as its row shows it."""

    account: RentAccount
    action: str
    arrangement: str
    nosp: NospDates | None
    balance: str
    weeks_owed: Decimal | None
    paused: bool


def _rows(accounts: list[RentAccount], *, kind: str, today) -> list[WorktrayRow]:
    # The NOSP's expiry comes from the rules' own lifecycle with this kind's settings (two
    # queries, once a page, and only when a row has a NOSP).
    settings = rule_settings_for(rule_set_for(kind)) if any(a.nosp_served_on for a in accounts) else None
    states = dict(ArrangementState.choices)
    rows = []
    for account in accounts:
        action = action_label(account.classification, kind) if account.classification else _("Not yet classified")
        rows.append(
            WorktrayRow(
                account=account,
                action=action,
                arrangement=states.get(account.arrangement_state, account.arrangement_state) or _("None"),
                nosp=nosp_dates(account.nosp_served_on, settings) if settings and account.nosp_served_on else None,
                balance=_money(account.balance),
                weeks_owed=account.weeks_owed,
                paused=account.is_paused(today),
            )
        )
    return rows


@require_GET
@staff_member_required
def worktray(request, kind: str):
    user = request.user
    url_name, heading = WORKTRAYS[kind]
    tab = request.GET.get("tab", "")
    if tab not in selectors.TAB_KEYS:
        tab = selectors.DEFAULT_TAB
    patch_officers = selectors.patch_officer_list()
    officers = _officers(patch_officers)
    data = request.GET.copy()
    default_officer = False
    if "patch" not in data and "officer" not in data and str(user.pk) in officers:
        # A patch officer starts on their own patches; choosing "All" (officer=) undoes it.
        data["officer"] = str(user.pk)
        default_officer = True
    form = WorktrayFilterForm(
        data,
        kind=kind,
        tab=tab,
        patches=selectors.worktray_patch_list(kind=kind),
        officers=[(key, f"{officer.user} ({', '.join(officer.patch_codes)})") for key, officer in officers.items()],
    )
    form.is_valid()
    officer = officers.get(form.value("officer"))
    action = form.value("action")
    sort = form.value("sort") or selectors.DEFAULT_SORT

    accounts = selectors.worktray_account_list_for(user=user, kind=kind).filter(
        selectors.patch_filter(
            patch=form.value("patch"), officer_patch_ids=officer.patch_ids if officer is not None else None
        )
    )
    if action:
        accounts = accounts.filter(classification=action)
    now = timezone.now()  # one instant for the counts and the list
    counts = selectors.tab_counts(accounts, now=now)
    listed = selectors.worktray_rows(accounts, tab=tab, sort=sort, now=now)
    # The tab's count is the list's length: no second COUNT query.
    page = CountedPaginator(listed, ACCOUNTS_PER_PAGE, count=counts[tab]).get_page(request.GET.get("page"))
    rows = _rows(list(page.object_list), kind=kind, today=timezone.localdate(now))

    tabs = [{"key": t.key, "label": t.label, "count": counts[t.key], "current": t.key == tab} for t in selectors.TABS]
    current_tab = next(t for t in tabs if t["current"])
    context = {
        "kind": kind,
        "heading": heading,
        "worktray_url": reverse(url_name),
        "form": form,
        "tab": tab,
        "tabs": tabs,
        "current_tab": current_tab,
        "sort_label": selectors.SORTS[sort][0],
        "page": page,
        "rows": rows,
        "officer": officer,
        "default_officer": default_officer,
        "filtered": bool(form.value("patch") or officer or action),
        "is_supervisor": is_supervisor(user),
        "nothing": "\u2013",
    }
    return render(request, "arrears/worktray.html", context)


# --- the supervisors' chart --------------------------------------------------------------------

# One colour per classification, always the same one. Every segment is also marked with its key
# letter when wide enough, and the table under the chart gives every figure, so colour is never
# the only way to tell the actions apart. Text on a segment is black or white, whichever
# contrasts more (each pair is at least 4.5:1).
PALETTE = {
    Classification.NO_ACTION: "#b1b4b6",
    Classification.SEND_FIRST_SMS: "#5694ca",
    Classification.SEND_LETTER_ONE: "#1d70b8",
    Classification.SEND_LETTER_TWO: "#003078",
    Classification.SEND_NOSP: "#f47738",
    Classification.SEND_COURT_WARNING_LETTER: "#d4351c",
    Classification.APPLY_FOR_COURT_DATE: "#4c2c92",
    Classification.UPDATE_COURT_OUTCOME: "#ffdd00",
    Classification.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT: "#0b0c0c",
    Classification.REVIEW_FAILED_LETTER: "#f499be",
    Classification.SEND_INFORMAL_AGREEMENT_BREACH_LETTER: "#00703c",
    Classification.INFORMAL_BREACHED_AFTER_LETTER: "#85994b",
    Classification.ADDRESS_COURT_AGREEMENT_BREACH: "#912b88",
    Classification.COURT_BREACH_VISIT: "#b58840",
    Classification.COURT_BREACH_NO_PAYMENT: "#505a5f",
    Classification.CHECK_DATA: "#28a197",
    "": "#f3f2f1",  # not yet classified
}


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(fill: str) -> str:
    """Black or white text on `fill`, whichever reads better."""
    return max(("#0b0c0c", "#ffffff"), key=lambda text: _contrast(fill, text))


def _stacked_bars(patches, actions: list[dict], *, width: int = 760) -> dict:
    """SVG geometry: a row per patch, its accounts stacked by action in the legend's order, each
    segment marked with the action's key letter when there is room, the total after the bar."""
    row, label_width, text_room = 36, 90, 70
    peak = max((patch.total for patch in patches), default=0) or 1
    plot = width - label_width - text_room
    bars = []
    for n, patch in enumerate(patches):
        y = n * row + 6
        x = float(label_width)
        segments = []
        for action in actions:
            count = patch.counts.get(action["value"], 0)
            if not count:
                continue
            segment_width = plot * count / peak
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(segment_width, 1),
                    "centre": round(x + segment_width / 2, 1),
                    "fill": action["fill"],
                    "text_fill": action["text_fill"],
                    "key": action["key"] if segment_width >= 18 else "",
                }
            )
            x += segment_width
        bars.append(
            {
                "label": patch.code or _("None"),
                "y": y,
                "height": row - 12,
                "text_y": y + (row - 12) / 2 + 6,
                "segments": segments,
                "total_x": round(x + 8, 1),
                "total": patch.total,
            }
        )
    return {"width": width, "height": max(len(patches), 1) * row, "label_x": label_width - 8, "bars": bars}


def _key_letters():
    letter = ord("A")
    while True:
        yield chr(letter)
        letter += 1


@require_GET
@staff_member_required
def chart(request):
    user = request.user
    if not is_supervisor(user):
        raise PermissionDenied(_("This page is for supervisors."))
    kind = request.GET.get("kind", AccountKind.RENT)
    if kind not in AccountKind.values:
        kind = AccountKind.RENT
    patches = selectors.classification_counts_for(user=user, kind=kind)
    present = {value for patch in patches for value, count in patch.counts.items() if count}
    choices = [*action_choices(kind), ("", _("Not yet classified"))]
    keys = _key_letters()
    actions = [
        {
            "value": value,
            "label": label,
            "key": next(keys),
            "fill": PALETTE.get(value, "#f3f2f1"),
            "text_fill": text_colour(PALETTE.get(value, "#f3f2f1")),
            "total": sum(patch.counts.get(value, 0) for patch in patches),
        }
        for value, label in choices
        if value in present
    ]
    worktray_url = reverse(WORKTRAYS[kind][0])
    table = []
    for patch in patches:
        patch_value = str(patch.patch_id) if patch.patch_id is not None else selectors.UNASSIGNED
        cells = []
        for action in actions:
            count = patch.counts.get(action["value"], 0)
            url = ""
            if count and action["value"]:
                url = f"{worktray_url}?{urlencode({'tab': 'full', 'patch': patch_value, 'action': action['value']})}"
            cells.append({"count": count, "url": url, "action": action["label"]})
        table.append(
            {
                "patch": patch,
                "label": f"{patch.code} {patch.name}" if patch.patch_id is not None else _("No patch (unassigned)"),
                "cells": cells,
                "url": f"{worktray_url}?{urlencode({'tab': 'full', 'patch': patch_value})}",
            }
        )
    context = {
        "kind": kind,
        "kinds": [
            {"value": value, "label": label, "current": value == kind, "query": urlencode({"kind": value})}
            for value, label in AccountKind.choices
        ],
        "actions": actions,
        "table": table,
        "total": sum(patch.total for patch in patches),
        "bars": _stacked_bars(patches, actions),
        "worktray_url": worktray_url,
        "worktray_heading": WORKTRAYS[kind][1],
        "is_supervisor": True,
    }
    return render(request, "arrears/chart.html", context)
