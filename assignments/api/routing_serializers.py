"""Representations for the routing API: presence and load, offers, a case's routing state, and
the small request bodies of the routing actions."""

from __future__ import annotations

from rest_framework import serializers

from assignments.models import CaseRouting, DeclineReason, Offer, RoutingProfile
from casework.api.serializers import UserSummarySerializer
from casework.models import Case
from core.models import User

# --- reading -----------------------------------------------------------------------------------------


class PresenceSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    load = serializers.IntegerField(
        read_only=True, help_text="Dynamically routed cases accepted (on their current chevron) plus offers pending."
    )
    offers_pending = serializers.IntegerField(read_only=True, help_text="Offers waiting for an answer.")

    class Meta:
        model = RoutingProfile
        fields = ["user", "presence", "presence_changed_at", "load", "capacity", "offers_pending", "team"]
        read_only_fields = fields


class OfferSerializer(serializers.ModelSerializer):
    """An offer as its potential owner sees it: which case, how urgent, how long it has waited."""

    case_id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_type = serializers.CharField(source="case.case_type.name", read_only=True)
    chevron = serializers.ChoiceField(source="case.status", choices=Case.Status.choices, read_only=True)
    priority = serializers.ChoiceField(source="case.priority", choices=Case.Priority.choices, read_only=True)
    waiting_since = serializers.DateTimeField(
        source="case.routing.waiting_since",
        read_only=True,
        allow_null=True,
        help_text="When the case became ready for a person; a declined case keeps its original wait.",
    )
    decline_reason = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "status",
            "case_id",
            "case_number",
            "case_type",
            "chevron",
            "priority",
            "offered_at",
            "expires_at",
            "waiting_since",
            "responded_at",
            "decline_reason",
            "note",
        ]
        read_only_fields = fields


class CaseRoutingSerializer(serializers.Serializer):
    """Where a case stands with the router."""

    case_id = serializers.IntegerField(source="case.pk", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    state = serializers.ChoiceField(source="routing.state", choices=CaseRouting.State.choices, read_only=True)
    chevron = serializers.ChoiceField(
        source="routing.status",
        choices=Case.Status.choices,
        read_only=True,
        help_text="The chevron this routing is for (the case's status when it was last routed).",
    )
    skills = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Codes of the skills the chevron needs."
    )
    waiting_since = serializers.DateTimeField(source="routing.waiting_since", read_only=True, allow_null=True)
    potential_owner = UserSummarySerializer(
        read_only=True, allow_null=True, help_text="Who the case is offered to now (their offer is pending)."
    )
    offered_at = serializers.DateTimeField(source="offer.offered_at", read_only=True, allow_null=True, default=None)
    offer_expires_at = serializers.DateTimeField(
        source="offer.expires_at", read_only=True, allow_null=True, default=None
    )
    assignee = UserSummarySerializer(
        source="routing.assignee",
        read_only=True,
        allow_null=True,
        help_text="Who holds the case: accepted from an offer, or assigned by hand.",
    )
    owner = UserSummarySerializer(source="case.owner", read_only=True, allow_null=True)


# --- writing --------------------------------------------------------------------------------------------


class PresenceSetSerializer(serializers.Serializer):
    presence = serializers.ChoiceField(choices=RoutingProfile.Presence.choices)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.PrimaryKeyRelatedField(
        queryset=DeclineReason.objects.all(),
        required=False,
        allow_null=True,
        help_text="A decline reason's id, from the configured list (optional).",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(kind=User.Kind.STAFF), help_text="The member of staff to give the case to."
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
