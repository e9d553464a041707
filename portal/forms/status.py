"""Forms on an application's page: withdrawing it, appealing a denial, cancelling an appointment
and asking for one to be rearranged. The services check again what matters
(casework.services.cases, portal.services.appointments)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin
from portal.services.appointments import PREFERRED_MAX_LENGTH
from portal.services.appointments import REASON_MAX_LENGTH as APPOINTMENT_REASON_MAX_LENGTH

# casework.services.cases allows reasons of REASON_MAX_LENGTH; the portal asks for less.
WITHDRAW_REASON_MAX_LENGTH = 1000
GROUNDS_MAX_LENGTH = 5000


# Django fills in the limit and the length entered (MaxLengthValidator's params).
TOO_LONG = _("Use %(limit_value)d characters or fewer (you entered %(show_value)d).")


class WithdrawForm(GovukMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        help_text=_("This helps us understand, but you do not have to tell us."),
        required=False,
        max_length=WITHDRAW_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": TOO_LONG},
    )


class AppealForm(GovukMixin, forms.Form):
    grounds = forms.CharField(
        label=_("Why should the decision be looked at again?"),
        help_text=_(
            "Tell us what you think was wrong with the decision, and anything we did not know when we made it. "
            "You can send documents after you appeal."
        ),
        max_length=GROUNDS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Enter why the decision should be looked at again."),
            "max_length": TOO_LONG,
        },
    )

    def clean_grounds(self) -> str:
        grounds = self.cleaned_data["grounds"].strip()
        if not grounds:
            raise forms.ValidationError(_("Enter why the decision should be looked at again."))
        return grounds


class AppointmentCancelForm(GovukMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        required=False,
        max_length=APPOINTMENT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )


class AppointmentRearrangeForm(GovukMixin, forms.Form):
    preferred = forms.CharField(
        label=_("Which days and times would suit you?"),
        help_text=_("For example, weekday mornings, or any time on 3 or 4 March."),
        max_length=PREFERRED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter the days and times that would suit you."),
            "max_length": TOO_LONG,
        },
    )
    reason = forms.CharField(
        label=_("Why do you need to rearrange? (optional)"),
        required=False,
        max_length=APPOINTMENT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )
