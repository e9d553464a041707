"""Admin for the region lookup: supervisors maintain which postcode prefixes lie in which patch.
Saving or deleting a row re-derives the patch of the properties that follow the lookup (never a
verified or overridden one). Bulk loads: manage.py postcode_areas_import."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from casework.models import PostcodeArea
from casework.services import regions
from core import errors
from core.admin import StampedAdmin


class PostcodeAreaForm(forms.ModelForm):
    class Meta:
        model = PostcodeArea
        fields = ["prefix", "patch"]
        help_texts = {"prefix": regions.PREFIX_HELP}

    def clean_prefix(self):
        try:
            return regions.postcode_prefix_normalise(self.cleaned_data.get("prefix", ""))
        except errors.ValidationError as error:
            raise ValidationError(error.fields["prefix"]) from error


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(StampedAdmin):
    form = PostcodeAreaForm
    list_display = ("prefix", "patch", "region")
    list_filter = ("patch__region", "patch")
    list_select_related = ("patch__region",)
    search_fields = ("prefix", "patch__code", "patch__name")
    autocomplete_fields = ("patch",)

    @admin.display(description="Region", ordering="patch__region__name")
    def region(self, obj) -> str:
        return str(obj.patch.region)

    def _refresh(self, request, prefixes) -> None:
        changed = regions.property_patches_refresh(actor=request.user, prefixes=prefixes)
        if changed:
            self.message_user(request, f"Re-derived the patch of {changed} properties.", level=messages.INFO)

    def save_model(self, request, obj, form, change):
        # The old prefix too: properties it covered may now fall to a shorter prefix, or to none.
        prefixes = {obj.prefix, form.initial.get("prefix") or obj.prefix}
        super().save_model(request, obj, form, change)
        self._refresh(request, prefixes)

    def delete_model(self, request, obj):
        prefix = obj.prefix
        super().delete_model(request, obj)
        self._refresh(request, [prefix])

    def delete_queryset(self, request, queryset):
        prefixes = list(queryset.values_list("prefix", flat=True))
        super().delete_queryset(request, queryset)
        self._refresh(request, prefixes)
