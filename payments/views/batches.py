"""The supervisors' pages for the payment process (docs/adr/0017): export batches (what is ready,
exporting a batch, its payments and what was left out, downloading its files) and reconciliation
imports (uploading the provider's results file, and each import's per-row report).

Only supervisors (and administrators) may see them: everyone else gets 403. A POST parses its
form and calls one service; a refusal re-shows the page with the service's sentence in the error
summary: 400 for bad input (nothing to export, an unreadable or refused results file), 409 for a
conflict."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required
from payments.forms_batches import ExportBatchForm, ReconciliationForm
from payments.models import Payment, PaymentBatch, PaymentStatus, ReconciliationImport, ReconciliationStatus
from payments.permissions import can_export_batch, can_import_reconciliation
from payments.services.batches import batch_export, batch_file, why_not_exportable
from payments.services.reconciliation import reconciliation_import

RECENT_BATCHES = 50
RECENT_IMPORTS = 20
# Whether a batch has an ACH file, without reading (and decrypting) it: empty is stored as NULL.
HAS_ACH = ExpressionWrapper(Q(ach_file__isnull=False), output_field=BooleanField())

OUTCOME_LABELS = {
    "changed": gettext_lazy("Changed"),
    "unchanged": gettext_lazy("Already recorded"),
    "not_applied": gettext_lazy("Not applied"),
    "error": gettext_lazy("Error"),
}
FIELD_LABELS = {
    "payment_reference": gettext_lazy("Payment reference"),
    "result": gettext_lazy("Result"),
    "amount": gettext_lazy("Amount"),
    "provider_reference": gettext_lazy("Provider reference"),
    "reason": gettext_lazy("Reason"),
}


def _check_export(user) -> None:
    # None is the payment job: a page's user is always a person.
    if user is None or not can_export_batch(user):
        raise errors.PermissionDenied("Only supervisors can export payment batches.")


def _check_import(user) -> None:
    if user is None or not can_import_reconciliation(user):
        raise errors.PermissionDenied("Only supervisors can import payment results.")


# --- export batches --------------------------------------------------------------------------------


def _ready() -> dict:
    """The verified payments not yet in a batch, per programme: how many an export would take
    now, and how many it would leave out (and why, per payment: batch_export's own test)."""
    programmes: dict[int, dict] = {}
    pending = (
        Payment.objects.filter(status=PaymentStatus.VERIFIED_BY_WORKER, batch__isnull=True)
        .select_related("payee", "case", "case__case_type")
        .order_by("case__case_type__name", "pk")
    )
    for payment in pending:
        case_type = payment.case.case_type
        entry = programmes.setdefault(
            case_type.pk, {"case_type": case_type, "count": 0, "total": Decimal("0"), "held": []}
        )
        problem = why_not_exportable(payment)
        if problem:
            entry["held"].append({"payment": payment, "reason": problem})
        else:
            entry["count"] += 1
            entry["total"] += payment.amount
    rows = list(programmes.values())
    return {
        "programmes": rows,
        "count": sum(row["count"] for row in rows),
        "total": sum((row["total"] for row in rows), Decimal("0")),
        "held": sum(len(row["held"]) for row in rows),
    }


def _batch_list_page(request, *, form: ExportBatchForm, status: int = 200) -> HttpResponse:
    batches = (
        PaymentBatch.objects.select_related("created_by", "case_type")
        .defer("csv_file", "ach_file")
        .annotate(has_ach=HAS_ACH)
        .order_by("-created_at", "-id")[:RECENT_BATCHES]
    )
    return render(
        request,
        "payments/staff/batch_list.html",
        {"form": form, "batches": batches, "ready": _ready()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_member_required
def batch_list(request):
    """The export batches, what is ready to export, and the form that exports a batch."""
    _check_export(request.user)
    if request.method == "GET":
        return _batch_list_page(request, form=ExportBatchForm())
    form = ExportBatchForm(request.POST)
    if not form.is_valid():
        return _batch_list_page(request, form=form, status=400)
    try:
        batch = batch_export(actor=request.user, case_type=form.cleaned_data["case_type"])
    except errors.DomainError as exc:
        form_add_domain_error(form, exc)
        return _batch_list_page(request, form=form, status=exc.status_code)
    messages.success(
        request,
        _("Batch %(reference)s exported: %(count)s payments, %(total)s.")
        % {"reference": batch.reference, "count": batch.payment_count, "total": f"{batch.total_amount:,.2f}"},
    )
    return redirect("staff-payment-batch", batch_id=batch.pk)


@require_GET
@staff_member_required
def batch_detail(request, batch_id: int):
    """A batch: its payments (as they are now), those left out and why, and its files."""
    _check_export(request.user)
    batch = get_object_or_404(
        PaymentBatch.objects.select_related("created_by", "case_type")
        .defer("csv_file", "ach_file")
        .annotate(has_ach=HAS_ACH),
        pk=batch_id,
    )
    payments = batch.payments.select_related("payee", "case").order_by("pk")
    left_out = [
        {**entry, "payment_id": Payment.id_from_export_reference(entry.get("payment", ""))}
        for entry in batch.report or []
    ]
    return render(
        request,
        "payments/staff/batch_detail.html",
        {"batch": batch, "payments": payments, "left_out": left_out},
    )


@require_GET
@staff_member_required
def batch_file_download(request, batch_id: int, kind: str):
    """A batch's CSV or ACH file, as it was exported."""
    _check_export(request.user)
    batch = get_object_or_404(PaymentBatch, pk=batch_id)
    file_name, content_type, content = batch_file(batch, kind)  # NotFound (404) for an unknown kind
    charset = "us-ascii" if kind == "ach" else "utf-8"
    response = HttpResponse(content, content_type=f"{content_type}; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"  # bank details: never kept by a browser or proxy
    return response


# --- reconciliation --------------------------------------------------------------------------------


def report_rows(report: list[dict]) -> list[dict]:
    """An import's report as the table shows it: each row's outcome label, its payment's id for
    a link (when there is such a payment), and a bad row's field messages with the field's name."""
    report = report or []
    wanted = {Payment.id_from_export_reference(entry.get("reference", "")) for entry in report} - {None}
    existing = set(Payment.objects.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    rows = []
    for entry in report:
        fields = entry.get("fields") or {}
        payment_id = Payment.id_from_export_reference(entry.get("reference", ""))
        rows.append(
            {
                **entry,
                "outcome_label": OUTCOME_LABELS.get(entry.get("outcome"), entry.get("outcome", "")),
                "is_error": entry.get("outcome") == "error",
                "payment_id": payment_id if payment_id in existing else None,
                "field_messages": [(FIELD_LABELS.get(name, name), message) for name, message in fields.items()],
            }
        )
    return rows


def _reconciliation_page(request, *, form: ReconciliationForm, result=None, status: int = 200) -> HttpResponse:
    imports = ReconciliationImport.objects.select_related("imported_by").defer("report")[:RECENT_IMPORTS]
    return render(
        request,
        "payments/staff/reconciliation.html",
        {
            "form": form,
            "result": result,
            "rows": report_rows(result.report) if result is not None else [],
            "refusal": [
                _(
                    "The file was refused and nothing was applied: %(count)s of its rows are wrong. "
                    "Correct them and import the whole file again."
                )
                % {"count": result.error_count}
            ]
            if result is not None and result.status == ReconciliationStatus.REFUSED
            else [],
            "imports": imports,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_member_required
def reconciliation(request):
    """Upload the provider's results file. An applied file goes to its import's page; a refused
    one (nothing applied) is shown here, 400, with its report, so it can be corrected and sent
    again."""
    _check_import(request.user)
    if request.method == "GET":
        return _reconciliation_page(request, form=ReconciliationForm())
    form = ReconciliationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _reconciliation_page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = reconciliation_import(actor=request.user, file_name=upload.name, content=upload.read())
    except errors.DomainError as exc:
        form_add_domain_error(form, exc)
        return _reconciliation_page(request, form=form, status=exc.status_code)
    if result.status == ReconciliationStatus.REFUSED:
        return _reconciliation_page(request, form=ReconciliationForm(), result=result, status=400)
    messages.success(
        request,
        _("%(name)s imported: %(changed)s payments changed, %(unchanged)s already recorded.")
        % {"name": result.file_name, "changed": result.changed_count, "unchanged": result.unchanged_count},
    )
    return redirect("staff-payment-reconciliation-detail", import_id=result.pk)


@require_GET
@staff_member_required
def reconciliation_detail(request, import_id: int):
    """A past import and its per-row report."""
    _check_import(request.user)
    result = get_object_or_404(ReconciliationImport.objects.select_related("imported_by"), pk=import_id)
    return render(
        request,
        "payments/staff/reconciliation_detail.html",
        {"result": result, "rows": report_rows(result.report)},
    )
