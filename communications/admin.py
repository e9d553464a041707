"""Supervisors write templates here. Saving goes through communications.services.template_save
(a new version for every change of text); a template is checked as it is saved, with the line
at fault. The preview page renders the text being edited, saved or not, against a real case (by
number) or the fields' example values, with the letter's PDF."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from communications import rendering, services
from communications.fields import FIELDS, context_for, example_context, field_labels
from communications.models import Message, Template, TemplateVersion
from core import errors

_FIELD_HELP = "Merge fields: " + ", ".join(sorted(FIELDS))


class TemplateAdminForm(forms.ModelForm):
    required_fields = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Separated by commas, e.g. tenancy.reference, recipient.address.",
    )

    class Meta:
        model = Template
        fields = ["key", "name", "channel", "description", "subject", "body", "required_fields", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "cols": 90})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["required_fields"] = ", ".join(self.instance.required_fields)
        if "body" in self.fields:
            self.fields["body"].help_text = f"{self.fields['body'].help_text} {_FIELD_HELP}."

    def clean_required_fields(self) -> list[str]:
        return [name.strip() for name in (self.cleaned_data.get("required_fields") or "").split(",") if name.strip()]

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel") or self.instance.channel
        problems = rendering.template_problems(
            channel=channel,
            subject=cleaned.get("subject", ""),
            body=cleaned.get("body", ""),
            required_fields=cleaned.get("required_fields", []),
        )
        for field, field_messages in problems.items():
            self.add_error(field if field in self.fields else None, ValidationError(field_messages))
        return cleaned


class TemplateVersionInline(admin.TabularInline):
    model = TemplateVersion
    fields = ("number", "created_at", "created_by", "subject")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateAdminForm
    list_display = ("name", "key", "channel", "version", "is_active", "updated_at")
    list_filter = ("channel", "is_active")
    search_fields = ("name", "key", "description", "body")
    readonly_fields = ("version", "preview_link")
    inlines = [TemplateVersionInline]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("key", "channel") if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    @admin.display(description="Preview")
    def preview_link(self, obj) -> str:
        if obj is None or not obj.pk:
            return "Save the template first."
        url = reverse("admin:communications_template_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview this template against a case</a>', url)

    def save_model(self, request, obj, form, change):
        editable = ["name", "description", "subject", "body", "required_fields", "is_active"]
        values = {name: form.cleaned_data[name] for name in editable if name in form.cleaned_data}
        # The form has checked the text; the service checks again under a lock and writes the version.
        if change:
            saved = services.template_save(actor=request.user, template=obj, **values)
        else:
            saved = services.template_save(
                actor=request.user, key=form.cleaned_data["key"], channel=form.cleaned_data["channel"], **values
            )
        obj.pk, obj.version = saved.pk, saved.version

    def get_urls(self):
        return [
            path(
                "<int:template_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="communications_template_preview",
            ),
            path(
                "<int:template_id>/preview.pdf",
                self.admin_site.admin_view(self.preview_pdf_view),
                name="communications_template_preview_pdf",
            ),
            *super().get_urls(),
        ]

    def _preview_input(self, request, template: Template) -> tuple[str, str, dict, str]:
        """What the preview renders: the subject and text being edited (?subject=, ?body=; the
        saved ones otherwise), and the context of the case named by ?case=<number> or the
        examples, with a notice when there is no such case."""
        from casework.models import Case  # the casework app provides cases' merge fields

        if not self.has_view_permission(request, template):
            raise errors.PermissionDenied("You may not see this template.")
        subject = request.GET.get("subject", template.subject)
        body = request.GET.get("body", template.body)
        number = request.GET.get("case", "").strip()
        case = Case.objects.filter(number__iexact=number).first() if number else None
        if case is not None:
            return subject, body, context_for(case), ""
        notice = f"There is no case {number}: showing the example values instead." if number else ""
        return subject, body, example_context(), notice

    def preview_view(self, request, template_id: int):
        template = get_object_or_404(Template, pk=template_id)
        subject, body, context, notice = self._preview_input(request, template)
        problems = rendering.template_problems(
            channel=template.channel, subject=subject, body=body, required_fields=template.required_fields
        )
        rendered = None
        if not problems:
            rendered = rendering.render(
                subject=subject, body=body, required_fields=template.required_fields, context=context
            )
        return TemplateResponse(
            request,
            "admin/communications/template/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": template,
                "title": f"Preview: {template.name}",
                "subject": subject,
                "body": body,
                "case_number": request.GET.get("case", ""),
                "notice": notice,
                "problems": problems,
                "rendered": rendered,
                "missing": field_labels(rendered.missing) if rendered else [],
            },
        )

    def preview_pdf_view(self, request, template_id: int):
        template = get_object_or_404(Template, pk=template_id, channel=Template.Channel.LETTER)
        subject, body, context, _notice = self._preview_input(request, template)
        try:
            rendered = rendering.render(
                subject=subject, body=body, required_fields=template.required_fields, context=context
            )
        except rendering.TemplateProblems as exc:  # edited text that does not check: the page says why
            raise errors.ValidationError(fields=exc.problems) from exc
        response = HttpResponse(services.letter_preview_pdf(rendered, context), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-{template.key}.pdf"'
        return response


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """A read-only log: messages change through the services (sending, the sweep, review)."""

    list_display = ("idempotency_key", "channel", "status", "needs_review", "created_at", "sent_at")
    list_filter = ("channel", "status", "needs_review")
    search_fields = ("idempotency_key", "recipient_name", "recipient_email", "provider_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
