"""Forms for the staff payment pages. They parse and shape input only: every rule (who may, what
is allowed now, what a valid amount or period is) lives in payments.services, whose refusals
are put back on these forms with core.forms.form_add_domain_error. The amount is taken as text
so the service's own messages ("The amount must be more than zero.") are the ones shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin
from payments.models import PayeeKind, PaymentMethod, PaymentReason
from payments.services.payees import REASON_MAX_LENGTH

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PayeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        status = _("verified") if obj.is_verified else _("not verified")
        return f"{obj.name} ({obj.get_payment_method_display()}, {status})"


class PaymentForm(GovukMixin, forms.Form):
    """Set up a payment, or change one before it is submitted. `payees`: who it can be paid to."""

    payee = PayeeChoiceField(
        label=_("Payee"),
        queryset=None,
        empty_label=_("Choose the payee"),
        error_messages={
            "required": _("Choose the payee."),
            "invalid_choice": _("Choose one of the payees offered: the case's landlord payees or a utility."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *PaymentReason.choices],
        error_messages={"required": _("Choose a reason.")},
    )
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        help_text=_("For example, 1250.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}),
        error_messages={"required": _("Enter the amount.")},
    )
    payment_method = forms.ChoiceField(
        label=_("Payment method"),
        required=False,
        choices=[("", _("Not chosen yet")), *PaymentMethod.choices],
        help_text=_("Needed before the payment can be verified."),
    )
    period_start = forms.DateField(
        label=_("Period from"),
        widget=DATE_INPUT,
        help_text=_("For a stipend, the first day of the month it pays for."),
        error_messages={"required": _("Enter the first day the payment covers."), "invalid": _("Enter a real date.")},
    )
    period_end = forms.DateField(
        label=_("Period to (optional)"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Enter a real date, or leave it empty.")},
    )

    # A supervisor's reason to pay despite the duplicate-benefit check: the page shows it only to
    # supervisors, once the check has refused the payment.
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only if this payment must be made despite the duplicate-benefit check: say why."),
    )

    def __init__(self, *args, payees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payee"].queryset = payees


class MoveForm(GovukMixin, forms.Form):
    """A move on a payment's page. The page has several, so each names its reason box after its
    move (`action`, the button's label)."""

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields.get("reason")
        if reason is not None and action:
            label = _("Reason for “%(action)s”") % {"action": action}
            reason.label = label if reason.required else _("%(label)s (optional)") % {"label": label}


class ReasonForm(MoveForm):
    """A move that needs a reason (reject, void, recoup, refund or cancel)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class OptionalReasonForm(MoveForm):
    """A move whose reason is optional (verify, try again, submit)."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResultForm(MoveForm):
    """A supervisor records the provider's result by hand."""

    result = forms.ChoiceField(
        label=_("Result"),
        choices=[
            ("", _("Choose the result")),
            ("successful", _("Paid")),
            ("failed", _("Failed")),
            ("returned", _("Returned")),
        ],
        error_messages={"required": _("Choose the result.")},
    )
    reference = forms.CharField(label=_("Provider reference (optional)"), required=False, max_length=100)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PayeeVerifyForm(GovukMixin, forms.Form):
    """A worker verifies a payee: the document they checked and why they are satisfied."""

    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_("The document you checked, such as a TIN-match screenshot or an EIN letter (PDF or image)."),
        error_messages={"required": _("Attach the document you checked (a TIN-match screenshot or an EIN letter).")},
    )
    reason = forms.CharField(
        label=_("Why you are satisfied"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why you are satisfied the payee is who they say they are.")},
    )


class UtilityPayeeForm(GovukMixin, forms.Form):
    """A utility's payee (no account of their own: staff keep it). Checked by the service; the tax
    id and account number are never shown back, so left empty on a change they stay as stored."""

    kind = forms.ChoiceField(label=_("Paid as"), choices=PayeeKind.choices, initial=PayeeKind.BUSINESS)
    name = forms.CharField(label=_("Name payments are made out to"), max_length=200)
    tax_id = forms.CharField(
        label=_("Tax identification number (EIN)"),
        max_length=20,
        required=False,
        help_text=_("9 digits, like 12-3456789."),
    )
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    routing_number = forms.CharField(label=_("Routing number"), max_length=20, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=30, required=False)
    mailing_address_line_1 = forms.CharField(
        label=_("Mailing address line 1 (for cheques)"), max_length=200, required=False
    )
    mailing_address_line_2 = forms.CharField(
        label=_("Mailing address line 2 (optional)"), max_length=200, required=False
    )
    mailing_town = forms.CharField(label=_("Town or city"), max_length=100, required=False)
    mailing_postcode = forms.CharField(label=_("Postcode or ZIP code"), max_length=10, required=False)
