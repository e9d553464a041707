"""The tenant application's steps (slugs and titles, in order), its start page (the home and the
head of household, for the duplicate check) and the helpers its pages share. The form of each
step is in portal.forms.application_steps: it is what validates the step's answers (the service
stores `answers_of(form)`, JSON, for a valid form, and the form re-reads them as data to show
them again or to check them at submit). Fields shared with the landlord's forms are in
portal.forms.fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.services.common import postcode_normalise
from core import errors
from portal.forms.fields import PastDateField, Radios, StepForm

# The steps, in order: slug (in URLs) and title. portal.urls_applications accepts only these.
STEPS: list[tuple[str, object]] = [
    ("home", _("Your home and landlord")),
    ("household", _("Your household")),
    ("income", _("Household income")),
    ("rent-owed", _("Rent owed")),
    ("expenses", _("Household expenses")),
    ("consent", _("Declarations and contact")),
]
STEP_SLUGS = [slug for slug, _title in STEPS]
STEP_TITLES = dict(STEPS)
HOUSEHOLD_STEP = "household"


def postcode_clean(value: str) -> str:
    """A UK postcode (SW1A 1AA) or US ZIP code (02139, 02139-4307) in its usual form, by
    casework's postcode_normalise; raises a form error in the applicant's language otherwise
    (loosely: the shape, not whether it exists)."""
    try:
        return postcode_normalise(value)
    except errors.ValidationError:
        raise forms.ValidationError(
            _("Enter a real postcode, like SW1A 1AA, or a ZIP code, like 02139."), code="invalid_postcode"
        ) from None


# --- the start page -----------------------------------------------------------------------------


class StartForm(StepForm):
    """Asked before anything is created: enough to find an open application for the same home
    or household (the duplicate check), and which programme when there is a choice."""

    case_type = forms.ChoiceField(
        label=_("Which programme are you applying to?"),
        widget=Radios,
        required=False,
        error_messages={"required": _("Choose the programme you are applying to.")},
    )
    address_line_1 = forms.CharField(
        label=_("Address line 1"),
        max_length=200,
        error_messages={"required": _("Enter the first line of the address.")},
    )
    address_line_2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=200, required=False)
    town = forms.CharField(
        label=_("Town or city"), max_length=100, error_messages={"required": _("Enter the town or city.")}
    )
    postcode = forms.CharField(
        label=_("Postcode or ZIP code"), max_length=12, error_messages={"required": _("Enter the postcode.")}
    )
    head_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("You are the head of the household on this application."),
        error_messages={"required": _("Enter your full name.")},
    )
    head_date_of_birth = PastDateField(
        label=_("Your date of birth"),
        help_text=_("For example, 27 March 1985."),
        future_message=_("Your date of birth must be in the past."),
        error_messages={"required": _("Enter your date of birth."), "invalid": _("Enter a real date of birth.")},
    )

    def __init__(self, *args, case_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.case_types = list(case_types)
        if len(self.case_types) > 1:
            self.fields["case_type"].choices = [(str(t.pk), t.name) for t in self.case_types]
            self.fields["case_type"].required = True
        else:
            del self.fields["case_type"]
        self.fields["address_line_1"].widget.attrs["autocomplete"] = "address-line1"
        self.fields["address_line_2"].widget.attrs["autocomplete"] = "address-line2"
        self.fields["town"].widget.attrs["autocomplete"] = "address-level2"
        self.fields["postcode"].widget.attrs.update(
            autocomplete="postal-code", **{"class": "govuk-input govuk-input--width-10"}
        )
        self.fields["head_name"].widget.attrs.update(autocomplete="name", spellcheck="false")
        self.fields["head_date_of_birth"].widget.attrs["autocomplete"] = "bday"

    def clean_postcode(self):
        return postcode_clean(self.cleaned_data["postcode"])

    def chosen_case_type(self):
        if "case_type" not in self.fields:
            return self.case_types[0] if self.case_types else None
        return next((t for t in self.case_types if str(t.pk) == self.cleaned_data.get("case_type")), None)

    def case_type_options(self) -> list[dict]:
        field = self["case_type"]
        return [
            {
                "value": value,
                "label": label,
                "checked": str(field.value()) == value,
                "id": field.auto_id if index == 0 else f"{field.auto_id}-{value}",
            }
            for index, (value, label) in enumerate(self.fields["case_type"].choices)
        ]


# --- choices drawn by the templates ------------------------------------------------------------


def options(form: forms.Form, name: str) -> list[dict]:
    """A choice field's options for hand-drawn radios or checkboxes: the first has the field's id."""
    field = form[name]
    value = field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    return [
        {
            "value": str(option),
            "label": label,
            "checked": str(option) in chosen,
            "id": field.auto_id if index == 0 else f"{field.auto_id}-{option}",
        }
        for index, (option, label) in enumerate(form.fields[name].choices)
    ]
