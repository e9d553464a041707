"""Forms for the staff case page. They parse and shape input only; every rule (who may, what is
allowed now, what a valid value is) lives in the services, whose refusals are put back on these
forms with core.forms.form_add_domain_error."""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import NOTE_MAX_LENGTH, REVIEW_TEMPLATE, Appointment, Document
from core.forms import SharedModelChoiceField

REASON_MAX_LENGTH = 2000


class GovukMixin:
    """Adds the GOV.UK classes to each widget, and the error class to fields that have errors."""

    widget_classes = {
        forms.Textarea: "govuk-textarea",
        forms.Select: "govuk-select",
        forms.ClearableFileInput: "govuk-file-upload",
        forms.FileInput: "govuk-file-upload",
    }

    def _css(self, widget) -> str:
        return next((c for t, c in self.widget_classes.items() if type(widget) is t), "govuk-input")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields(self.fields)

    def style_fields(self, names) -> None:
        """Give the named fields their GOV.UK classes (a form that adds fields after __init__
        calls this for them)."""
        for name in names:
            widget, field = self.fields[name].widget, self.fields[name]
            widget.attrs["class"] = f"{self._css(widget)} {widget.attrs.get('class', '')}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not self.fields[name].widget.is_hidden:
                widget = self.fields[name].widget
                widget.attrs["class"] += f" {self._css(widget)}--error"
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{described} {self[name].auto_id}-error".strip()


class TransitionForm(GovukMixin, forms.Form):
    """A move along the chevrons. `status` is the status the page showed, so a move made on a
    page that someone else has since changed is refused rather than applied to a case the person
    was not looking at."""

    transition = forms.CharField(widget=forms.HiddenInput)
    status = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskForm(GovukMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, error_messages={"required": _("Enter a subject.")})
    due_date = forms.DateField(
        label=_("Due date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date, for example 27 3 2027.")},
    )
    assignee = SharedModelChoiceField(
        label=_("Assign to (optional)"),
        required=False,
        queryset=None,
        empty_label=_("Me"),
        help_text=_(
            "Leave as “Me” to set the task for yourself, or choose the case's owner or someone in your team. "
            "To hand work to another team, refer the case."
        ),
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class NoteForm(GovukMixin, forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "data-mention-input": "", "autocomplete": "off"}),
        error_messages={"required": _("Enter the note.")},
        help_text=_("Type @ and the start of a colleague's name or email to mention them; they will be notified."),
    )


class DocumentForm(GovukMixin, forms.Form):
    file = forms.FileField(label=_("File"), error_messages={"required": _("Choose a file to upload.")})
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose a category")), *Document.Category.choices],
        error_messages={"required": _("Choose a category.")},
    )


class ReviewForm(GovukMixin, forms.Form):
    comment = forms.CharField(
        label=_("Review"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial=REVIEW_TEMPLATE,
        required=False,  # the service says what is missing, in the same words as the API
        help_text=_("Fill in the template: the current status, the pending action items and who owns them."),
    )


class ReferralForm(GovukMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=_("Choose a team"))
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=None, empty_label=_("Choose a reason"))
    to_queue = forms.ModelChoiceField(
        label=_("Hand the case to a queue (optional)"),
        queryset=None,
        required=False,
        empty_label=_("No, keep the current owner"),
    )
    comments = forms.CharField(
        label=_("What does the team need to do?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, teams=None, reasons=None, queues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["reason"].queryset = reasons
        self.fields["reason"].label_from_instance = lambda reason: f"{reason.team.name}: {reason.name}"
        self.fields["to_queue"].queryset = queues
        self.fields["team"].error_messages["required"] = _("Choose the team to refer the case to.")
        self.fields["reason"].error_messages["required"] = _("Choose a reason.")


class AppointmentForm(GovukMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"required": _("Enter when the appointment starts."), "invalid": _("Enter a date and time.")},
    )
    ends_at = forms.DateTimeField(
        label=_("Ends (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"invalid": _("Enter a date and time.")},
    )
    mode = forms.ChoiceField(label=_("How"), choices=Appointment.Mode.choices)
    location = forms.CharField(label=_("Where or which number (optional for video)"), required=False, max_length=200)
    with_user = SharedModelChoiceField(
        label=_("With a member of staff"), queryset=None, required=False, empty_label=_("Nobody from staff")
    )
    with_name = forms.CharField(label=_("Or with (name)"), required=False, max_length=200)
    notes = forms.CharField(label=_("Notes (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_user"].queryset = staff

    def _aware(self, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is not None and timezone.is_naive(value):
            return timezone.make_aware(value)
        return value

    def clean_starts_at(self):
        return self._aware(self.cleaned_data.get("starts_at"))

    def clean_ends_at(self):
        return self._aware(self.cleaned_data.get("ends_at"))


class TemplateChoiceField(forms.ModelChoiceField):
    """A letter, email or text template, chosen by its key; the form sets which (its queryset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"required": _("Choose a template."), "invalid_choice": _("Choose a template from the list.")},
        )
        super().__init__(
            queryset=None, to_field_name="key", label=_("Template"), empty_label=_("Choose a template"), **kwargs
        )


class MessageForm(GovukMixin, forms.Form):
    """Send (or preview) a letter, email or text from a template. `token` is made when the form
    is drawn and names the decision to send: a double click, or the form sent again after a
    slow answer, finds the message the first one recorded."""

    template = TemplateChoiceField()
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4().hex
