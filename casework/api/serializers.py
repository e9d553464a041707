"""Read-only representations of people and places for the staff API."""

from __future__ import annotations

from rest_framework import serializers

from casework.models import Contact, Household, Organisation, Patch, Property, Tenancy


class ContactSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

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
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


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


class PropertySerializer(serializers.ModelSerializer):
    patch = PatchSummarySerializer(read_only=True, allow_null=True)
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
            "landlord_contact",
            "landlord_organisation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


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
