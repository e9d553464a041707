"""Payees and payments in the admin: read-only. Owners change their payee in the portal
(payments.services.payees.payee_save); the tax id and account number are shown masked, never in
full. A payment's status is never edited here: the actions call the services, which check who is
acting and whether the move is allowed, and a submitted payment cannot be edited by anyone."""

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.http import HttpResponse

from core import errors
from core.admin import STAMP_FIELDS, ReadOnlyAdmin, StampedAdmin, action_with_text
from payments.models import Payee, Payment, PaymentBatch, ProgrammeCap, ReconciliationImport, StipendSchedule
from payments.permissions import can_export_batch
from payments.services import batches as batch_services
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
    """Payments with the totals of what is filtered (per status), filtered by status, batch and
    programme. Moves go through the services: verify and submit here; void, recoup and refund
    or cancel ask for the supervisor's reason."""

    change_list_template = "admin/payments/payment/change_list.html"
    list_display = (
        "export_reference",
        "status",
        "case",
        "payee",
        "amount",
        "reason",
        "payment_method",
        "period_start",
        "batch",
    )
    list_filter = (
        "status",
        "reason",
        "payment_method",
        ("case__case_type", admin.RelatedOnlyFieldListFilter),
        ("batch", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("case__number", "payee__name", "batch__reference")
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
        "batch",
        "schedule",
        ("override_reason", "override_by", "override_at"),
        *STAMP_FIELDS,
    )
    readonly_fields = tuple(name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,)))
    actions = ("verify_selected", "submit_selected", "void_selected", "recoup_selected", "refund_or_cancel_selected")

    def get_queryset(self, request):
        return super().get_queryset(request).with_batch()

    @admin.display(description="Reference", ordering="id")
    def export_reference(self, obj) -> str:
        return obj.export_reference

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            rows = changelist.queryset.order_by().values("status").annotate(count=Count("id"), total=Sum("amount"))
            labels = dict(Payment.Status.choices)
            response.context_data["payment_totals"] = {
                "rows": [
                    {"status": labels.get(row["status"], row["status"]), "count": row["count"], "total": row["total"]}
                    for row in sorted(rows, key=lambda row: list(labels).index(row["status"]))
                ],
                "count": sum(row["count"] for row in rows),
                "total": sum((row["total"] for row in rows), Decimal("0")),
            }
        return response

    def _with_reason(self, request, queryset, service, title: str):
        return action_with_text(
            self,
            request,
            queryset,
            title=title,
            intro="Give the reason; it is recorded on each payment and in its audit trail.",
            label="Reason",
            required=True,
            service=lambda payment, text: service(actor=request.user, payment=payment, reason=text),
            describe=lambda payment: f"{payment.export_reference} ({payment.get_status_display()})",
        )

    @admin.action(description="Void the selected payments (supervisors, with a reason)")
    def void_selected(self, request, queryset):
        return self._with_reason(request, queryset, payment_services.payment_void, "Void payments")

    @admin.action(description="Recoup the selected payments (supervisors, with a reason)")
    def recoup_selected(self, request, queryset):
        return self._with_reason(request, queryset, payment_services.payment_recoup, "Recoup payments")

    @admin.action(description="Refund or cancel the selected payments (supervisors, with a reason)")
    def refund_or_cancel_selected(self, request, queryset):
        return self._with_reason(request, queryset, payment_services.payment_refund_or_cancel, "Refund or cancel")

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


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    """Export batches, read-only (written once by payments.services.batches.batch_export). The
    files are downloaded from the staff batch page or the API; their content is never shown here."""

    list_display = ("reference", "created_at", "created_by", "case_type", "payment_count", "total_amount")
    list_filter = (("case_type", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("reference",)
    list_select_related = ("created_by", "case_type")
    fields = ("reference", "created_at", "created_by", "case_type", "payment_count", "total_amount", "report")
    readonly_fields = fields
    actions = ("download_csv",)

    @admin.action(description="Download the CSV of the selected batch")
    def download_csv(self, request, queryset):
        if not can_export_batch(request.user) or queryset.count() != 1:
            self.message_user(request, "Choose one batch; only supervisors download batch files.", messages.ERROR)
            return None
        name, content_type, content = batch_services.batch_file(queryset.get(), "csv")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(ReconciliationImport)
class ReconciliationImportAdmin(ReadOnlyAdmin):
    list_display = (
        "imported_at",
        "file_name",
        "status",
        "row_count",
        "changed_count",
        "unchanged_count",
        "error_count",
        "imported_by",
    )
    list_filter = ("status",)
    search_fields = ("file_name", "sha256")
    list_select_related = ("imported_by",)
    fields = (
        "file_name",
        "sha256",
        ("imported_at", "imported_by"),
        "status",
        ("row_count", "changed_count", "unchanged_count", "error_count"),
        "report",
    )
    readonly_fields = tuple(name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,)))


@admin.register(ProgrammeCap)
class ProgrammeCapAdmin(StampedAdmin):
    """The duplicate-benefit check's caps per programme, set by supervisors; every change is kept
    in the audit history (pghistory)."""

    list_display = ("case_type", "max_total", "window_months", "updated_at", "updated_by")
    list_select_related = ("case_type", "updated_by")
