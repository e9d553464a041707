"""Forms for the export batch and reconciliation pages. They parse input only: what may be exported
and what a results file must hold are payments.services.batches' and .reconciliation's rules,
whose refusals are put back on these forms with core.forms.form_add_domain_error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin
from casework.models import CaseType, Workflow
from payments.services.reconciliation import MAX_BYTES


def programme_choices():
    """The programmes payments are made on: the rental tenant case types."""
    return CaseType.objects.filter(workflow=Workflow.RENTAL_TENANT).order_by("name")


class ExportBatchForm(GovukMixin, forms.Form):
    """Export every verified payment ready to go, or only one programme's."""

    case_type = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=CaseType.objects.none(),
        required=False,
        empty_label=_("All programmes"),
        error_messages={"invalid_choice": _("Choose one of the programmes listed.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "export-%s")
        super().__init__(*args, **kwargs)
        self.fields["case_type"].queryset = programme_choices()


class ReconciliationForm(GovukMixin, forms.Form):
    """The payment provider's results file."""

    file = forms.FileField(
        label=_("Results file"),
        help_text=_(
            "A CSV file with the columns payment_reference, result and amount, and optionally "
            "batch_reference, provider_reference and reason. The result is successful, failed or returned."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": _("Choose the results file to import."),
            "empty": _("The chosen file is empty."),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reconciliation-%s")
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read into memory; the service checks the same limit.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is over %(size)s MB."), params={"size": MAX_BYTES // (1024 * 1024)}, code="too_big"
            )
        return upload
