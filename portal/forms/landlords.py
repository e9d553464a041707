"""Forms for a landlord's profile (payee details, properties, advocates) and their landlord
applications (start, each step, sign and submit). The forms check the shape of the answers; the
services (portal.services.landlords, portal.services.advocates,
portal.services.landlord_applications, payments.services.payees) check the rules again and their
refusals are shown on the same form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin
from payments.models import PayeeKind, PaymentMethod
from portal.forms.fields import MonthField, PastDateField, Radios, SignForm, money


class PayeeForm(GovukMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Are payments made to an individual or a business?"),
        choices=PayeeKind.choices,
        widget=Radios,
        error_messages={"required": _("Choose whether payments go to an individual or a business.")},
    )
    name = forms.CharField(
        label=_("Name payments are made out to"),
        help_text=_("As registered with the tax authority: your own name, or the business's legal name."),
        max_length=200,
        error_messages={"required": _("Enter the name payments are made out to.")},
    )
    tax_id = forms.CharField(
        label=_("Tax identification number (TIN or EIN)"),
        help_text=_("9 digits, like 12-3456789 or 123-45-6789."),
        max_length=20,
        required=False,
    )
    payment_method = forms.ChoiceField(
        label=_("How do you want to be paid?"),
        choices=PaymentMethod.choices,
        widget=Radios,
        error_messages={"required": _("Choose how you want to be paid.")},
    )
    account_holder = forms.CharField(label=_("Name on the account"), max_length=200, required=False)
    routing_number = forms.CharField(
        label=_("Routing number or sort code"),
        help_text=_("A 9-digit routing number, or a 6-digit sort code like 12-34-56."),
        max_length=20,
        required=False,
    )
    account_number = forms.CharField(
        label=_("Account number"), help_text=_("4 to 17 digits."), max_length=30, required=False
    )
    mailing_address_line_1 = forms.CharField(label=_("Address line 1"), max_length=200, required=False)
    mailing_address_line_2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=200, required=False)
    mailing_town = forms.CharField(label=_("Town or city"), max_length=100, required=False)
    mailing_postcode = forms.CharField(label=_("Postcode or ZIP code"), max_length=10, required=False)

    def __init__(self, *args, payee=None, **kwargs):
        kwargs.setdefault("auto_id", "payee-%s")
        super().__init__(*args, **kwargs)
        # The stored numbers are never sent back to the browser: say which one is kept if left empty.
        if payee is not None and payee.tax_id:
            self.fields["tax_id"].help_text = _("Leave empty to keep the number ending %(last4)s.") % {
                "last4": payee.tax_id[-4:]
            }
        if payee is not None and payee.account_number:
            self.fields["account_number"].help_text = _("Leave empty to keep the account ending %(last4)s.") % {
                "last4": payee.account_number[-4:]
            }
        # BoundFields are cached (with their help text) once GovukMixin has styled the fields.
        self._bound_fields_cache.pop("tax_id", None)
        self._bound_fields_cache.pop("account_number", None)
        for name in ("tax_id", "routing_number", "account_number"):
            self.fields[name].widget.attrs.update(inputmode="numeric", spellcheck="false", autocomplete="off")
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["mailing_postcode"].widget.attrs.update(autocomplete="postal-code", spellcheck="false")
        self.fields["mailing_address_line_1"].widget.attrs["autocomplete"] = "address-line1"
        self.fields["mailing_address_line_2"].widget.attrs["autocomplete"] = "address-line2"
        self.fields["mailing_town"].widget.attrs["autocomplete"] = "address-level2"

    def options(self, name: str) -> list[dict]:
        """The radios of field `name` for the template: the first has the field's own id."""
        field = self[name]
        value = field.value()
        return [
            {
                "id": field.auto_id if index == 0 else f"{field.auto_id}-{index}",
                "value": choice_value,
                "label": label,
                "checked": str(value) == str(choice_value),
            }
            for index, (choice_value, label) in enumerate(field.field.choices)
        ]


class PropertyForm(GovukMixin, forms.Form):
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
        label=_("Postcode or ZIP code"),
        max_length=10,
        error_messages={"required": _("Enter the postcode or ZIP code.")},
    )
    units = forms.IntegerField(
        label=_("How many homes are let at this address?"),
        help_text=_("For example, 1 for a house, or the number of flats in a building."),
        min_value=1,
        max_value=999,
        initial=1,
        error_messages={
            "required": _("Enter how many homes are let at this address."),
            "invalid": _("Enter the number of homes as a whole number, like 1 or 4."),
            "min_value": _("Enter at least 1 home."),
            "max_value": _("Enter at most 999 homes."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "property-%s")
        super().__init__(*args, **kwargs)
        self.fields["address_line_1"].widget.attrs["autocomplete"] = "address-line1"
        self.fields["address_line_2"].widget.attrs["autocomplete"] = "address-line2"
        self.fields["town"].widget.attrs["autocomplete"] = "address-level2"
        self.fields["postcode"].widget.attrs.update(autocomplete="postal-code", spellcheck="false")
        self.fields["units"].widget.attrs.update(inputmode="numeric")
        self.fields["units"].widget.input_type = "text"


class AdvocateForm(GovukMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your advocate's email address"),
        help_text=_("The email address they registered with as an advocate."),
        max_length=254,
        error_messages={
            "required": _("Enter your advocate's email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "advocate-%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(spellcheck="false", autocapitalize="none", autocomplete="off")


class StartForm(GovukMixin, forms.Form):
    """Start a landlord application: the tenant's code, or (the tenant has not applied yet)
    their name and email address."""

    tenant_code = forms.CharField(
        label=_("Your tenant's application code"),
        help_text=_("8 letters and numbers, like ABCD-2345. Your tenant finds it on their application."),
        max_length=12,
        required=False,
    )
    tenant_name = forms.CharField(label=_("Tenant's full name"), max_length=200, required=False)
    tenant_email = forms.EmailField(
        label=_("Tenant's email address"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "start-%s")
        super().__init__(*args, **kwargs)
        self.fields["tenant_code"].widget.attrs.update(
            spellcheck="false", autocapitalize="characters", autocomplete="off"
        )
        self.fields["tenant_name"].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.fields["tenant_email"].widget.attrs.update(spellcheck="false", autocapitalize="none", autocomplete="off")

    def clean(self):
        data = super().clean()
        code = (data.get("tenant_code") or "").strip()
        if not code and not data.get("tenant_name") and not data.get("tenant_email") and not self.errors:
            self.add_error(
                "tenant_code",
                _("Enter your tenant's application code, or their name and email if they have not applied yet."),
            )
        if code and (data.get("tenant_name") or data.get("tenant_email")):
            self.add_error(
                "tenant_code",
                _("Enter either your tenant's application code or their name and email address, not both."),
            )
        return data


class PropertyStepForm(GovukMixin, forms.Form):
    property = forms.ChoiceField(
        label=_("Which property is the application about?"),
        widget=Radios,
        error_messages={"required": _("Choose the property the application is about.")},
    )

    def __init__(self, *args, listed=(), **kwargs):
        kwargs.setdefault("auto_id", "step-%s")
        super().__init__(*args, **kwargs)
        self.listed = {str(item.pk): item for item in listed}
        self.fields["property"].choices = [(key, str(item.property)) for key, item in self.listed.items()]
        self.fields["property"].error_messages["invalid_choice"] = _("Choose one of the properties on your profile.")

    def options(self) -> list[dict]:
        field = self["property"]
        return [
            {
                "id": field.auto_id if index == 0 else f"{field.auto_id}-{index}",
                "value": value,
                "label": label,
                "checked": str(field.value()) == value,
            }
            for index, (value, label) in enumerate(field.field.choices)
        ]


class TenancyStepForm(GovukMixin, forms.Form):
    tenant_name = forms.CharField(
        label=_("Tenant's full name"), max_length=200, error_messages={"required": _("Enter the tenant's full name.")}
    )
    unit = forms.CharField(
        label=_("Flat or unit number (optional)"), max_length=50, required=False, help_text=_("For example, Flat 2.")
    )
    monthly_rent = money(_("Monthly rent"))
    tenancy_start = PastDateField(
        label=_("When did the tenancy start?"),
        help_text=_("For example, 2024-03-01."),
        future_message=_("The tenancy start date must be today or in the past."),
        error_messages={"required": _("Enter the date the tenancy started."), "invalid": _("Enter a real date.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "step-%s")
        super().__init__(*args, **kwargs)
        self.fields["monthly_rent"].error_messages["required"] = _("Enter the monthly rent.")
        self.fields["tenant_name"].widget.attrs.update(spellcheck="false", autocomplete="off")


class RentStepForm(GovukMixin, forms.Form):
    rent_owed = money(_("How much rent is owed in total?"))
    owed_from = MonthField(
        label=_("Since which month has rent been owed?"),
        help_text=_("For example, 2025-01."),
        error_messages={"required": _("Enter the month rent has been owed from."), "invalid": _("Enter a real month.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "step-%s")
        super().__init__(*args, **kwargs)
        self.fields["rent_owed"].error_messages["required"] = _("Enter the rent owed.")


class ConfirmForm(GovukMixin, forms.Form):
    confirm = forms.BooleanField(required=True)

    def __init__(self, *args, label="", message="", **kwargs):
        kwargs.setdefault("auto_id", "step-%s")
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = message


class SubmitForm(SignForm):
    """The landlord's review page signs with the tenant's form, under its own ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "submit-%s")
        super().__init__(*args, **kwargs)
