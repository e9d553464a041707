"""Forms for registering, signing in and resetting a password. Django's auth forms where Django
has one (sign-in, password reset, setting a new password), with the portal's wording; the
services check again what matters (portal.services.accounts)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin
from core.models import User
from portal.models import AccountType
from portal.models.accounts import APPLICANT_KINDS

# What each account type means, under its radio button.
ACCOUNT_TYPE_HINTS = {
    AccountType.TENANT: _("You rent your home and want help with rent you owe or will owe."),
    AccountType.LANDLORD: _("You rent out a home you own, in your own name."),
    AccountType.LANDLORD_BUSINESS: _("You rent out homes through a company, partnership or other business."),
    AccountType.PROPERTY_MANAGER: _("You manage homes for a landlord."),
    AccountType.ADVOCATE: _("You help a tenant or landlord apply, for example as a support worker."),
}


class Radios(forms.RadioSelect):
    """Radios drawn by hand in GOV.UK markup (the first one with the field's own id), so the
    error summary can link to the first of them as GOV.UK asks."""

    def id_for_label(self, id_, index=None):
        return id_


def password_min_length() -> int:
    return max((getattr(v, "min_length", 0) for v in password_validation.get_default_password_validators()), default=0)


class RegisterForm(GovukMixin, forms.Form):
    account_type = forms.ChoiceField(
        label=_("What are you registering as?"),
        choices=AccountType.choices,
        widget=Radios,
        error_messages={"required": _("Choose what you are registering as.")},
    )
    organisation_name = forms.CharField(
        label=_("Name of the business"),
        help_text=_("Only if you are registering as a landlord business."),
        max_length=200,
        required=False,
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, error_messages={"required": _("Enter your first name.")}
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We will send you a link to confirm it."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
    )
    password = forms.CharField(
        label=_("Create a password"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter a password.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "register-%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation_name"].widget.attrs["autocomplete"] = "organization"
        self.fields["first_name"].widget.attrs.update(autocomplete="given-name", spellcheck="false")
        self.fields["last_name"].widget.attrs.update(autocomplete="family-name", spellcheck="false")
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false", autocapitalize="none")

    def account_type_options(self) -> list[dict]:
        chosen = self["account_type"].value()
        return [
            {
                "value": value,
                "label": label,
                "hint": ACCOUNT_TYPE_HINTS[AccountType(value)],
                "checked": chosen == value,
                "id": self["account_type"].auto_id if index == 0 else f"{self['account_type'].auto_id}-{value}",
            }
            for index, (value, label) in enumerate(AccountType.choices)
        ]

    def clean(self):
        cleaned = super().clean()
        account_type = cleaned.get("account_type")
        if account_type == AccountType.LANDLORD_BUSINESS and not (cleaned.get("organisation_name") or "").strip():
            self.add_error("organisation_name", _("Enter the name of the business."))
        password = cleaned.get("password")
        if password:
            kind = AccountType(account_type).kind if account_type else ""
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
                kind=kind,
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as refused:
                self.add_error("password", refused)
        return cleaned


class SignInForm(GovukMixin, AuthenticationForm):
    """Django's sign-in form in the portal's words. Staff accounts are turned away here (with the
    right password only, so it tells a stranger nothing): they sign in on the staff pages."""

    error_messages = {
        "invalid_login": _("Enter a correct email address and password."),
        "inactive": _("This account cannot be used. Contact us if you think this is wrong."),
        "staff": _("This sign-in is for applicants. Staff sign in on the staff pages."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none", "class": "govuk-input"}
        )
        self.fields["username"].error_messages["required"] = _("Enter your email address.")
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Enter your password.")

    def clean_username(self):
        # Addresses are stored in lower case (core.models.UserManager); so is each lockout count.
        return (self.cleaned_data.get("username") or "").strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.kind not in APPLICANT_KINDS:
            raise ValidationError(self.error_messages["staff"], code="staff")


class ApplicantPasswordResetForm(GovukMixin, PasswordResetForm):
    """Django's reset form, for applicants' accounts only: staff passwords are not reset through
    the portal (an administrator sets them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].error_messages.update(
            required=_("Enter your email address."),
            invalid=_("Enter an email address in the correct format, like name@example.com."),
        )
        self.fields["email"].widget.attrs.update(spellcheck="false", autocapitalize="none")

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.kind in APPLICANT_KINDS)


class ApplicantSetPasswordForm(SetPasswordForm):
    """Django's form for the new password, with the portal's labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = ""
        self.fields["new_password1"].error_messages["required"] = _("Enter a new password.")
        self.fields["new_password2"].label = _("Enter the new password again")
        self.fields["new_password2"].error_messages["required"] = _("Enter the new password again.")
