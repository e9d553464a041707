from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.template.response import TemplateResponse

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


class ActionTextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=2000)


def action_with_text(
    modeladmin, request, queryset, *, title: str, intro: str, label: str, required: bool, service, describe=str
):
    """An admin action that asks for one piece of text (a reason, an outcome) on a second page,
    then calls `service(obj, text)` for each selected row, each in its own transaction, and
    reports how many were done and each refusal in the service's own words."""
    form = ActionTextForm(request.POST if "apply" in request.POST else None)
    form.fields["text"].label = label
    form.fields["text"].required = required
    if form.is_bound and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                service(obj, form.cleaned_data["text"])
                done += 1
            except errors.DomainError as error:
                modeladmin.message_user(request, f"{describe(obj)}: {error.message}", level=messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{title}: {done} done.", level=messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "intro": intro,
        "items": [describe(obj) for obj in queryset],
        "form": form,
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/action_with_text.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by code (services, jobs): viewable, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "seen_at", "hostname")
