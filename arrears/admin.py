"""Arrears in the admin: supervisors maintain the reference data (transaction types, action codes,
pause reasons, court outcomes), patch officers, and each account kind's rules and automation
switches (no redeploy; every change audited). Accounts and what happens on them are read-only
here: they change through the services, and supervisors import them, and their transactions,
from the housing system's CSV export ("Import from CSV" on the accounts list; each import is
kept as an import run)."""

from __future__ import annotations

import contextlib
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from arrears.models import (
    ActionCode,
    ActionDiaryEntry,
    Arrangement,
    AutomatedStep,
    CourtOutcome,
    ImportKind,
    ImportRun,
    PatchOfficer,
    PauseReason,
    RentAccount,
    RuleSet,
    TransactionType,
)
from arrears.rules import RuleSettings
from arrears.services import import_format, imports
from arrears.services.classification import accounts_classify
from arrears.services.rulesets import overrides_problems
from core import errors
from core.admin import ReadOnlyAdmin, StampedAdmin
from core.permissions import is_supervisor


@admin.register(TransactionType)
class TransactionTypeAdmin(StampedAdmin):
    list_display = ("code", "description", "category")
    list_filter = ("category",)
    search_fields = ("code", "description")


@admin.register(ActionCode)
class ActionCodeAdmin(StampedAdmin):
    list_display = ("code", "description", "is_communication", "user_accessible", "is_active")
    list_filter = ("is_communication", "user_accessible", "is_active")
    search_fields = ("code", "description")


@admin.register(PauseReason)
class PauseReasonAdmin(StampedAdmin):
    list_display = ("label", "code", "is_active", "order")
    autocomplete_fields = ("code",)


@admin.register(CourtOutcome)
class CourtOutcomeAdmin(StampedAdmin):
    list_display = (
        "code",
        "meaning",
        "can_carry_terms",
        "keeps_warrant_active",
        "calls_for_possession_warrant",
        "ends_after_warrant_life",
    )
    search_fields = ("code", "meaning")


@admin.register(PatchOfficer)
class PatchOfficerAdmin(StampedAdmin):
    list_display = ("patch", "officer")
    autocomplete_fields = ("patch",)


def _settings_help() -> str:
    lines = [f"{name}: {text}" for name, text in RuleSettings.field_help().items()]
    return "Only the settings that differ from the default rule set, as JSON. " + " | ".join(lines)


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = (
            "overrides",
            "tenure_types",
            "minimum_balance",
            "restrict_patches",
            "patches",
            "breach_tolerance_days",
            "team",
            "automation_on",
        )
        help_texts = {"overrides": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overrides"].help_text = _settings_help()

    def clean_overrides(self):
        overrides = self.cleaned_data["overrides"] or {}
        problems = overrides_problems(overrides)
        if problems:
            raise forms.ValidationError(problems["overrides"])
        # Stored as what differs from the default (see rule_set_save).
        return RuleSettings.from_overrides(overrides).overrides()


class AutomatedStepInline(admin.TabularInline):
    model = AutomatedStep
    extra = 0
    fields = ("classification", "template", "diary_code", "schedule", "is_on", "patches")
    autocomplete_fields = ("diary_code",)


@admin.register(RuleSet)
class RuleSetAdmin(StampedAdmin):
    form = RuleSetForm
    list_display = ("__str__", "automation_on", "restrict_patches", "minimum_balance")
    inlines = [AutomatedStepInline]
    filter_horizontal = ("patches",)
    actions = ["classify_now"]

    @admin.action(description="Classify every account of these kinds now")
    def classify_now(self, request, queryset):
        counts = accounts_classify(kinds=list(queryset.values_list("kind", flat=True)))
        self.message_user(
            request,
            f"Classified {counts.classified} accounts: {counts.changed} changed, {counts.sent} letters or texts sent.",
            level=messages.INFO,
        )


class DiaryInline(admin.TabularInline):
    model = ActionDiaryEntry
    fields = ("occurred_at", "code", "comment", "source", "created_by")
    readonly_fields = fields
    extra = 0
    ordering = ("-occurred_at", "-id")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ArrangementInline(admin.TabularInline):
    model = Arrangement
    fields = ("kind", "frequency", "instalment_amount", "start_date", "state", "expected_balance")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ImportForm(forms.Form):
    """The upload on the "Import from CSV" page. The file is read whole and must be UTF-8 text
    (the service checks its header and every row)."""

    file = forms.FileField(
        label="CSV file",
        help_text="An accounts or transactions export: UTF-8 text with a header row naming the columns.",
    )
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[("", "Tell from the header"), *ImportKind.choices],
        required=False,
    )
    dry_run = forms.BooleanField(
        label="Check only",
        required=False,
        help_text="Check every row and show what would be imported, without changing anything.",
    )
    classify = forms.BooleanField(
        label="Re-classify the accounts the import changes",
        required=False,
        help_text="Otherwise the nightly run re-classifies them. Letters and texts are only sent by the nightly run.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.text: str | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(f"“{upload.name}” is not a CSV file: choose a file whose name ends in .csv.")
        data = upload.read()
        if not data.strip():
            raise forms.ValidationError(f"“{upload.name}” is empty.")
        # A NUL byte decodes as UTF-8 but is never in a CSV export: the file is UTF-16, or not text.
        if b"\x00" not in data:
            with contextlib.suppress(UnicodeDecodeError):
                self.text = data.decode("utf-8-sig")
        if self.text is None:
            raise forms.ValidationError(
                f"“{upload.name}” is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8” and try again."
            )
        return upload


class RentAccountImportMixin:
    """The "Import from CSV" page, linked from the accounts list: supervisors upload an accounts
    or transactions export and see what was imported and each rejected row. The same service as
    manage.py arrears_import."""

    def get_urls(self):
        return [
            path("import/", self._supervisors_only(self.import_view), name="arrears_rentaccount_import"),
            *super().get_urls(),
        ]

    def _supervisors_only(self, view):
        admin_view = self.admin_site.admin_view(view)

        def wrapper(request, *args, **kwargs):
            # Signed in but not a supervisor: refused outright (the admin would send them to sign in again).
            if request.user.is_authenticated and not is_supervisor(request.user):
                raise PermissionDenied("Only supervisors can import accounts and transactions.")
            return admin_view(request, *args, **kwargs)

        return wrapper

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": is_supervisor(request.user)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report = imports.import_csv(
                    actor=request.user,
                    file=io.StringIO(form.text, newline=""),
                    name=data["file"].name,
                    kind=data["kind"] or None,
                    dry_run=data["dry_run"],
                    classify=data["classify"],
                )
            except errors.ValidationError as error:
                form.add_error("file", error.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import accounts or transactions from CSV",
            "form": form,
            "report": report,
            "run_url": (
                reverse("admin:arrears_importrun_change", args=[report.run_id]) if report and report.run_id else ""
            ),
            "columns": {str(kind): columns for kind, columns in import_format.COLUMNS.items()},
        }
        return TemplateResponse(request, "admin/arrears/rentaccount/import.html", context)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """Each CSV import: who, when, the counts and the rejected rows. Supervisors see them."""

    list_display = ("started_at", "file_name", "kind", "started_by", "created", "updated", "unchanged", "rejected")
    # No filter sidebar: its links fail WCAG 2.2's target size (axe); the search finds a file.
    search_fields = ("file_name",)
    date_hierarchy = "started_at"
    list_select_related = ("started_by",)
    fields = (
        "kind",
        "file_name",
        "started_by",
        "started_at",
        "finished_at",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "classified",
        "error",
        "rejected_rows",
    )
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return is_supervisor(request.user) or super().has_view_permission(request, obj)

    @admin.display(description="Rejected rows")
    def rejected_rows(self, obj: ImportRun):
        if not obj.report:
            return "None"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((r.get("line"), r.get("field"), r.get("message")) for r in obj.report),
        )
        caption = f"{obj.rejected} rejected {'row' if obj.rejected == 1 else 'rows'}"
        if len(obj.report) >= ImportRun.REPORT_LIMIT:
            caption += f" (the first {len(obj.report)} problems are kept)"
        return format_html(
            '<table><caption>{}</caption><thead><tr><th scope="col">Line</th><th scope="col">Column</th>'
            '<th scope="col">Problem</th></tr></thead><tbody>{}</tbody></table>',
            caption,
            rows,
        )


@admin.register(RentAccount)
class RentAccountAdmin(RentAccountImportMixin, ReadOnlyAdmin):
    list_display = ("reference", "kind", "patch", "balance", "classification", "paused_until", "in_scope")
    list_filter = ("kind", "in_scope", "classification", "patch")
    search_fields = ("reference", "tenancy__reference")
    list_select_related = ("patch",)
    inlines = [ArrangementInline, DiaryInline]

    def get_fields(self, request, obj=None):
        return [f.name for f in RentAccount._meta.fields if f.name != "id"]
