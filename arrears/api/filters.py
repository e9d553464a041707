"""Query-string filters for the arrears API: the account list (the worktray's filters, for
integrations) and an account's transactions."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils import timezone

from arrears.models import AccountKind, RentAccount, Transaction
from arrears.rules import Classification

UNASSIGNED = "unassigned"


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Ordering where accounts without the date (no court case, no eviction) come last whichever
    way the list runs, and ties keep a stable order for paging."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            name = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
            ordering.append(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True))
        return qs.order_by(*ordering, "id")


class AccountFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AccountKind.choices)
    patch = django_filters.CharFilter(
        method="filter_patch", help_text=f"Patch code, e.g. E01; `{UNASSIGNED}` for accounts with no patch."
    )
    classification = django_filters.MultipleChoiceFilter(
        choices=Classification.choices, help_text="The recommended action; repeat for several."
    )
    paused = django_filters.BooleanFilter(
        method="filter_paused", help_text='true: paused after today; false: not paused ("paused until today" is not).'
    )
    in_scope = django_filters.BooleanFilter(help_text="true: classified and on the worktray.")
    officer = django_filters.NumberFilter(
        method="filter_officer", help_text="A user id: accounts on the patches that officer works."
    )
    ordering = NullsLastOrderingFilter(
        fields=["balance", "court_date", "eviction_date", "reference"],
        help_text="balance, -balance, court_date, eviction_date or reference (a leading - reverses); "
        "accounts without the date come last. Default: reference.",
    )

    class Meta:
        model = RentAccount
        fields = ["kind", "patch", "classification", "paused", "in_scope", "officer"]

    def filter_patch(self, queryset, name, value):
        if value.strip().lower() == UNASSIGNED:
            return queryset.filter(patch__isnull=True)
        return queryset.filter(patch__code__iexact=value.strip())

    def filter_paused(self, queryset, name, value):
        paused = Q(paused_until__gt=timezone.localdate())
        return queryset.filter(paused) if value else queryset.exclude(paused)

    def filter_officer(self, queryset, name, value):
        return queryset.filter(patch__arrears_officer__officer_id=value)


class TransactionFilter(django_filters.FilterSet):
    posted_on = django_filters.DateFromToRangeFilter(
        help_text="posted_on_after / posted_on_before (inclusive): the posting date from / to."
    )

    class Meta:
        model = Transaction
        fields = ["posted_on"]
