from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from core import errors, services
from core.models import Heartbeat, User
from core.permissions import can_manage_staff_roles
from core.roles import Role


class UserChangeWithRolesForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Supervisors and administrators can also sign in to this admin site.",
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = list(self.instance.groups.values_list("name", flat=True))


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "kind", "first_name", "last_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeWithRolesForm
    add_form = UserCreationForm
    ordering = ("last_name", "first_name", "email")
    filter_horizontal = ("user_permissions",)
    list_display = ("email", "first_name", "last_name", "kind", "role_names", "is_active", "last_login")
    list_filter = ("kind", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    # Roles change only through staff_set_roles (audited, keeps admin access in step);
    # kind is fixed after creation: turning an applicant into staff is not an edit.
    readonly_fields = ("kind", "is_staff", "is_superuser", "groups", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password", "kind")}),
        ("Personal details", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "roles", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "kind", "first_name", "last_name", "password1", "password2")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_names(self, obj: User) -> str:
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "-"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or (obj.kind == User.Kind.STAFF and can_manage_staff_roles(request.user)):
            return fieldsets
        return tuple(
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "roles")}) for name, opts in fieldsets
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data and can_manage_staff_roles(request.user) and form.instance.kind == "staff":
            try:
                services.staff_set_roles(actor=request.user, user=form.instance, roles=set(form.cleaned_data["roles"]))
            except errors.DomainError as error:
                self.message_user(request, error.message, level=messages.ERROR)


STAMP_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")


class StampedAdmin(admin.ModelAdmin):
    """For models with core.models.Stamped fields: shows who created and last changed a row,
    and records the signed-in user on every save, inline rows included."""

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *STAMP_FIELDS)

    def save_model(self, request, obj, form, change):
        obj.stamp(request.user)
        super().save_model(request, obj, form, change)

    def formset_save_order(self, instances):
        """The order inline rows are saved in; override where a constraint cares."""
        return instances

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in self.formset_save_order(instances):
            if hasattr(instance, "stamp"):
                instance.stamp(request.user)
            instance.save()
        formset.save_m2m()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by code (services, jobs): visible here, never added, edited or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "seen_at", "hostname")
