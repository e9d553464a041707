"""Admin for people and places. Supervisors maintain regions, patches, organisations and
properties here; contacts, households and tenancies are visible here and recorded through the
services. Saves stamp who made the change; references are issued by the model on first save
(casework.models.Referenced) and are never editable."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from casework.models import (
    Contact,
    Household,
    HouseholdMember,
    Organisation,
    Patch,
    Property,
    Region,
    Tenancy,
)
from casework.services import postcode_normalise
from core import errors
from core.admin import STAMP_FIELDS, StampedAdmin


class PatchInline(admin.TabularInline):
    model = Patch
    fields = ("code", "name")
    extra = 0
    show_change_link = True


@admin.register(Region)
class RegionAdmin(StampedAdmin):
    list_display = ("code", "name", "administering_agency")
    search_fields = ("code", "name", "administering_agency")
    inlines = [PatchInline]


@admin.register(Patch)
class PatchAdmin(StampedAdmin):
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("code", "name")


@admin.register(Organisation)
class OrganisationAdmin(StampedAdmin):
    list_display = ("name", "kind", "email", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "email")


@admin.register(Contact)
class ContactAdmin(StampedAdmin):
    list_display = ("reference", "last_name", "first_name", "date_of_birth", "preferred_language", "is_active")
    list_filter = ("is_active", "preferred_language")
    search_fields = ("reference", "first_name", "last_name", "email", "phone")
    readonly_fields = ("reference",)
    fields = (
        "reference",
        ("first_name", "last_name"),
        "date_of_birth",
        ("phone", "email"),
        "preferred_language",
        "is_active",
        *STAMP_FIELDS,
    )


class HouseholdMemberFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        members = [
            form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        heads = sum(1 for member in members if member.get("relationship") == HouseholdMember.Relationship.HEAD)
        if members and heads != 1:
            raise ValidationError(f"A household needs exactly one head of household; {heads} given.")


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    formset = HouseholdMemberFormSet
    fields = ("contact", "relationship", "is_head")
    readonly_fields = ("is_head",)
    autocomplete_fields = ("contact",)
    extra = 0


@admin.register(Household)
class HouseholdAdmin(StampedAdmin):
    list_display = ("reference", "name", "member_count", "created_at")
    search_fields = ("reference", "name", "members__contact__last_name")
    readonly_fields = ("reference",)
    fields = ("reference", "name", *STAMP_FIELDS)
    inlines = [HouseholdMemberInline]

    def formset_save_order(self, instances):
        # Save members losing the head flag before the one gaining it (one head per household).
        return sorted(instances, key=lambda member: member.is_head)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description="Members", ordering="_member_count")
    def member_count(self, obj) -> int:
        return obj._member_count


class PropertyAdminForm(forms.ModelForm):
    class Meta:
        model = Property
        fields = [
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "patch",
            "landlord_contact",
            "landlord_organisation",
        ]

    def clean_postcode(self):
        # The services' normaliser, so an address typed here matches one recorded elsewhere.
        try:
            return postcode_normalise(self.cleaned_data.get("postcode", ""))
        except errors.ValidationError as error:
            raise ValidationError(error.fields["postcode"]) from error


@admin.register(Property)
class PropertyAdmin(StampedAdmin):
    form = PropertyAdminForm
    list_display = ("address_line_1", "address_line_2", "town", "postcode", "patch", "landlord_organisation")
    list_filter = ("patch__region", "patch")
    list_select_related = ("patch", "landlord_organisation")
    search_fields = ("address_line_1", "address_line_2", "town", "postcode")
    autocomplete_fields = ("landlord_contact", "landlord_organisation")


@admin.register(Tenancy)
class TenancyAdmin(StampedAdmin):
    list_display = (
        "reference",
        "property",
        "household",
        "tenure_type",
        "status",
        "start_date",
        "end_date",
        "weekly_rent",
    )
    list_filter = ("status", "tenure_type", "property__patch")
    list_select_related = ("property", "household")
    search_fields = (
        "reference",
        "household__name",
        "household__reference",
        "property__address_line_1",
        "property__postcode",
    )
    # Status moves only through services (ending a tenancy arrives with its own service).
    readonly_fields = ("reference", "status")
    autocomplete_fields = ("property", "household")
    date_hierarchy = "start_date"
