"""Query-string filters for the people-and-places API (free-text `search` is the selectors')."""

from __future__ import annotations

import django_filters

from casework.models import Contact, PatchSource, Property, Tenancy


class ContactFilter(django_filters.FilterSet):
    class Meta:
        model = Contact
        fields = ["preferred_language", "is_active"]


class PropertyFilter(django_filters.FilterSet):
    patch = django_filters.CharFilter(field_name="patch__code", lookup_expr="iexact", help_text="Patch code, e.g. N01.")
    region = django_filters.CharFilter(
        field_name="patch__region__code", lookup_expr="iexact", help_text="Region code, e.g. N."
    )
    patch_source = django_filters.ChoiceFilter(
        choices=PatchSource.choices, help_text="How the patch was decided; unresolved: not in the postcode lookup."
    )

    class Meta:
        model = Property
        fields = ["patch", "region", "patch_source"]


class TenancyFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Tenancy.Status.choices, help_text="Repeat for several.")
    tenure_type = django_filters.MultipleChoiceFilter(
        choices=Tenancy.TenureType.choices, help_text="Repeat for several."
    )
    property = django_filters.NumberFilter(field_name="property_id", help_text="Property id.")
    household = django_filters.NumberFilter(field_name="household_id", help_text="Household id.")
    patch = django_filters.CharFilter(
        field_name="property__patch__code", lookup_expr="iexact", help_text="Patch code, e.g. N01."
    )
    start_date = django_filters.DateFromToRangeFilter(help_text="start_date_after / start_date_before (inclusive).")

    class Meta:
        model = Tenancy
        fields = ["status", "tenure_type", "property", "household", "patch", "start_date"]
