"""Forms for an arrears account's page. They parse and shape input only; the rules (who may,
what a valid pause, arrangement or outcome is) live in arrears.services, whose refusals are put
back on these forms with core.forms.form_add_domain_error.

Dates are GOV.UK date inputs (day, month and year boxes: arrears/_account_date_field.html draws
the fieldset round them); times are typed as 24-hour "14:30"."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from arrears.models import ArrangementKind, CourtCase, Frequency
from casework.forms import GovukMixin
from core.dates import day_month_year
from core.forms import SharedModelChoiceField

COMMENT_MAX_LENGTH = 2000
DIARY_COMMENT_MAX_LENGTH = 4000


# --- GOV.UK date input ---------------------------------------------------------------------------


class GovukDateInput(forms.Widget):
    """Day, month and year boxes (the GOV.UK date input). Its value is the (day, month, year)
    typed, kept as typed so a refused form shows it again; GovukDateField makes the date."""

    PARTS = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))

    def value_from_datadict(self, data, files, name):
        return tuple((data.get(f"{name}-{part}") or "").strip() for part, _label, _width in self.PARTS)

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part, _label, _width in self.PARTS)

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return (str(value.day), str(value.month), str(value.year))
        if isinstance(value, (list, tuple)) and len(value) == 3:
            return tuple("" if part is None else str(part) for part in value)
        return ("", "", "")

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_  # the error summary links to the first box

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.get("id", f"id_{name}")
        error = "govuk-input--error" in attrs.get("class", "")
        values = self.format_value(value)
        items = format_html_join(
            "",
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            '<label class="govuk-label govuk-date-input__label" for="{}">{}</label>'
            '<input class="govuk-input govuk-date-input__input govuk-input--width-{}{}" id="{}" name="{}" '
            'type="text" inputmode="numeric" value="{}"{}></div></div>',
            (
                (
                    f"{base_id}-{part}",
                    label,
                    width,
                    " govuk-input--error" if error else "",
                    f"{base_id}-{part}",
                    f"{name}-{part}",
                    values[index],
                    format_html(' autocomplete="{}"', attrs["autocomplete"]) if attrs.get("autocomplete") else "",
                )
                for index, (part, label, width) in enumerate(self.PARTS)
            ),
        )
        return format_html('<div class="govuk-date-input" id="{}">{}</div>', base_id, items)


class GovukDateField(forms.Field):
    """A date typed into day, month and year boxes. `what` names the date in the messages
    ("the date the pause ends"), as the GOV.UK pattern words them."""

    widget = GovukDateInput

    def __init__(self, *, what: str | Promise, **kwargs):
        self.what = what
        kwargs.setdefault("help_text", _("For example, 27 3 2027"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        day, month, year = value if isinstance(value, (list, tuple)) and len(value) == 3 else ("", "", "")
        if not (day or month or year):
            return None
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(
                _("%(what)s must include a %(parts)s.")
                % {"what": self.what.capitalize(), "parts": " and ".join(missing)}
            )
        try:
            if len(year) != 4:
                raise ValueError("a year has four digits")
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(_("%(what)s must be a real date.") % {"what": self.what.capitalize()}) from None

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(_("Enter %(what)s.") % {"what": self.what})


class TimeField(forms.TimeField):
    """A 24-hour time typed as 14:30."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%H:%M", "%H.%M"])
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}))
        kwargs.setdefault("help_text", _("24-hour clock, for example 14:30"))
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("Enter the time as 24-hour hours and minutes, like 14:30.")


def _moment(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, time))


def date_fields(form: forms.Form) -> set[str]:
    """The form's date fields (drawn as a fieldset, not through govuk_field)."""
    return {name for name, field in form.fields.items() if isinstance(field, GovukDateField)}


# --- pausing -------------------------------------------------------------------------------------


class PauseForm(GovukMixin, forms.Form):
    until = GovukDateField(label=_("Pause until"), what=_("the date the pause ends"))
    reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=None,
        empty_label=_("Choose a reason"),
        error_messages={"required": _("Choose why the account is paused.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the account is paused.")},
    )

    def __init__(self, *args, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons


class UnpauseForm(GovukMixin, forms.Form):
    comment = forms.CharField(
        label=_("Why end the pause now? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the action diary ----------------------------------------------------------------------------


class DiaryForm(GovukMixin, forms.Form):
    """An entry in the action diary, optionally backdated (a date and a time, or neither)."""

    code = forms.ModelChoiceField(
        label=_("Action"),
        queryset=None,
        to_field_name="code",
        empty_label=_("Choose an action"),
        error_messages={
            "required": _("Choose the action you took."),
            "invalid_choice": _("Choose an action from the list."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=DIARY_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    occurred_on = GovukDateField(
        label=_("Date it happened (optional)"),
        what=_("the date it happened"),
        required=False,
        help_text=_("Leave empty for now. For example, 27 3 2026"),
    )
    occurred_time = TimeField(label=_("Time it happened (optional)"), required=False)

    def __init__(self, *args, codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = codes
        self.fields["code"].label_from_instance = lambda code: f"{code.code}: {code.description}"

    def clean(self):
        data = super().clean()
        on, at = data.get("occurred_on"), data.get("occurred_time")
        if on is not None and at is None and "occurred_time" not in self.errors:
            self.add_error("occurred_time", _("Enter the time it happened, for example 14:30."))
        if at is not None and on is None and "occurred_on" not in self.errors:
            self.add_error("occurred_on", _("Enter the date it happened."))
        data["occurred_at"] = _moment(on, at) if on is not None and at is not None else None
        return data


# --- arrangements --------------------------------------------------------------------------------


class CourtCaseChoiceField(SharedModelChoiceField):
    """The account's court cases: the page passes the queryset it has already read."""

    def label_from_instance(self, obj: CourtCase) -> str:
        if obj.court_date is None:
            return _("Court case without a hearing date")
        outcome = f", {obj.outcome_code}" if obj.outcome_code else ""
        return _("Hearing on %(date)s%(outcome)s") % {"date": day_month_year(obj.court_date), "outcome": outcome}


class ArrangementForm(GovukMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("Choose a type")), *ArrangementKind.choices],
        error_messages={"required": _("Choose informal or formal (court-ordered).")},
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[
            ("", _("Choose how often")),
            *((v, label) for v, label in Frequency.choices if v != Frequency.UNSUPPORTED_LEGACY),
        ],
        error_messages={"required": _("Choose how often the instalments are paid.")},
    )
    instalment_amount = forms.DecimalField(
        label=_("Instalment (£)"),
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        error_messages={
            "required": _("Enter the instalment."),
            "invalid": _("Enter the instalment as an amount, like 25.00."),
        },
    )
    start_date = GovukDateField(label=_("First instalment due"), what=_("the date the first instalment is due"))
    lump_sum_amount = forms.DecimalField(
        label=_("Lump sum (£, optional)"),
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        error_messages={"invalid": _("Enter the lump sum as an amount, like 100.00.")},
    )
    lump_sum_date = GovukDateField(
        label=_("Lump sum due (optional)"), what=_("the date the lump sum is due"), required=False
    )
    court_case = CourtCaseChoiceField(
        label=_("Court case (court-ordered arrangements only)"),
        queryset=None,
        required=False,
        empty_label=_("None"),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, court_cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court_case"].queryset = court_cases


class ArrangementCancelForm(GovukMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the arrangement is cancelled.")},
    )


# --- NOSPs, court and eviction ---------------------------------------------------------------


class NospForm(GovukMixin, forms.Form):
    served_on = GovukDateField(label=_("Date served"), what=_("the date the notice was served"))


class CourtCaseForm(GovukMixin, forms.Form):
    court_date = GovukDateField(label=_("Hearing date"), what=_("the hearing date"))
    court_time = TimeField(
        label=_("Hearing time"), error_messages={"required": _("Enter the hearing time, for example 10:00.")}
    )

    def clean(self):
        data = super().clean()
        on, at = data.get("court_date"), data.get("court_time")
        data["court_at"] = _moment(on, at) if on is not None and at is not None else None
        return data


TERMS_CHOICES = [("", _("Not said")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CourtOutcomeForm(GovukMixin, forms.Form):
    """The hearing's outcome: a code from the outcomes list, or another code (kept as it is:
    it still means an outcome is recorded)."""

    outcome_code = forms.ChoiceField(label=_("Outcome"), required=False)
    other_code = forms.CharField(
        label=_("Or another outcome code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        help_text=_("Only if the outcome is not in the list."),
    )
    terms = forms.TypedChoiceField(
        label=_("Does the outcome carry terms?"),
        choices=TERMS_CHOICES,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    disrepair_counter_claim = forms.TypedChoiceField(
        label=_("Disrepair counter-claim?"), choices=TERMS_CHOICES, coerce=_yes_no, empty_value=None, required=False
    )
    balance_on_outcome_date = forms.DecimalField(
        label=_("Balance on the outcome date (£, optional)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        help_text=_("A court-ordered arrangement starts from it."),
        error_messages={"invalid": _("Enter the balance as an amount, like 1250.00.")},
    )
    strike_out_date = GovukDateField(
        label=_("Strike-out date (optional)"), what=_("the strike-out date"), required=False
    )

    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_code"].choices = [
            ("", _("Choose an outcome")),
            *((code, f"{code}: {meaning}") for code, meaning in outcomes),
        ]

    def clean(self):
        data = super().clean()
        code = (data.get("other_code") or "").strip() or data.get("outcome_code") or ""
        if not code and "outcome_code" not in self.errors:
            self.add_error("outcome_code", _("Choose the outcome, or enter its code."))
        data["code"] = code
        return data


class EvictionForm(GovukMixin, forms.Form):
    date = GovukDateField(label=_("Eviction date"), what=_("the eviction date"))
    time = TimeField(
        label=_("Eviction time"), error_messages={"required": _("Enter the eviction time, for example 09:30.")}
    )

    def clean(self):
        data = super().clean()
        on, at = data.get("date"), data.get("time")
        data["at"] = _moment(on, at) if on is not None and at is not None else None
        return data
