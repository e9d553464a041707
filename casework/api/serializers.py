"""Representations of people and places for the staff API, and the inputs of its few writes.
National ids are never serialised except masked."""

from __future__ import annotations

from rest_framework import serializers

from casework.models import (
    Case,
    Contact,
    ContactExternalKey,
    Household,
    HouseholdMember,
    Language,
    Organisation,
    Patch,
    Property,
    Queue,
    Region,
    Team,
    Tenancy,
)
from casework.services import identity
from core.models import User


class UserSummarySerializer(serializers.ModelSerializer):
    """Who did something: their name (or email when they have no name)."""

    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email"]
        read_only_fields = fields


class TeamSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "code", "name"]
        read_only_fields = fields


class QueueSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Queue
        fields = ["id", "code", "name"]
        read_only_fields = fields


class CaseReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "number", "status"]
        read_only_fields = fields


class ContactExternalKeySerializer(serializers.ModelSerializer):
    linked_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ContactExternalKey
        fields = ["id", "system", "key", "linked_by", "linked_at"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    national_id_masked = serializers.SerializerMethodField(
        help_text="The SSN or NI number with all but its last characters hidden, e.g. *****6789; null if none."
    )
    external_keys = ContactExternalKeySerializer(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "reference",
            "first_name",
            "last_name",
            "full_name",
            "date_of_birth",
            "phone",
            "email",
            "preferred_language",
            "national_id_masked",
            "external_keys",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_national_id_masked(self, contact: Contact) -> str | None:
        return identity.national_id_mask(contact.national_id)


class ExternalKeyLinkSerializer(serializers.Serializer):
    system = serializers.CharField(max_length=30, help_text='The other system\'s code, e.g. "benefits".')
    key = serializers.CharField(max_length=64, help_text="That system's key for this person (e.g. a tenant key).")


class ContactSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "reference", "full_name"]
        read_only_fields = fields


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class PatchSummarySerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Patch
        fields = ["id", "code", "name", "region_code"]
        read_only_fields = fields


class RegionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "administering_agency"]
        read_only_fields = fields


class PropertySerializer(serializers.ModelSerializer):
    patch = PatchSummarySerializer(read_only=True, allow_null=True)
    region = RegionSummarySerializer(read_only=True, allow_null=True, help_text="The patch's region; null if none.")
    patch_verified_by = UserSummarySerializer(read_only=True, allow_null=True)
    landlord_contact = ContactSummarySerializer(read_only=True, allow_null=True)
    landlord_organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Property
        fields = [
            "id",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "patch",
            "region",
            "patch_source",
            "patch_verified_by",
            "patch_verified_at",
            "patch_reason",
            "landlord_contact",
            "landlord_organisation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PatchOverrideSerializer(serializers.Serializer):
    patch = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Patch.objects.all(),
        help_text="The code of the patch the property is in, e.g. N01.",
        error_messages={"does_not_exist": "There is no patch with the code {value}."},
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why (required): e.g. how the patch was checked."
    )


class PropertySummarySerializer(serializers.ModelSerializer):
    patch_code = serializers.CharField(source="patch.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Property
        fields = ["id", "address_line_1", "address_line_2", "town", "postcode", "patch_code"]
        read_only_fields = fields


class HouseholdSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "reference", "name"]
        read_only_fields = fields


class TenancySerializer(serializers.ModelSerializer):
    property = PropertySummarySerializer(read_only=True)
    household = HouseholdSummarySerializer(read_only=True)

    class Meta:
        model = Tenancy
        fields = [
            "id",
            "reference",
            "property",
            "household",
            "tenure_type",
            "status",
            "start_date",
            "end_date",
            "weekly_rent",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdMemberSerializer(serializers.ModelSerializer):
    household = HouseholdSummarySerializer(read_only=True)
    contact = ContactSerializer(read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "household", "contact", "relationship", "is_head"]
        read_only_fields = fields


class HouseholdMemberAddSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, allow_blank=True)
    date_of_birth = serializers.DateField()
    relationship = serializers.ChoiceField(
        choices=HouseholdMember.Relationship.choices,
        help_text="Their relationship to the head of household (not head: a household has one head).",
    )
    phone = serializers.CharField(max_length=30, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, allow_blank=True, default="")
    preferred_language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    national_id = serializers.CharField(
        max_length=20, allow_blank=True, default="", write_only=True, help_text="SSN or NI number; never shown back."
    )
