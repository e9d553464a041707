"""Documents asked for on a case, and the documents each case type asks for by default.

A `DocumentRequest` is what the applicant sees under "What we need from you": outstanding until
a document answers it (received) or staff withdraw it (cancelled). Asking again for a document
that was not good enough is a new outstanding request that names the document it replaces and
why, so the old request stays received with its document and the history reads in order.

A `DocumentRequirement` is configuration: the documents a rental case type needs from every
applicant, asked for when the application is submitted.

Fields, constraints and transitions only: writes go through casework.services.document_requests.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from casework.models.cases import Case, CaseType
from casework.models.work import Document
from core.models import Stamped

DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH = 300
DOCUMENT_REQUEST_REASON_MAX_LENGTH = 1000


@pghistory.track()
class DocumentRequirement(Stamped):
    """A document every application of `case_type` is asked for when it is submitted, with the
    words the applicant reads (e.g. "Your last two payslips"). Supervisors keep these in the
    admin; switching one off stops new requests without touching those already made."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="document_requirements")
    category = models.CharField(max_length=20, choices=Document.Category.choices)
    description = models.CharField(
        max_length=DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH,
        help_text='What the applicant is asked for, in their words, e.g. "Your last two payslips".',
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive requirements are not asked for on new applications."
    )

    class Meta:
        ordering = ["case_type_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "category"], name="casework_document_requirement_once_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}: {self.description}"


@pghistory.track()
class DocumentRequest(FSMModelMixin, Stamped):
    """A document asked for on a case. `requested_by` is None when the system asked (a case
    type's default requirements on submission). `replaces` and `reason` are set when staff ask
    again for a document that was not good enough."""

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="document_requests")
    category = models.CharField(max_length=20, choices=Document.Category.choices)
    description = models.CharField(max_length=DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.OUTSTANDING, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(null=True, blank=True)
    reason = models.TextField(
        blank=True,
        max_length=DOCUMENT_REQUEST_REASON_MAX_LENGTH,
        help_text="Why staff asked again (shown to the applicant).",
    )
    replaces = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="replacement_requests"
    )
    requirement = models.ForeignKey(
        DocumentRequirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="answered_requests"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["case", "status"], name="docrequest_case_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["outstanding", "received", "cancelled"]),
                name="casework_document_request_status_known",
            ),
            # A received request always names the document that answered it.
            models.CheckConstraint(
                condition=~models.Q(status="received") | models.Q(document__isnull=False, received_at__isnull=False),
                name="casework_document_request_received_has_document",
            ),
            # Default requests are made once per requirement and case, even when the application
            # is submitted, sent back and submitted again, or two submissions race.
            models.UniqueConstraint(
                fields=["case", "requirement"],
                condition=models.Q(requirement__isnull=False),
                name="casework_document_request_requirement_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.description}"

    @property
    def is_outstanding(self) -> bool:
        return self.status == self.Status.OUTSTANDING

    @property
    def is_reupload(self) -> bool:
        return self.replaces_id is not None

    @transition(field=status, source=Status.OUTSTANDING, target=Status.RECEIVED)
    def receive(self, document: Document) -> None:
        self.document = document
        self.received_at = timezone.now()

    @transition(field=status, source=Status.OUTSTANDING, target=Status.CANCELLED)
    def cancel(self, reason: str) -> None:
        self.cancelled_at = timezone.now()
        self.cancelled_reason = reason
