"""Building blocks of the portal's forms, shared by the tenant application (portal.forms.applications,
portal.forms.application_steps) and the landlord's (portal.forms.landlords): radios and checkboxes
drawn in GOV.UK markup, money and date fields, the step form base and the sign-and-submit form.

Amounts are Decimals of at least 0 with at most 2 decimal places; dates a person has already
lived (a date of birth, a tenancy start, when rent was first owed) cannot be in the future."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin


class Radios(forms.RadioSelect):
    """Radios drawn in GOV.UK markup by the template (the first with the field's own id, so the
    error summary links to it)."""

    def id_for_label(self, id_, index=None):
        return id_


class Checkboxes(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index=None):
        return id_


_AMOUNT_EXAMPLE = _("For example, 650.00")


def money(label, *, required: bool = True, help_text=_AMOUNT_EXAMPLE) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}),
        error_messages={
            "required": _("Enter an amount, or 0 if there is none."),
            "invalid": _("Enter an amount of money, like 650 or 650.00."),
            "min_value": _("The amount cannot be less than 0."),
            "max_decimal_places": _("Enter the amount with no more than 2 decimal places, like 650.25."),
            "max_digits": _("The amount is too large."),
            "max_whole_digits": _("The amount is too large."),
        },
    )


class PastDateField(forms.DateField):
    """A date not after today."""

    def __init__(self, *, future_message, **kwargs):
        self.future_message = future_message
        kwargs.setdefault(
            "widget", forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d")
        )
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"])
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(self.future_message, code="future")


class MonthField(forms.DateField):
    """A month (the first of it), typed as YYYY-MM in a month input."""

    widget = forms.DateInput(attrs={"type": "month", "class": "govuk-input--width-10"}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m", "%m/%Y", "%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The month cannot be in the future."), code="future")


class StepForm(GovukMixin, forms.Form):
    """A step's form: a fixed id prefix so labels and the error summary link to the controls."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def raw_answers(cls, data) -> dict:
        """What was typed into this step's fields (for "Save and come back later" when the step
        does not validate yet): each known field as text, or a list for multiple choices."""
        out = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                valid = {str(value) for value, _label in field.choices}
                out[name] = [v for v in data.getlist(name) if v in valid]
            elif isinstance(field, forms.BooleanField):
                out[name] = bool(data.get(name))
            else:
                out[name] = str(data.get(name, ""))[:300].strip()
        return out


class SignForm(StepForm):
    signed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        error_messages={"required": _("Type your full name to sign the application.")},
    )
    confirm = forms.BooleanField(
        label=_("I confirm that the information in this application is true and complete."),
        error_messages={"required": _("Tick the box to confirm your application is true and complete.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_name"].widget.attrs.update(autocomplete="name", spellcheck="false")
