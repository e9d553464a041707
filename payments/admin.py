"""Payees and payments in the admin: read-only. Owners change their payee in the portal
(payments.services.payees.payee_save); the tax id and account number are shown masked, never in
full. A payment's status is never edited here: the actions call the services, which check who is
acting and whether the move is allowed, and a submitted payment cannot be edited by anyone."""

from django.contrib import admin, messages

from core import errors
from core.admin import STAMP_FIELDS, ReadOnlyAdmin
from payments.models import Payee, Payment, StipendSchedule
from payments.services import payments as payment_services


@admin.register(Payee)
class PayeeAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "kind", "payment_method", "verification_status", "tax_id_shown", "updated_at")
    list_filter = ("kind", "payment_method", "verification_status")
    search_fields = ("name", "owner__email")
    list_select_related = ("owner",)
    fields = (
        "owner",
        "kind",
        "name",
        "tax_id_shown",
        "payment_method",
        "account_holder",
        "routing_number",
        "account_number_shown",
        ("mailing_address_line_1", "mailing_address_line_2"),
        ("mailing_town", "mailing_postcode"),
        ("verification_status", "verified_at", "verified_by"),
        "verification_reason",
        "verification_evidence",
        *STAMP_FIELDS,
    )
    readonly_fields = tuple(name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,)))

    @admin.display(description="Tax id")
    def tax_id_shown(self, obj) -> str:
        return obj.tax_id_masked or "-"

    @admin.display(description="Account number")
    def account_number_shown(self, obj) -> str:
        return obj.account_number_masked or "-"


def _each(modeladmin, request, queryset, service, done: str) -> None:
    """Call `service` for each selected payment, one transaction each; report what happened."""
    moved = 0
    for payment in queryset:
        try:
            service(actor=request.user, payment=payment)
            moved += 1
        except errors.DomainError as error:
            modeladmin.message_user(request, f"Payment {payment.pk}: {error.message}", messages.ERROR)
    if moved:
        modeladmin.message_user(request, f"{moved} payment(s) {done}.", messages.SUCCESS)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "case", "payee", "amount", "reason", "payment_method", "period_start")
    list_filter = ("status", "reason", "payment_method")
    search_fields = ("case__number", "payee__name")
    list_select_related = ("case", "payee")
    date_hierarchy = "period_start"
    fields = (
        "case",
        "payee",
        "reason",
        "amount",
        "payment_method",
        ("period_start", "period_end"),
        ("status", "status_changed_at"),
        "status_reason",
        "provider_reference",
        "schedule",
        *STAMP_FIELDS,
    )
    readonly_fields = tuple(name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,)))
    actions = ("verify_selected", "submit_selected")

    @admin.action(description="Verify the selected payments")
    def verify_selected(self, request, queryset):
        _each(self, request, queryset, payment_services.payment_verify, "verified")

    @admin.action(description="Submit the selected payments for payment (supervisors)")
    def submit_selected(self, request, queryset):
        _each(self, request, queryset, payment_services.payment_submit, "submitted for payment")


@admin.register(StipendSchedule)
class StipendScheduleAdmin(ReadOnlyAdmin):
    """Stipend schedules, read-only: set up, run and stopped through payments.services.stipends."""

    list_display = ("id", "status", "case", "payee", "amount", "first_month", "last_month", "stopped_at")
    list_filter = ("status", "payment_method")
    search_fields = ("case__number", "payee__name")
    list_select_related = ("case", "payee")
    fields = (
        "case",
        "payee",
        "amount",
        "payment_method",
        ("first_month", "last_month"),
        "status",
        ("stopped_at", "stopped_by"),
        "stop_reason",
        *STAMP_FIELDS,
    )
    readonly_fields = tuple(name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,)))
