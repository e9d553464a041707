"""The payments staff API: payments and every move of their status machine (docs/adr/0016),
payees (masked) and their verification, stipend schedules, export batches and their files, and
reconciliation imports. Staff only (the API's default permission); a payment or schedule on a case
the user may not see is 404. Thin: selectors (payments.selectors for one payment or payee,
payments.api.selectors for lists) read, each write calls one service (payments.services), which
holds the rules; refusals come back as 400/403/404/409 in the project's error shape."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from casework.selectors.cases import case_get
from core import errors
from payments import selectors as payment_selectors
from payments.api import selectors
from payments.api import serializers as s
from payments.api.filters import PayeeFilter, PaymentFilter, ReconciliationImportFilter, StipendScheduleFilter
from payments.models import Payee, Payment, PaymentBatch, ReconciliationImport, ReconciliationStatus, StipendSchedule
from payments.permissions import can_export_batch
from payments.services import batches as batch_services
from payments.services import payees as payee_services
from payments.services import payments as payment_services
from payments.services import reconciliation as reconciliation_services
from payments.services import stipends as stipend_services

logger = logging.getLogger(__name__)

_REFUSED = OpenApiResponse(s.PaymentsErrorSerializer, description="Refused: the error says why.")


def _refusals(*codes: int) -> dict[int, OpenApiResponse]:
    return dict.fromkeys(codes, _REFUSED)


# Every read of one record can say: not staff (403), no such record or not visible (404).
_READ_REFUSALS = _refusals(403, 404)


def _fake(view) -> bool:
    """True while drf-spectacular builds the schema (no request user, no URL arguments)."""
    return getattr(view, "swagger_fake_view", False)


def _parse(serializer_class, request) -> dict:
    """The request body checked by `serializer_class`; a 400 with per-field messages otherwise."""
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _check_payee(request, case, payee: Payee, *, keeping: Payee | None = None) -> None:
    """The payee must be one of the landlord payees on `case` (those of the landlord applications
    matched to it), as the staff pages offer; a payment may keep the payee it has. Raises
    ValidationError (field "payee")."""
    if keeping is not None and payee.pk == keeping.pk:
        return
    if not payment_selectors.case_payee_choice_list_for(user=request.user, case=case).filter(pk=payee.pk).exists():
        raise errors.ValidationError(
            fields={"payee": ["Choose one of the landlord payees on this case, or a utility's payee."]}
        )


def _payment(request, payment_id: int, code: int = status.HTTP_200_OK) -> Response:
    """The payment as it stands after a write, read again through the selector."""
    payment = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    return Response(s.PaymentSerializer(payment).data, status=code)


# --- payments --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List payments",
        description="Payments on the cases you may see, newest first. Filter by status, reason, case, "
        "programme (case type), payee, export batch or stipend schedule.",
        responses={200: s.PaymentSerializer(many=True), **_refusals(400, 403)},
    ),
)
class PaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return Payment.objects.none()
        return selectors.payment_list_for(user=self.request.user)

    def get_object(self) -> Payment:
        return payment_selectors.payment_get(user=self.request.user, payment_id=int(self.kwargs["pk"]))

    @extend_schema(summary="Get a payment", responses={200: s.PaymentSerializer, **_READ_REFUSALS})
    def retrieve(self, request, pk=None):
        return Response(s.PaymentSerializer(self.get_object()).data)

    @extend_schema(
        summary="Set up a payment",
        description="Not verified, on a tenant's rental case at the Payment chevron (404 for a case you "
        "cannot see), to one of the landlord payees on the case. Case managers, reviewers and supervisors "
        "only. The duplicate-benefit check runs: a payment that would pay the household or home twice for "
        "the same days, or past the programme's cap, is refused with 409 `duplicate_benefit`, unless a "
        "supervisor gives `override_reason`.",
        request=s.PaymentCreateSerializer,
        responses={201: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    def create(self, request):
        data = _parse(s.PaymentCreateSerializer, request)
        case = case_get(user=request.user, case_id=data.pop("case"))
        _check_payee(request, case, data["payee"])
        payment = payment_services.payment_create(actor=request.user, case=case, **data)
        return _payment(request, payment.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a payment's details",
        description="Payee (one of the landlord payees on the case), reason, amount, payment method or "
        "period, before it is submitted (409 after, for everyone). Only the fields sent change; any other "
        "field is refused (400); a change to a verified payment sends it back to not "
        "verified. A change to the amount, reason or period runs the duplicate-benefit check again.",
        request=s.PaymentUpdateSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        payment = self.get_object()
        data = _parse(s.PaymentUpdateSerializer, request)
        override_reason = data.pop("override_reason", "")
        if "payee" in data:
            _check_payee(request, payment.case, data["payee"], keeping=payment.payee)
        payment_services.payment_update(actor=request.user, payment=payment, override_reason=override_reason, **data)
        return _payment(request, payment.pk)

    def _move(self, request, service, input_class=None) -> Response:
        payment = self.get_object()
        data = _parse(input_class, request) if input_class else {}
        service(actor=request.user, payment=payment, **data)
        return _payment(request, payment.pk)

    @extend_schema(
        summary="Verify a payment",
        description="A case manager, reviewer or supervisor has checked it. Needs a payment method the payee "
        "has details for and a verified payee (409 naming the field otherwise).",
        request=None,
        responses={200: s.PaymentSerializer, **_refusals(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def verify(self, request, pk=None):
        return self._move(request, payment_services.payment_verify)

    @extend_schema(
        summary="Reject a payment",
        description="Before submission, with a reason: it will never be paid. Case managers, reviewers and "
        "supervisors.",
        request=s.ReasonRequiredSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        return self._move(request, payment_services.payment_reject, s.ReasonRequiredSerializer)

    @extend_schema(
        summary="Try a failed payment again",
        description="Back to not verified, to be corrected, checked and submitted again. The "
        "duplicate-benefit check runs again (409 `duplicate_benefit`; a supervisor may override).",
        request=s.PaymentRetrySerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def retry(self, request, pk=None):
        return self._move(request, payment_services.payment_retry, s.PaymentRetrySerializer)

    @extend_schema(
        summary="Submit a payment for payment",
        description="Supervisors, by hand (the export batch submits the rest). From here nobody can edit it.",
        request=s.ReasonOptionalSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request, pk=None):
        return self._move(request, payment_services.payment_submit, s.ReasonOptionalSerializer)

    @extend_schema(
        summary="Record the provider's result",
        description="Supervisors, by hand (the reconciliation import records the rest). Recording the result "
        "the payment already has changes nothing; a result that does not follow its status is 409.",
        request=s.PaymentResultSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="record-result", filterset_class=None)
    def record_result(self, request, pk=None):
        return self._move(request, payment_services.payment_record_result, s.PaymentResultSerializer)

    @extend_schema(
        summary="Void a payment",
        description="A submitted one before it is paid, or a failed one. Final. Supervisors, with a reason.",
        request=s.ReasonRequiredSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def void(self, request, pk=None):
        return self._move(request, payment_services.payment_void, s.ReasonRequiredSerializer)

    @extend_schema(
        summary="Recoup a payment",
        description="Money paid in error was clawed back from the payee. Final. Supervisors, with a reason.",
        request=s.ReasonRequiredSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def recoup(self, request, pk=None):
        return self._move(request, payment_services.payment_recoup, s.ReasonRequiredSerializer)

    @extend_schema(
        summary="Refund or cancel a payment",
        description="A failed or returned one is closed off. Final. Supervisors, with a reason.",
        request=s.ReasonRequiredSerializer,
        responses={200: s.PaymentSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="refund-or-cancel", filterset_class=None)
    def refund_or_cancel(self, request, pk=None):
        return self._move(request, payment_services.payment_refund_or_cancel, s.ReasonRequiredSerializer)


# --- payees ----------------------------------------------------------------------------------------


def _payee(request, payee_id: int) -> Response:
    payee = payment_selectors.payee_get(user=request.user, payee_id=payee_id)
    return Response(s.PayeeSerializer(payee).data)


@extend_schema_view(
    list=extend_schema(
        summary="List payees",
        description="Payees paid on the cases you may see, or whose owner's landlord application you may "
        "see, by name. Tax ids and account numbers are shown masked only.",
        responses={200: s.PayeeSerializer(many=True), **_refusals(400, 403)},
    ),
)
class PayeeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PayeeSerializer
    filterset_class = PayeeFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return Payee.objects.none()
        return selectors.payee_list_for(user=self.request.user)

    def get_object(self) -> Payee:
        return payment_selectors.payee_get(user=self.request.user, payee_id=int(self.kwargs["pk"]))

    @extend_schema(
        summary="Get a payee",
        description="Tax id and account number masked.",
        responses={200: s.PayeeSerializer, **_READ_REFUSALS},
    )
    def retrieve(self, request, pk=None):
        return Response(s.PayeeSerializer(self.get_object()).data)

    @extend_schema(
        summary="Add a utility's payee",
        description="Case managers, reviewers and supervisors. Utilities have no account, so staff keep their "
        "payee; landlords and property managers keep theirs in the portal. The automatic check is queued.",
        request=s.UtilityPayeeSerializer,
        responses={201: s.PayeeSerializer, **_refusals(400, 403)},
    )
    def create(self, request):
        payee = payee_services.utility_payee_save(actor=request.user, **_parse(s.UtilityPayeeSerializer, request))
        return Response(s.PayeeSerializer(payee).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Verify a payee by hand, with evidence",
        description="Case managers, reviewers and supervisors. The evidence is filed as a document (category "
        "“Tax or payee verification”) on the owner's landlord application, or a case the payee is paid on; "
        "then the verification is recorded with it and the reason. 409 when the payee is on no case.",
        request={"multipart/form-data": s.PayeeVerifySerializer},
        responses={200: s.PayeeSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="verify-by-worker",
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
    )
    def verify_by_worker(self, request, pk=None):
        payee = self.get_object()
        data = _parse(s.PayeeVerifySerializer, request)
        payee_services.payee_verify_with_evidence(
            actor=request.user,
            payee=payee,
            case=payment_selectors.payee_evidence_case(user=request.user, payee=payee),
            uploaded_file=data["evidence"],
            reason=data["reason"],
        )
        return _payee(request, payee.pk)

    @extend_schema(
        summary="Run the automatic name/TIN check now",
        description="Case managers, reviewers and supervisors. The answer (match, mismatch or error) is "
        "recorded on the payee; a match verifies it automatically, a mismatch leaves it for a worker.",
        request=None,
        responses={200: s.PayeeSerializer, **_refusals(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="check-automatic", filterset_class=None)
    def check_automatic(self, request, pk=None):
        payee = payee_services.payee_check_automatic(actor=request.user, payee=self.get_object())
        return _payee(request, payee.pk)


# --- stipend schedules -----------------------------------------------------------------------------


def _schedule(request, schedule_id: int, code: int = status.HTTP_200_OK) -> Response:
    schedule = selectors.stipend_schedule_get(user=request.user, schedule_id=schedule_id)
    return Response(s.StipendScheduleSerializer(schedule).data, status=code)


@extend_schema_view(
    list=extend_schema(
        summary="List stipend schedules",
        description="Monthly future-rent stipends on the cases you may see, newest first. Each month's "
        "payment is listed under GET /api/v1/payments/?schedule={id}.",
        responses={200: s.StipendScheduleSerializer(many=True), **_refusals(400, 403)},
    ),
)
class StipendScheduleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.StipendScheduleSerializer
    filterset_class = StipendScheduleFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return StipendSchedule.objects.none()
        return selectors.stipend_schedule_list_for(user=self.request.user)

    def get_object(self) -> StipendSchedule:
        return selectors.stipend_schedule_get(user=self.request.user, schedule_id=int(self.kwargs["pk"]))

    @extend_schema(summary="Get a stipend schedule", responses={200: s.StipendScheduleSerializer, **_READ_REFUSALS})
    def retrieve(self, request, pk=None):
        return Response(s.StipendScheduleSerializer(self.get_object()).data)

    @extend_schema(
        summary="Set up a stipend schedule",
        description="`amount` each month for `months` months (1 to 12) from the month `first_month` falls "
        "in, on a tenant's rental case at the Payment chevron (404 for a case you cannot see). No payment is "
        "made here: the stipend job makes each month's when it is due. Case managers, reviewers and "
        "supervisors.",
        request=s.StipendScheduleCreateSerializer,
        responses={201: s.StipendScheduleSerializer, **_refusals(400, 403, 404, 409)},
    )
    def create(self, request):
        data = _parse(s.StipendScheduleCreateSerializer, request)
        case = case_get(user=request.user, case_id=data.pop("case"))
        _check_payee(request, case, data["payee"])
        schedule = stipend_services.stipend_schedule_create(actor=request.user, case=case, **data)
        return _schedule(request, schedule.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Stop a stipend schedule",
        description="No further months are paid; the later months' unsubmitted payments are rejected with the "
        "reason. Final (409 when already stopped). Case managers, reviewers and supervisors.",
        request=s.ReasonRequiredSerializer,
        responses={200: s.StipendScheduleSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def stop(self, request, pk=None):
        schedule = self.get_object()
        data = _parse(s.ReasonRequiredSerializer, request)
        stipend_services.stipend_schedule_stop(actor=request.user, schedule=schedule, **data)
        return _schedule(request, schedule.pk)


# --- export batches --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List export batches",
        description="Newest first.",
        responses={200: s.BatchSerializer(many=True), **_refusals(403)},
    ),
)
class BatchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.BatchSerializer
    filterset_class = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return PaymentBatch.objects.none()
        return selectors.batch_list_for(user=self.request.user)

    def get_object(self) -> PaymentBatch:
        return selectors.batch_get(user=self.request.user, batch_id=int(self.kwargs["pk"]))

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's own type (Accept: text/csv) must not get 406; errors still
        # render as JSON, and the file bypasses rendering.
        return super().perform_content_negotiation(request, force=force or self.action == "file")

    @extend_schema(
        summary="Get an export batch",
        description="Its totals, the verified payments left out and why, and where to download its files. "
        "The payments in it: GET /api/v1/payments/?batch={id}.",
        responses={200: s.BatchSerializer, **_READ_REFUSALS},
    )
    def retrieve(self, request, pk=None):
        return Response(s.BatchSerializer(self.get_object()).data)

    @extend_schema(
        summary="Export verified payments in a new batch",
        description="Submits every verified payment (of one programme, given `case_type`) into a new batch "
        "and writes its CSV and ACH files. Supervisors only. 400 when no payment is ready.",
        request=s.BatchCreateSerializer,
        responses={201: s.BatchSerializer, **_refusals(400, 403)},
    )
    def create(self, request):
        data = _parse(s.BatchCreateSerializer, request)
        batch = batch_services.batch_export(actor=request.user, case_type=data.get("case_type"))
        batch = selectors.batch_get(user=request.user, batch_id=batch.pk)
        return Response(s.BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a batch's file",
        description="`csv`: every payment in the batch; `ach`: the bank transfers as a NACHA file. The file "
        "as it was handed over. Supervisors only: the bank file carries account numbers.",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["csv", "ach"])],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="csv: the batch as CSV."),
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.BINARY, description="ach: the NACHA file."),
            **_READ_REFUSALS,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<kind>csv|ach)", filterset_class=None)
    def file(self, request, pk=None, kind: str = "csv"):
        batch = self.get_object()
        if not can_export_batch(request.user):
            raise errors.PermissionDenied("Only a supervisor can download a batch's files.")
        filename, content_type, content = batch_services.batch_file(batch, kind)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- reconciliation imports ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List reconciliation imports",
        description="Every file of the provider's results imported, applied or refused, newest first.",
        responses={200: s.ReconciliationImportSerializer(many=True), **_refusals(400, 403)},
    ),
)
class ReconciliationImportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ReconciliationImportSerializer
    filterset_class = ReconciliationImportFilter
    lookup_value_regex = r"\d+"
    parser_classes = [MultiPartParser, FormParser]  # the one write is a file upload

    def get_queryset(self):
        if _fake(self):
            return ReconciliationImport.objects.none()
        return selectors.reconciliation_list_for(user=self.request.user)

    def get_object(self) -> ReconciliationImport:
        return selectors.reconciliation_get(user=self.request.user, import_id=int(self.kwargs["pk"]))

    @extend_schema(
        summary="Get a reconciliation import",
        description="With what each row did, or why it was refused.",
        responses={200: s.ReconciliationImportSerializer, **_READ_REFUSALS},
    )
    def retrieve(self, request, pk=None):
        return Response(s.ReconciliationImportSerializer(self.get_object()).data)

    @extend_schema(
        summary="Import the provider's results",
        description="A CSV file with the columns payment_reference,result,amount,provider_reference,reason "
        "(result: successful, failed or returned). All or nothing: 201 with the per-row report when every "
        "row is good and the file was applied; a file with any bad row is refused whole, nothing applied, "
        "and answered 400 with each bad row's columns under `fields` (`rows.<line>.<column>`) and the import, with its "
        "per-row report, under `reconciliation_import`. Importing a file again changes nothing. "
        "Supervisors only.",
        request={"multipart/form-data": s.ReconciliationUploadSerializer},
        responses={
            201: s.ReconciliationImportSerializer,
            400: OpenApiResponse(s.ReconciliationRefusedSerializer, description="Refused: the error says why."),
            **_refusals(403),
        },
    )
    def create(self, request):
        data = _parse(s.ReconciliationUploadSerializer, request)
        upload = data["file"]
        record = reconciliation_services.reconciliation_import(
            actor=request.user, file_name=upload.name or "", content=upload.read()
        )
        record = selectors.reconciliation_get(user=request.user, import_id=record.pk)
        body = s.ReconciliationImportSerializer(record).data
        if record.status == ReconciliationStatus.APPLIED:
            return Response(body, status=status.HTTP_201_CREATED)
        # Refused, and kept (so it is answered, not raised: raising would roll the record back).
        fields: dict[str, list[str]] = {}
        for entry in record.report:
            if entry.get("outcome") != "error":
                continue
            row = f"rows.{entry.get('row')}"
            for column, message in (entry.get("fields") or {"": entry.get("message", "")}).items():
                fields.setdefault(f"{row}.{column}" if column else row, []).append(str(message))
        message = (
            f"The file was refused: {record.error_count} of its {record.row_count} rows cannot be applied, so "
            "nothing was applied. Correct those rows and import the file again."
        )
        error = errors.ErrorDescription(status.HTTP_400_BAD_REQUEST, errors.ValidationError.code, message, fields)
        return Response({**error.as_body(), "reconciliation_import": body}, status=status.HTTP_400_BAD_REQUEST)
