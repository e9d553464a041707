"""Query-string filters for the payments API. An unknown choice or id is refused (400, naming
the parameter), never read as "no filter"."""

from __future__ import annotations

import django_filters

from payments.models import (
    Payee,
    PayeeVerification,
    Payment,
    PaymentMethod,
    PaymentReason,
    PaymentStatus,
    ReconciliationImport,
    ReconciliationStatus,
    StipendSchedule,
    StipendStatus,
)


class PaymentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PaymentStatus.choices, help_text="Repeat for several.")
    reason = django_filters.MultipleChoiceFilter(choices=PaymentReason.choices, help_text="Repeat for several.")
    case = django_filters.NumberFilter(field_name="case_id", help_text="Case id.")
    case_type = django_filters.NumberFilter(field_name="case__case_type_id", help_text="The programme: a case type id.")
    payee = django_filters.NumberFilter(field_name="payee_id", help_text="Payee id.")
    batch = django_filters.NumberFilter(field_name="batch_id", help_text="Export batch id.")
    schedule = django_filters.NumberFilter(field_name="schedule_id", help_text="Stipend schedule id.")
    period_start = django_filters.DateFromToRangeFilter(
        help_text="period_start_after / period_start_before (inclusive): the first day covered, from / to."
    )

    class Meta:
        model = Payment
        fields = ["status", "reason", "case", "case_type", "payee", "batch", "schedule", "period_start"]


class StipendScheduleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=StipendStatus.choices)
    case = django_filters.NumberFilter(field_name="case_id", help_text="Case id.")
    payee = django_filters.NumberFilter(field_name="payee_id", help_text="Payee id.")

    class Meta:
        model = StipendSchedule
        fields = ["status", "case", "payee"]


class ReconciliationImportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReconciliationStatus.choices)

    class Meta:
        model = ReconciliationImport
        fields = ["status"]


class PayeeFilter(django_filters.FilterSet):
    verification_status = django_filters.ChoiceFilter(choices=PayeeVerification.choices)
    payment_method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name payments are made out to.")

    class Meta:
        model = Payee
        fields = ["verification_status", "payment_method", "name"]
