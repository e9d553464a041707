"""Representations of arrears accounts, their diary, transactions, arrangements, NOSPs, court
cases and evictions for the staff API, and the inputs of its writes. Inputs check only shape and
type: the services (arrears.services) hold the rules and word the refusals, so a rule broken
through the API reads the same as through a page."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework import serializers

from arrears.labels import action_label
from arrears.models import (
    ActionCode,
    ActionDiaryEntry,
    Arrangement,
    ArrangementKind,
    ArrangementState,
    ArrangementStateChange,
    CourtCase,
    CourtOutcome,
    Eviction,
    Frequency,
    Nosp,
    PauseReason,
    RentAccount,
    Transaction,
    TransactionType,
)
from arrears.rules import Classification, nosp_dates
from arrears.selectors.account import court_outcome_labels
from arrears.services.automation import MISSING_DATA, SENT
from arrears.services.rulesets import rule_set_for, rule_settings_for
from casework.api.serializers import UserSummarySerializer

# --- errors ----------------------------------------------------------------------------------------


class ArrearsErrorDetailSerializer(serializers.Serializer):
    def get_fields(self):
        # Declared here, not as class attributes: "fields" would shadow Serializer.fields.
        return {
            "code": serializers.CharField(help_text="e.g. validation_error, permission_denied, not_found, conflict."),
            "message": serializers.CharField(help_text="A sentence saying what is wrong."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="For a 400: each field at fault with its messages.",
            ),
        }


class ArrearsErrorSerializer(serializers.Serializer):
    """The body of every refusal: {"error": {"code", "message", "fields"}}."""

    error = ArrearsErrorDetailSerializer()


# --- reference data --------------------------------------------------------------------------------


class ActionCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionCode
        fields = [
            "code",
            "description",
            "is_communication",
            "communication_comment_contains",
            "user_accessible",
            "is_active",
        ]
        read_only_fields = fields


class PauseReasonSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code_id", read_only=True, help_text="The diary code a pause writes.")

    class Meta:
        model = PauseReason
        fields = ["id", "label", "code", "is_active", "order"]
        read_only_fields = fields


class PauseReasonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = PauseReason
        fields = ["id", "label"]
        read_only_fields = fields


class CourtOutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourtOutcome
        fields = [
            "code",
            "meaning",
            "can_carry_terms",
            "keeps_warrant_active",
            "calls_for_possession_warrant",
            "ends_after_warrant_life",
        ]
        read_only_fields = fields


class TransactionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransactionType
        fields = ["code", "description", "category"]
        read_only_fields = fields


# --- accounts --------------------------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    """An account as a worktray row shows it."""

    tenancy_reference = serializers.CharField(source="tenancy.reference", read_only=True)
    patch = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The arrears patch's code; null: unassigned."
    )
    weekly_gross_rent = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, help_text="Rent + service charge + other charges."
    )
    weeks_owed = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text="The balance in weeks of gross rent; null without a rent.",
    )
    is_paused = serializers.SerializerMethodField(help_text='Paused after today ("paused until today" is not).')
    classification = serializers.ChoiceField(
        choices=Classification.choices,
        allow_blank=True,
        read_only=True,
        help_text="The next recommended action; empty when the account has not been classified (out of scope).",
    )
    arrangement_state = serializers.ChoiceField(
        choices=ArrangementState.choices,
        allow_blank=True,
        read_only=True,
        help_text="The state of the latest arrangement; empty when there is none.",
    )
    pause_reason = PauseReasonSummarySerializer(read_only=True, allow_null=True)
    recommended_action = serializers.SerializerMethodField(
        help_text="The classification as this kind of account's worktray calls it "
        "(a service-charge account's send_nosp is “Send letter before action”); empty when not classified."
    )

    class Meta:
        model = RentAccount
        fields = [
            "id",
            "reference",
            "kind",
            "tenancy",
            "tenancy_reference",
            "patch",
            "in_scope",
            "balance",
            "collectable_arrears",
            "weeks_owed",
            "weekly_gross_rent",
            "is_paused",
            "paused_until",
            "pause_reason",
            "classification",
            "recommended_action",
            "classification_reason",
            "classification_since",
            "last_action_code",
            "last_action_at",
            "last_communication_code",
            "last_communication_at",
            "arrangement_state",
            "nosp_served_on",
            "court_date",
            "court_outcome_code",
            "eviction_date",
            "last_payment_on",
        ]
        read_only_fields = fields

    def get_is_paused(self, account: RentAccount) -> bool:
        return account.is_paused(timezone.localdate())

    def get_recommended_action(self, account: RentAccount) -> str:
        return action_label(account.classification, account.kind)


class StateChangeSerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ArrangementStateChange
        fields = ["id", "state", "expected_balance", "checked_balance", "description", "created_at", "created_by"]
        read_only_fields = fields


class ArrangementSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True, help_text="Live or breached (a breached one is still active).")
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Arrangement
        fields = [
            "id",
            "account",
            "kind",
            "court_case",
            "frequency",
            "instalment_amount",
            "start_date",
            "starting_balance",
            "lump_sum_amount",
            "lump_sum_date",
            "notes",
            "state",
            "is_active",
            "expected_balance",
            "checked_balance",
            "last_checked_at",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


class ArrangementDetailSerializer(ArrangementSerializer):
    history = StateChangeSerializer(many=True, read_only=True, help_text="Each check or change, newest first.")

    class Meta(ArrangementSerializer.Meta):
        fields = [*ArrangementSerializer.Meta.fields, "history"]
        read_only_fields = fields


class NospSerializer(serializers.ModelSerializer):
    """A NOSP with its lifecycle (arrears-rules.md §4) under the account kind's rule settings
    (the view puts them in the context as `rule_settings`; else they are read once)."""

    expires_on = serializers.SerializerMethodField(help_text="The end of the cooling-off period.")
    valid_until = serializers.SerializerMethodField()
    in_cooling_off = serializers.SerializerMethodField(help_text="The expiry is still in the future.")
    valid = serializers.SerializerMethodField(help_text="Valid-until is still in the future.")
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Nosp
        fields = [
            "id",
            "account",
            "served_on",
            "expires_on",
            "valid_until",
            "in_cooling_off",
            "valid",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields

    def _dates(self, nosp: Nosp):
        settings = self.context.get("rule_settings")
        if settings is None:
            settings = self.context["rule_settings"] = rule_settings_for(rule_set_for(nosp.account.kind))
        return nosp_dates(nosp.served_on, settings)  # never None: a NOSP has its served date

    def get_expires_on(self, nosp: Nosp) -> datetime.date:
        return self._dates(nosp).expires

    def get_valid_until(self, nosp: Nosp) -> datetime.date:
        return self._dates(nosp).valid_until

    def get_in_cooling_off(self, nosp: Nosp) -> bool:
        return self._dates(nosp).in_cooling_off(timezone.now())

    def get_valid(self, nosp: Nosp) -> bool:
        return self._dates(nosp).is_valid(timezone.now())


class CourtCaseSerializer(serializers.ModelSerializer):
    """A possession claim; `outcome_meaning` is null for an unrecorded outcome or a code not in the
    outcomes table (which still means "an outcome is recorded"). The table is read once per
    response (the view may put it in the context as `outcome_meanings`)."""

    outcome_meaning = serializers.SerializerMethodField()
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = CourtCase
        fields = [
            "id",
            "account",
            "court_date",
            "outcome_code",
            "outcome_meaning",
            "outcome_recorded_at",
            "terms",
            "disrepair_counter_claim",
            "strike_out_date",
            "balance_on_outcome_date",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields

    def get_outcome_meaning(self, court_case: CourtCase) -> str | None:
        if not court_case.outcome_code:
            return None
        meanings = self.context.get("outcome_meanings")
        if meanings is None:
            meanings = self.context["outcome_meanings"] = court_outcome_labels()
        return meanings.get(court_case.outcome_code)


class EvictionSerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Eviction
        fields = ["id", "account", "date", "created_at", "created_by"]
        read_only_fields = fields


class AccountDetailSerializer(AccountSerializer):
    """An account with its charges, pause comment, current arrangement and latest NOSP, court case
    and eviction ("latest": the last recorded, as the rules read them)."""

    current_arrangement = ArrangementSerializer(
        read_only=True, allow_null=True, help_text="The latest live or breached arrangement; null if none."
    )
    latest_nosp = NospSerializer(read_only=True, allow_null=True)
    latest_court_case = CourtCaseSerializer(read_only=True, allow_null=True)
    latest_eviction = EvictionSerializer(read_only=True, allow_null=True)

    class Meta(AccountSerializer.Meta):
        fields = [
            *AccountSerializer.Meta.fields,
            "weekly_rent",
            "weekly_service_charge",
            "weekly_other_charges",
            "payments_this_week",
            "pause_comment",
            "latest_letter_status",
            "is_terminated",
            "current_arrangement",
            "latest_nosp",
            "latest_court_case",
            "latest_eviction",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ExplanationStepSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text='The rule: its classification value, or "no_action".')
    fired = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why it fired, or the condition that held it back.")


class AccountExplanationSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    classification = serializers.ChoiceField(choices=Classification.choices)
    recommended_action = serializers.CharField()
    rule = serializers.CharField(help_text='The rule that fired ("no_action" when none did).')
    explanation = ExplanationStepSerializer(many=True, help_text="Every rule in order, up to the one that fired.")


# --- transactions and the diary --------------------------------------------------------------------


class TransactionSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type_id", read_only=True, help_text="The transaction type's code.")
    type_description = serializers.CharField(source="type.description", read_only=True)
    category = serializers.CharField(source="type.category", read_only=True, help_text="charge, payment or adjustment.")

    class Meta:
        model = Transaction
        fields = ["id", "type", "type_description", "category", "posted_on", "amount", "description", "external_id"]
        read_only_fields = fields


class DiaryEntrySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code_id", read_only=True)
    code_description = serializers.CharField(source="code.description", read_only=True)
    by = serializers.CharField(read_only=True, help_text="Who wrote it: a person's name, or the system.")
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ActionDiaryEntry
        fields = [
            "id",
            "code",
            "code_description",
            "occurred_at",
            "comment",
            "source",
            "by",
            "created_by",
            "created_at",
            "message",
            "task",
        ]
        read_only_fields = fields


class DiaryEntryCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10, help_text="An action code caseworkers may use (user_accessible).")
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When it happened, if earlier than now."
    )


class DiaryEntryCreatedSerializer(DiaryEntrySerializer):
    account = AccountSerializer(read_only=True, help_text="The account, re-classified by the entry.")

    class Meta(DiaryEntrySerializer.Meta):
        fields = [*DiaryEntrySerializer.Meta.fields, "account"]
        read_only_fields = fields


# --- account actions -------------------------------------------------------------------------------


class PauseSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The date the pause ends: after today.")
    reason = serializers.PrimaryKeyRelatedField(
        queryset=PauseReason.objects.all(), help_text="A pause reason's id (GET /api/v1/arrears/pause-reasons/)."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required: why.")


class UnpauseSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SendRecommendedSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(
        choices=Classification.choices,
        required=False,
        help_text="The recommended action you were shown: if the account's is now different, 409. "
        "Leave out to send for the classification stored on the account.",
    )


class SendResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[(SENT, "Sent"), (MISSING_DATA, "Missing data: the account was paused for a week with a task")]
    )
    account = AccountSerializer(help_text="The account after the send (re-classified, or paused).")


# --- arrangements, NOSPs, court cases and evictions ------------------------------------------------


class ArrangementCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ArrangementKind.choices)
    frequency = serializers.ChoiceField(choices=[c for c in Frequency.choices if c[0] != Frequency.UNSUPPORTED_LEGACY])
    instalment_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    start_date = serializers.DateField(help_text="The date the first instalment is due.")
    lump_sum_amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    lump_sum_date = serializers.DateField(required=False, allow_null=True)
    court_case = serializers.PrimaryKeyRelatedField(
        queryset=CourtCase.objects.all(),
        required=False,
        allow_null=True,
        help_text="For a formal (court-ordered) arrangement: this account's court case, with its balance on the "
        "outcome date recorded (the starting balance).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ArrangementCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required: why.")


class ArrangementWrittenSerializer(ArrangementDetailSerializer):
    account = AccountSerializer(read_only=True, help_text="The account, re-classified.")

    class Meta(ArrangementDetailSerializer.Meta):
        pass


class NospCreateSerializer(serializers.Serializer):
    served_on = serializers.DateField(help_text="The date it was served: not in the future.")


class NospRecordedSerializer(NospSerializer):
    account = AccountSerializer(read_only=True, help_text="The account, re-classified.")

    class Meta(NospSerializer.Meta):
        pass


class CourtCaseCreateSerializer(serializers.Serializer):
    court_date = serializers.DateTimeField(help_text="The hearing's date and time.")


class CourtOutcomeRecordSerializer(serializers.Serializer):
    outcome_code = serializers.CharField(
        max_length=10, help_text="A code from GET /api/v1/arrears/court-outcomes/, or any other (kept as given)."
    )
    terms = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Required when the outcome can carry terms."
    )
    disrepair_counter_claim = serializers.BooleanField(required=False, allow_null=True, default=None)
    balance_on_outcome_date = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    strike_out_date = serializers.DateField(required=False, allow_null=True, default=None)


class CourtCaseRecordedSerializer(CourtCaseSerializer):
    account = AccountSerializer(read_only=True, help_text="The account, re-classified.")

    class Meta(CourtCaseSerializer.Meta):
        pass


class EvictionCreateSerializer(serializers.Serializer):
    date = serializers.DateTimeField(help_text="The eviction's date and time.")


class EvictionRecordedSerializer(EvictionSerializer):
    account = AccountSerializer(read_only=True, help_text="The account, re-classified.")

    class Meta(EvictionSerializer.Meta):
        pass
