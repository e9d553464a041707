"""The tenant application's step forms, one per step (STEP_FORMS, keyed by the slugs of
portal.forms.applications.STEPS): the home and landlord, the household (the head and any number
of other members), income, rent owed, expenses, and declarations and contact. Each step's form
is what validates its answers: the service stores `answers_of(form)` (JSON) for a valid form,
and `step_form` re-reads them as data to show them again or to check them at submit."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.forms.applications import StartForm, postcode_clean
from portal.forms.fields import Checkboxes, MonthField, PastDateField, Radios, StepForm, money

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,28}$")  # as casework.services.common
_CODE = re.compile(r"^[A-Z0-9]{4}-?[A-Z0-9]{4}$")

MAX_MEMBERS = 20  # besides the head: a household larger than this is phoned in


def answers_of(form: forms.Form) -> dict:
    """A valid form's cleaned data as JSON: amounts and dates as strings, months as YYYY-MM."""
    out = {}
    for name, value in form.cleaned_data.items():
        field = form.fields.get(name)
        if isinstance(field, MonthField) and value:
            out[name] = value.strftime("%Y-%m")
        elif isinstance(value, datetime.date):
            out[name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[name] = f"{value:.2f}"
        elif value is None:
            out[name] = ""
        else:
            out[name] = value
    return out


LANDLORD_DETAILS, LANDLORD_CODE = "details", "code"


class HomeForm(StepForm):
    address_line_1 = StartForm.base_fields["address_line_1"]
    address_line_2 = StartForm.base_fields["address_line_2"]
    town = StartForm.base_fields["town"]
    postcode = StartForm.base_fields["postcode"]
    tenancy_start = PastDateField(
        label=_("When did your tenancy start?"),
        help_text=_("For example, 1 September 2023."),
        future_message=_("The tenancy start date must be today or in the past."),
        error_messages={"required": _("Enter the date your tenancy started."), "invalid": _("Enter a real date.")},
    )
    monthly_rent = money(_("Rent per month"))
    landlord_known_by = forms.ChoiceField(
        label=_("Your landlord"),
        widget=Radios,
        choices=[
            (LANDLORD_DETAILS, _("I will give my landlord's contact details")),
            (LANDLORD_CODE, _("My landlord has applied and gave me their application code")),
        ],
        error_messages={"required": _("Choose whether you will give your landlord's details or their code.")},
    )
    landlord_name = forms.CharField(label=_("Landlord's name or company"), max_length=200, required=False)
    landlord_email = forms.EmailField(
        label=_("Landlord's email address"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com.")},
    )
    landlord_phone = forms.CharField(label=_("Landlord's phone number"), max_length=30, required=False)
    landlord_code = forms.CharField(
        label=_("Landlord's application code"),
        max_length=12,
        required=False,
        help_text=_("8 letters and numbers, for example ABCD-EF23."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        self.fields["landlord_code"].widget.attrs.update(
            spellcheck="false", autocapitalize="characters", **{"class": "govuk-input govuk-input--width-10"}
        )
        self.fields["landlord_email"].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.fields["landlord_phone"].widget.attrs.update(type="tel", autocomplete="off")

    def clean_postcode(self):
        return postcode_clean(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        how = cleaned.get("landlord_known_by")
        if how == LANDLORD_CODE:
            code = "".join((cleaned.get("landlord_code") or "").split()).upper()
            if not code:
                self.add_error("landlord_code", _("Enter your landlord's application code."))
            elif not _CODE.match(code):
                self.add_error("landlord_code", _("Enter the code as 8 letters and numbers, like ABCD-EF23."))
            else:
                cleaned["landlord_code"] = code if "-" in code else f"{code[:4]}-{code[4:]}"
            for name in ("landlord_name", "landlord_email", "landlord_phone"):
                cleaned[name] = ""
        elif how == LANDLORD_DETAILS:
            cleaned["landlord_code"] = ""
            if not (cleaned.get("landlord_name") or "").strip():
                self.add_error("landlord_name", _("Enter your landlord's name or company."))
            phone = (cleaned.get("landlord_phone") or "").strip()
            if phone and not _PHONE.match(phone):
                self.add_error("landlord_phone", _("Enter a phone number, like 01632 960 001 or +1 617 555 0100."))
            if not (cleaned.get("landlord_email") or phone) and "landlord_email" not in self.errors:
                self.add_error("landlord_email", _("Enter your landlord's email address or phone number."))
        return cleaned


RELATIONSHIPS = [
    ("partner", pgettext_lazy("household relationship", "Partner")),
    ("child", pgettext_lazy("household relationship", "Child")),
    ("parent", pgettext_lazy("household relationship", "Parent")),
    ("sibling", pgettext_lazy("household relationship", "Brother or sister")),
    ("other_relative", pgettext_lazy("household relationship", "Other relative")),
    ("lodger", pgettext_lazy("household relationship", "Lodger")),
    ("carer", pgettext_lazy("household relationship", "Carer")),
    ("other", pgettext_lazy("household relationship", "Other")),
]
RELATIONSHIP_LABELS = dict(RELATIONSHIPS)


class HeadForm(StepForm):
    full_name = forms.CharField(
        label=_("Your full name"), max_length=200, error_messages={"required": _("Enter your full name.")}
    )
    date_of_birth = PastDateField(
        label=_("Your date of birth"),
        future_message=_("Your date of birth must be in the past."),
        error_messages={"required": _("Enter your date of birth."), "invalid": _("Enter a real date of birth.")},
    )


class MemberForm(StepForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, error_messages={"required": _("Enter the person's full name.")}
    )
    date_of_birth = PastDateField(
        label=_("Date of birth"),
        future_message=_("The date of birth must be in the past."),
        error_messages={
            "required": _("Enter the person's date of birth."),
            "invalid": _("Enter a real date of birth."),
        },
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to you"),
        choices=[("", _("Choose…")), *RELATIONSHIPS],
        error_messages={"required": _("Choose how the person is related to you.")},
    )


class HouseholdStep:
    """The household step: the head (the applicant) and any number of other members, as one
    form to the views and the service (is_valid, answers, raw_answers). Members are added and
    removed with plain buttons that post the page back (no script needed): `data` carries
    head-… and member-<i>-… fields, members numbered from 0. Until is_valid is called the forms
    are unbound (adding a blank row shows no errors)."""

    def __init__(self, data=None, *, initial: dict | None = None, add: bool = False, remove: int | None = None):
        self.is_bound = data is not None
        if data is not None:
            head = {name: str(data.get(f"head-{name}", ""))[:300].strip() for name in HeadForm.base_fields}
            indexes = sorted({int(m.group(1)) for key in data for m in [re.match(r"^member-(\d+)-", key)] if m})
            rows = [
                {name: str(data.get(f"member-{i}-{name}", ""))[:300].strip() for name in MemberForm.base_fields}
                for i in indexes[:MAX_MEMBERS]
            ]
            if remove is not None and 0 <= remove < len(rows):
                rows.pop(remove)
        else:
            head = dict((initial or {}).get("head") or {})
            rows = [dict(row) for row in (initial or {}).get("members") or []]
        if add and len(rows) < MAX_MEMBERS:
            rows.append(dict.fromkeys(MemberForm.base_fields, ""))
        self.head_row, self.rows = head, rows
        self.head = HeadForm(prefix="head", initial=head)
        self.members = [MemberForm(prefix=f"member-{i}", initial=row) for i, row in enumerate(rows)]

    @property
    def can_add(self) -> bool:
        return len(self.rows) < MAX_MEMBERS

    def is_valid(self) -> bool:
        if not self.is_bound:
            return False
        # A row left completely empty is not a member: dropped rather than refused.
        self.rows = [row for row in self.rows if any(row.values())]
        self.head = HeadForm({f"head-{k}": v for k, v in self.head_row.items()}, prefix="head")
        self.members = [
            MemberForm({f"member-{i}-{k}": v for k, v in row.items()}, prefix=f"member-{i}")
            for i, row in enumerate(self.rows)
        ]
        valid = self.head.is_valid()
        members_valid = [member.is_valid() for member in self.members]  # every row, for its errors
        return valid and all(members_valid)

    @property
    def forms(self) -> list:
        return [self.head, *self.members]

    def answers(self) -> dict:
        return {"head": answers_of(self.head), "members": [answers_of(m) for m in self.members]}

    def raw_answers(self) -> dict:
        return {"head": self.head_row, "members": [row for row in self.rows if any(row.values())]}

    @classmethod
    def as_data(cls, answers: dict):
        """The stored answers as posted data (to validate them again at submit)."""
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for name, value in (answers.get("head") or {}).items():
            data[f"head-{name}"] = value
        for i, member in enumerate(answers.get("members") or []):
            for name, value in member.items():
                data[f"member-{i}-{name}"] = value
        return data


class IncomeForm(StepForm):
    no_income = forms.BooleanField(label=_("Nobody in the household has any income"), required=False)
    wages = money(_("Wages and earnings, per month"), required=False, help_text=_("After tax. For example, 1200.00"))
    benefits = money(_("Benefits, per month"), required=False)
    other = money(_("Other income, per month"), required=False, help_text=_("For example, a pension or maintenance."))

    def clean(self):
        cleaned = super().clean()
        amounts = [cleaned.get(name) for name in ("wages", "benefits", "other")]
        if any(name in self.errors for name in ("wages", "benefits", "other")):
            return cleaned
        has_income = any(amount for amount in amounts)
        if cleaned.get("no_income") and has_income:
            self.add_error(
                "no_income",
                _("You said the household has no income but entered amounts. Remove the amounts or untick this."),
            )
        elif not cleaned.get("no_income") and not has_income:
            self.add_error("wages", _("Enter the household's income, or tick that nobody in the household has any."))
        return cleaned


class RentOwedForm(StepForm):
    amount = money(_("How much rent do you owe?"), help_text=_("The total you have not paid. For example, 1300.00"))
    since = MonthField(
        label=_("Since which month have you owed rent?"),
        help_text=_("For example, March 2026."),
        error_messages={
            "required": _("Enter the month you first owed rent."),
            "invalid": _("Enter a real month, like 2026-03."),
        },
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Enter the rent you owe: more than 0."), code="zero")
        return amount


class ExpensesForm(StepForm):
    utilities = money(_("Utilities (gas, electricity, water), per month"), help_text=_("Enter 0 if none."))
    childcare = money(_("Childcare, per month"), help_text=_("Enter 0 if none."))
    other = money(_("Other essential costs, per month"), help_text=_("Enter 0 if none. For example, travel to work."))


CONTACT_METHODS = [
    ("email", _("Email")),
    ("phone", _("Phone call")),
    ("text", _("Text message")),
    ("letter", _("Letter")),
]
CONTACT_LABELS = dict(CONTACT_METHODS)


class ConsentForm(StepForm):
    information_true = forms.BooleanField(
        label=_("The information I have given is true and complete to the best of my knowledge."),
        error_messages={"required": _("Confirm that the information you have given is true.")},
    )
    share_with_landlord = forms.BooleanField(
        label=_("The programme may share my application with my landlord to arrange payment."),
        error_messages={"required": _("Agree that we may share your application with your landlord.")},
    )
    check_records = forms.BooleanField(
        label=_("The programme may check the information I have given with other records to prevent fraud."),
        error_messages={"required": _("Agree that we may check your information with other records.")},
    )
    contact_methods = forms.MultipleChoiceField(
        label=_("How may we contact you?"),
        choices=CONTACT_METHODS,
        widget=Checkboxes,
        help_text=_("Select all that apply."),
        error_messages={"required": _("Choose at least one way we may contact you.")},
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        help_text=_("If we may phone or text you."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].widget.attrs.update(type="tel", autocomplete="tel")

    def clean(self):
        cleaned = super().clean()
        phone = (cleaned.get("contact_phone") or "").strip()
        methods = cleaned.get("contact_methods") or []
        if phone and not _PHONE.match(phone):
            self.add_error("contact_phone", _("Enter a phone number, like 07700 900 982 or +1 617 555 0100."))
        elif not phone and {"phone", "text"} & set(methods):
            self.add_error("contact_phone", _("Enter the phone number we may call or text."))
        return cleaned


STEP_FORMS: dict[str, type] = {
    "home": HomeForm,
    "household": HouseholdStep,
    "income": IncomeForm,
    "rent-owed": RentOwedForm,
    "expenses": ExpensesForm,
    "consent": ConsentForm,
}


def step_form(step: str, answers: dict | None, *, bound: bool = False):
    """`step`'s form over stored `answers`: as initial values (to show), or bound (to check)."""
    cls = STEP_FORMS[step]
    answers = answers or {}
    if cls is HouseholdStep:
        return HouseholdStep(HouseholdStep.as_data(answers)) if bound else HouseholdStep(initial=answers)
    if bound:
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for name, value in answers.items():
            if isinstance(value, list):
                data.setlist(name, [str(v) for v in value])
            elif isinstance(value, bool):
                if value:
                    data[name] = "on"
            else:
                data[name] = str(value)
        return cls(data)
    return cls(initial=answers)
