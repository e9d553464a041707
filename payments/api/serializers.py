"""Representations of payments, payees, stipend schedules, export batches and reconciliation
imports for the staff API, and the inputs of its writes. Inputs check only shape and type: the
services (payments.services) hold the rules and word the refusals, so a rule broken through the
API reads the same as through a page.

A payee's tax id and bank account number are never shown whole: only their masked forms
(“•••••6789”) are serialized, and no serializer here names the raw fields."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.api.serializers import UserSummarySerializer
from casework.models import CaseType
from payments.models import (
    Payee,
    PayeeKind,
    Payment,
    PaymentBatch,
    PaymentMethod,
    PaymentReason,
    ReconciliationImport,
    StipendSchedule,
)
from payments.services.payments import REASON_MAX_LENGTH, RESULTS

# --- errors ----------------------------------------------------------------------------------------


class PaymentsErrorDetailSerializer(serializers.Serializer):
    def get_fields(self):
        # Declared here, not as class attributes: "fields" would shadow Serializer.fields.
        return {
            "code": serializers.CharField(
                help_text="e.g. validation_error, permission_denied, not_found, conflict, transition_not_allowed, "
                "duplicate_benefit."
            ),
            "message": serializers.CharField(help_text="A sentence saying what is wrong."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="Each field at fault with its messages (for a 400, and for a 409 a guard or the "
                "duplicate-benefit check names).",
            ),
        }


class PaymentsErrorSerializer(serializers.Serializer):
    """The body of every refusal: {"error": {"code", "message", "fields"}}."""

    error = PaymentsErrorDetailSerializer()


# --- coded fields ----------------------------------------------------------------------------------
# A payment's reason and a provider's result are documented as strings with a pattern, not as
# enums: other endpoints have enums of fields named "reason" and "result" (routing, arrears), and a
# second choice set under the same field name would rename theirs (ReasonEnum, ResultEnum) in the
# schema clients are generated from. The values are still checked here, and listed in the pattern.


def _pattern(values) -> dict:
    return {"type": "string", "pattern": "^(" + "|".join(values) + ")$"}


@extend_schema_field(_pattern(PaymentReason.values))
class PaymentReasonField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "Why the money is paid: " + "; ".join(f"{code} {label}" for code, label in PaymentReason.choices),
        )
        super().__init__(choices=PaymentReason.choices, **kwargs)


@extend_schema_field(_pattern(RESULTS))
class PaymentResultField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[(name, name) for name in RESULTS], **kwargs)


# --- payments --------------------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    """A payment as staff see it: who is paid and how, its status and why, the batch it was
    exported in, and a supervisor's duplicate-benefit override."""

    reference = serializers.CharField(
        source="export_reference", read_only=True, help_text="How exports and the provider's results name it."
    )
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_type = serializers.IntegerField(source="case.case_type_id", read_only=True, help_text="The programme.")
    case_type_name = serializers.CharField(source="case.case_type.name", read_only=True)
    payee_name = serializers.CharField(source="payee.name", read_only=True)
    reason = PaymentReasonField(read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    payment_method_label = serializers.CharField(source="get_payment_method_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    batch_reference = serializers.CharField(
        source="batch.reference", read_only=True, allow_null=True, default=None, help_text="Null until exported."
    )
    override_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_editable = serializers.BooleanField(read_only=True, help_text="Not submitted yet: its details can change.")

    class Meta:
        model = Payment
        fields = [
            "id",
            "reference",
            "case",
            "case_number",
            "case_type",
            "case_type_name",
            "payee",
            "payee_name",
            "reason",
            "reason_label",
            "amount",
            "payment_method",
            "payment_method_label",
            "period_start",
            "period_end",
            "status",
            "status_label",
            "status_changed_at",
            "status_reason",
            "provider_reference",
            "schedule",
            "batch",
            "batch_reference",
            "override_reason",
            "override_by",
            "override_at",
            "is_editable",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _override_reason_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Supervisors only: why to pay although the duplicate-benefit check refuses (409 "
        "`duplicate_benefit`). Kept on the payment.",
    )


class PaymentCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A tenant's rental case at the Payment chevron.")
    payee = serializers.PrimaryKeyRelatedField(queryset=Payee.objects.all())
    reason = PaymentReasonField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="More than zero.")
    payment_method = serializers.ChoiceField(
        choices=PaymentMethod.choices, allow_blank=True, default="", help_text="Empty until chosen; needed to verify."
    )
    period_start = serializers.DateField(help_text="For a stipend (STP), the 1st of its month.")
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    override_reason = _override_reason_field()


class PaymentUpdateSerializer(serializers.Serializer):
    """Only the fields sent change. A change to a verified payment sends it back to be checked."""

    payee = serializers.PrimaryKeyRelatedField(queryset=Payee.objects.all(), required=False)
    reason = PaymentReasonField(required=False)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, allow_blank=True, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False, allow_null=True)
    override_reason = _override_reason_field()

    def validate(self, attrs):
        # A field that cannot change (status, case, ...) is refused, not silently ignored.
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: ["This cannot be changed on a payment."] for key in unknown})
        return attrs


class ReasonRequiredSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Why; kept with the status change.")


class ReasonOptionalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class PaymentRetrySerializer(ReasonOptionalSerializer):
    override_reason = _override_reason_field()


class PaymentResultSerializer(serializers.Serializer):
    result = PaymentResultField(
        help_text="successful or failed for a submitted payment; returned for a successful one.",
    )
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="The provider's reference."
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


# --- payees ----------------------------------------------------------------------------------------


class PayeeSerializer(serializers.ModelSerializer):
    """A payee with its tax id and account number masked: only their last 4 digits are shown."""

    tax_id_masked = serializers.CharField(read_only=True, help_text="All but the last 4 digits hidden.")
    account_number_masked = serializers.CharField(read_only=True, help_text="All but the last 4 digits hidden.")
    verified_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_verified = serializers.BooleanField(read_only=True, help_text="Only verified payees can be paid.")

    class Meta:
        model = Payee
        fields = [
            "id",
            "owner",
            "role",
            "kind",
            "name",
            "payment_method",
            "tax_id_masked",
            "account_holder",
            "routing_number",
            "account_number_masked",
            "mailing_address_line_1",
            "mailing_address_line_2",
            "mailing_town",
            "mailing_postcode",
            "verification_status",
            "is_verified",
            "verified_at",
            "verified_by",
            "verification_reason",
            "verification_evidence",
            "automatic_check_status",
            "automatic_check_message",
            "automatic_checked_at",
        ]
        read_only_fields = fields


class PayeeVerifySerializer(serializers.Serializer):
    # Empty files and the type allow-list are the document service's to judge, with its own messages.
    evidence = serializers.FileField(
        allow_empty_file=True,
        help_text="What you checked (a TIN-match screenshot, an EIN letter): PDF, JPEG, PNG, HEIC, DOCX or XLSX.",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Why you are satisfied the payee is who they say they are."
    )


class UtilityPayeeSerializer(serializers.Serializer):
    """A utility's payee as given (the service checks every detail, with its own messages)."""

    # Text, not an enum: "kind" names other choice sets in the schema already; the service checks it.
    kind = serializers.CharField(
        max_length=20, default=PayeeKind.BUSINESS, help_text="individual or business (default business)."
    )
    name = serializers.CharField(max_length=200)
    tax_id = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    account_holder = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    routing_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    account_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    mailing_address_line_1 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    mailing_address_line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    mailing_town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    mailing_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


# --- stipend schedules -----------------------------------------------------------------------------


class StipendScheduleSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    payee_name = serializers.CharField(source="payee.name", read_only=True)
    stopped_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = StipendSchedule
        fields = [
            "id",
            "case",
            "case_number",
            "payee",
            "payee_name",
            "amount",
            "payment_method",
            "first_month",
            "last_month",
            "status",
            "stopped_at",
            "stopped_by",
            "stop_reason",
            "created_at",
        ]
        read_only_fields = fields


class StipendScheduleCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A tenant's rental case at the Payment chevron.")
    payee = serializers.PrimaryKeyRelatedField(queryset=Payee.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Paid each month; more than zero.")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    first_month = serializers.DateField(help_text="Any day of the first month paid for.")
    months = serializers.IntegerField(help_text="How many months to pay, 1 to 12.")


# --- export batches --------------------------------------------------------------------------------


class BatchFilesSerializer(serializers.Serializer):
    csv = serializers.CharField(help_text="Where to download every payment in the batch, as CSV.")
    ach = serializers.CharField(
        help_text="Where to download the bank transfers as a NACHA (ACH) file (404 when the batch has none)."
    )


class BatchSerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    case_type_name = serializers.CharField(source="case_type.name", read_only=True, allow_null=True, default=None)
    report = serializers.ListField(
        child=serializers.DictField(), read_only=True, help_text="Verified payments left out of the batch, and why."
    )
    files = serializers.SerializerMethodField()

    class Meta:
        model = PaymentBatch
        fields = [
            "id",
            "reference",
            "created_at",
            "created_by",
            "case_type",
            "case_type_name",
            "payment_count",
            "total_amount",
            "report",
            "files",
        ]
        read_only_fields = fields

    def get_files(self, batch: PaymentBatch) -> BatchFilesSerializer:
        def url(kind: str) -> str:
            return reverse("api-payment-batch-file", args=[batch.pk, kind])

        return BatchFilesSerializer({"csv": url("csv"), "ach": url("ach")}).data


class BatchCreateSerializer(serializers.Serializer):
    case_type = serializers.PrimaryKeyRelatedField(
        queryset=CaseType.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Export only this programme's verified payments; empty: every programme's.",
    )


# --- reconciliation --------------------------------------------------------------------------------


class ReconciliationRowSerializer(serializers.Serializer):
    def get_fields(self):
        # Declared here, not as class attributes: "fields" would shadow Serializer.fields.
        return {
            "row": serializers.IntegerField(help_text="The row's line in the file (the header is line 1)."),
            "reference": serializers.CharField(allow_blank=True, help_text="The payment reference the row gives."),
            "result": serializers.CharField(allow_blank=True, help_text="The result the row gives, as written."),
            "outcome": serializers.CharField(
                help_text="changed, unchanged (already recorded, or for an earlier batch), not_applied (the file "
                "was refused for other rows) or error."
            ),
            "message": serializers.CharField(allow_blank=True),
            "fields": serializers.DictField(
                child=serializers.CharField(), required=False, help_text="For an error: each column at fault."
            ),
        }


class ReconciliationImportSerializer(serializers.ModelSerializer):
    imported_by = UserSummarySerializer(read_only=True, allow_null=True)
    report = ReconciliationRowSerializer(many=True, read_only=True)

    class Meta:
        model = ReconciliationImport
        fields = [
            "id",
            "file_name",
            "sha256",
            "imported_at",
            "imported_by",
            "status",
            "row_count",
            "changed_count",
            "unchanged_count",
            "error_count",
            "report",
        ]
        read_only_fields = fields


class ReconciliationUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="The provider's results as CSV: payment_reference,result,amount,provider_reference,reason.",
    )


class ReconciliationRefusedSerializer(PaymentsErrorSerializer):
    """A refused file: the error (each bad row under `rows.<line>`) and the import as recorded."""

    reconciliation_import = ReconciliationImportSerializer(read_only=True)
