"""Admin for people and places. Supervisors maintain regions, patches, organisations and
properties here; contacts, households and tenancies are visible here and recorded through the
services. Saves stamp who made the change; references are issued by the model on first save
(casework.models.Referenced) and are never editable."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from casework.models import (
    Contact,
    ContactExternalKey,
    Household,
    HouseholdMember,
    Organisation,
    Patch,
    Property,
    Region,
    Tenancy,
)
from casework.permissions import can_create_contact_by_hand, can_verify_property_region
from casework.services import identity, postcode_normalise, regions
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


class ContactExternalKeyInline(admin.TabularInline):
    """Links are made only by the service (after its checks), through the API."""

    model = ContactExternalKey
    fields = ("system", "key", "linked_by", "linked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(StampedAdmin):
    """Contacts are visible here; applicants' records come from registrations and submissions,
    so only a superuser may add one by hand (staff add household members through a case)."""

    list_display = ("reference", "last_name", "first_name", "date_of_birth", "preferred_language", "is_active")
    list_filter = ("is_active", "preferred_language")
    search_fields = ("reference", "first_name", "last_name", "email", "phone")
    readonly_fields = ("reference", "national_id_masked")
    fields = (
        "reference",
        ("first_name", "last_name"),
        "date_of_birth",
        ("phone", "email"),
        "preferred_language",
        "national_id_masked",
        "is_active",
        *STAMP_FIELDS,
    )
    inlines = [ContactExternalKeyInline]

    def has_add_permission(self, request):
        return can_create_contact_by_hand(request.user) and super().has_add_permission(request)

    @admin.display(description="National id")
    def national_id_masked(self, obj) -> str:
        return identity.national_id_mask(obj.national_id) or "-"


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
    override_patch = forms.ModelChoiceField(
        queryset=Patch.objects.select_related("region"),
        required=False,
        help_text="Only to set the patch by hand (the postcode lookup sets it otherwise); give the reason below.",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=regions.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required with an override: why this patch, e.g. how it was checked.",
    )

    class Meta:
        model = Property
        fields = ["address_line_1", "address_line_2", "town", "postcode", "landlord_contact", "landlord_organisation"]

    def clean_postcode(self):
        # The services' normaliser, so an address typed here matches one recorded elsewhere.
        try:
            return postcode_normalise(self.cleaned_data.get("postcode", ""))
        except errors.ValidationError as error:
            raise ValidationError(error.fields["postcode"]) from error

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("override_patch") and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", "Give the reason for overriding the patch.")
        return cleaned


@admin.register(Property)
class PropertyAdmin(StampedAdmin):
    """The patch comes from the postcode lookup (re-derived when the postcode changes) and is
    never edited directly: it is verified with the action, or overridden with a reason."""

    form = PropertyAdminForm
    list_display = (
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "patch",
        "patch_source",
        "landlord_organisation",
    )
    list_filter = ("patch_source", "patch__region", "patch")
    list_select_related = ("patch", "landlord_organisation")
    search_fields = ("address_line_1", "address_line_2", "town", "postcode")
    autocomplete_fields = ("landlord_contact", "landlord_organisation")
    readonly_fields = ("patch", "patch_source", "patch_verified_by", "patch_verified_at", "patch_reason")
    fieldsets = (
        (None, {"fields": ("address_line_1", "address_line_2", "town", "postcode")}),
        ("Landlord", {"fields": ("landlord_contact", "landlord_organisation")}),
        (
            "Patch and region",
            {"fields": (*readonly_fields, "override_patch", "override_reason")},
        ),
        ("Record", {"fields": STAMP_FIELDS}),
    )
    actions = ["verify_patches"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_verify_property_region(request.user):
            return fieldsets
        return tuple(
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if not f.startswith("override_"))})
            for name, opts in fieldsets
        )

    def save_model(self, request, obj, form, change):
        if not change or "postcode" in form.changed_data:
            regions.apply_patch_lookup(obj)
        super().save_model(request, obj, form, change)
        override = form.cleaned_data.get("override_patch")
        if override is not None:
            regions.property_patch_override(
                actor=request.user, property=obj, patch=override, reason=form.cleaned_data["override_reason"]
            )

    @admin.action(description="Verify the looked-up patch of the selected properties")
    def verify_patches(self, request, queryset):
        verified = 0
        for prop in queryset:
            try:
                regions.property_patch_verify(actor=request.user, property=prop)
                verified += 1
            except errors.DomainError as error:
                self.message_user(request, f"{prop}: {error.message}", level=messages.WARNING)
        if verified:
            self.message_user(request, f"Verified the patch of {verified} properties.", level=messages.SUCCESS)


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
