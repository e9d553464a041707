"""Payees in the admin: read-only. Owners change their payee in the portal (payments.services.
payees.payee_save); the tax id and account number are shown masked, never in full."""

from django.contrib import admin

from core.admin import STAMP_FIELDS, ReadOnlyAdmin
from payments.models import Payee


@admin.register(Payee)
class PayeeAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "kind", "payment_method", "tax_id_shown", "updated_at")
    list_filter = ("kind", "payment_method")
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
        *STAMP_FIELDS,
    )
    readonly_fields = tuple(name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,)))

    @admin.display(description="Tax id")
    def tax_id_shown(self, obj) -> str:
        return obj.tax_id_masked or "-"

    @admin.display(description="Account number")
    def account_number_shown(self, obj) -> str:
        return obj.account_number_masked or "-"
