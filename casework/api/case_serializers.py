"""Representations of cases for the API: what staff and applicants read, and the inputs of the
case services. Inputs are validated for shape here; the rules live in casework.services.cases."""

from __future__ import annotations

from rest_framework import serializers

from casework.api.case_types import PicklistEntrySerializer
from casework.api.serializers import QueueSummarySerializer, UserSummarySerializer
from casework.models import (
    Case,
    CaseType,
    Contact,
    Priority,
    Property,
    Queue,
    RequestSubtype,
    RequestType,
    Source,
    Tenancy,
)
from casework.permissions import is_case_applicant
from casework.services.cases import STAFF_TRANSITIONS, available_staff_transitions
from core.models import User
from core.permissions import is_staff_member


class CaseTypeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseType
        fields = ["id", "code", "name", "workflow"]
        read_only_fields = fields


class ChevronSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=["done", "current", "to_do"])


class CaseSerializer(serializers.ModelSerializer):
    """A case as staff see it; applicants see the same minus internal fields (see to_representation)."""

    case_type = CaseTypeSummarySerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    closure_stage_label = serializers.CharField(source="get_closure_stage_display", read_only=True)
    chevrons = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    owner_queue = QueueSummarySerializer(read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    request_type = PicklistEntrySerializer(read_only=True, allow_null=True)
    request_subtype = PicklistEntrySerializer(read_only=True, allow_null=True)
    tenancy = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    property = serializers.StringRelatedField(read_only=True, allow_null=True)  # type: ignore[assignment]
    available_transitions = serializers.SerializerMethodField()

    # Internal to staff: never shown to an applicant.
    STAFF_ONLY = ("suspected_fraud", "owner", "owner_queue", "last_reviewed_at", "last_review_comment", "is_escalated")

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "case_type",
            "workflow",
            "status",
            "status_label",
            "chevrons",
            "closure_stage",
            "closure_stage_label",
            "closed_at",
            "priority",
            "is_escalated",
            "suspected_fraud",
            "contact",
            "tenancy",
            "property",
            "parent",
            "request_type",
            "request_subtype",
            "description",
            "source",
            "owner",
            "owner_queue",
            "application_code",
            "claimed_application_code",
            "submitted_at",
            "last_reviewed_at",
            "last_review_comment",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_chevrons(self, case: Case) -> list[dict]:
        return case.chevron_steps()

    def get_contact(self, case: Case) -> dict | None:
        if case.contact is None:
            return None
        return {"id": case.contact.pk, "reference": case.contact.reference, "name": case.contact.full_name}

    def get_available_transitions(self, case: Case) -> list[dict]:
        """The chevron moves the requesting staff member can make now (empty for applicants)."""
        user = self.context["request"].user if "request" in self.context else None
        return available_staff_transitions(user=user, case=case)

    def to_representation(self, case: Case) -> dict:
        data = super().to_representation(case)
        user = self.context["request"].user if "request" in self.context else None
        if not is_staff_member(user):
            for name in self.STAFF_ONLY:
                data.pop(name, None)
            if not is_case_applicant(user, case):
                data.pop("application_code", None)
        return data


class CaseCreateSerializer(serializers.Serializer):
    case_type = serializers.PrimaryKeyRelatedField(queryset=CaseType.objects.all())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.PHONE)
    request_type = serializers.PrimaryKeyRelatedField(
        queryset=RequestType.objects.all(), required=False, allow_null=True
    )
    request_subtype = serializers.PrimaryKeyRelatedField(
        queryset=RequestSubtype.objects.all(), required=False, allow_null=True
    )
    tenancy = serializers.PrimaryKeyRelatedField(queryset=Tenancy.objects.all(), required=False, allow_null=True)
    property = serializers.PrimaryKeyRelatedField(queryset=Property.objects.all(), required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(kind="staff"), required=False, allow_null=True
    )
    owner_queue = serializers.PrimaryKeyRelatedField(queryset=Queue.objects.all(), required=False, allow_null=True)
    acknowledge_existing = serializers.BooleanField(
        default=False,
        help_text="True once the contact's open cases of this type have been seen and this is a new matter.",
    )
    confirm_inactive_tenancy = serializers.BooleanField(
        default=False, help_text="True to open the case on an ended or pending-cancellation tenancy."
    )


class CaseUpdateSerializer(serializers.Serializer):
    case_type = serializers.PrimaryKeyRelatedField(
        queryset=CaseType.objects.all(), required=False, help_text="Cannot be changed: sending it is refused (409)."
    )
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    request_type = serializers.PrimaryKeyRelatedField(
        queryset=RequestType.objects.all(), required=False, allow_null=True
    )
    request_subtype = serializers.PrimaryKeyRelatedField(
        queryset=RequestSubtype.objects.all(), required=False, allow_null=True
    )
    tenancy = serializers.PrimaryKeyRelatedField(queryset=Tenancy.objects.all(), required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    is_escalated = serializers.BooleanField(required=False)
    confirm_inactive_tenancy = serializers.BooleanField(default=False)


class ApplicationStartSerializer(serializers.Serializer):
    case_type = serializers.PrimaryKeyRelatedField(queryset=CaseType.objects.filter(is_active=True))
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    claimed_application_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=9,
        help_text="The other side's application code: a landlord quotes the tenant's, a tenant their landlord's.",
    )


class TransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=sorted(STAFF_TRANSITIONS))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SubmitSerializer(serializers.Serializer):
    signed_name = serializers.CharField(max_length=200, help_text="The applicant's full name, as their signature.")


class MatchSerializer(serializers.Serializer):
    landlord_case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.filter(workflow="rental_landlord"))


class AppealSerializer(serializers.Serializer):
    grounds = serializers.CharField(max_length=5000)


class AppealDecisionSerializer(serializers.Serializer):
    overturn = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000)


class FraudFlagSerializer(serializers.Serializer):
    suspected = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000)


class OwnerSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(kind="staff"), required=False, allow_null=True
    )
    queue = serializers.PrimaryKeyRelatedField(queryset=Queue.objects.all(), required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ExistingCaseSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "number", "status", "status_label", "description", "owner", "created_at"]
        read_only_fields = fields
