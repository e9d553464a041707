"""Forms for the portal's documents page: a file sent against one request, and a document sent
unasked (with its kind). The file itself is checked by casework's document upload (type by its
content, size, a name that agrees with it): these forms only ask for it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casework.forms import GovukMixin
from casework.models import Document

C = Document.Category

# The kinds of document in the applicant's words (casework's labels are the staff's, and are
# not translated).
CATEGORY_WORDS = {
    C.IDENTITY: _("Proof of identity"),
    C.TENANCY: _("Tenancy agreement or lease"),
    C.INCOME: _("Proof of income"),
    C.ARREARS: _("Rent statement or arrears letter"),
    C.OWNERSHIP: _("Proof of ownership"),
    C.TAX: _("Tax or payee form"),
    C.CORRESPONDENCE: _("Letter"),
    C.OTHER: _("Something else"),
}

ALLOWED_FILES = ".pdf,.jpg,.jpeg,.png,.heic,.docx,.xlsx"


def category_words(category: str) -> str:
    return str(CATEGORY_WORDS.get(category, CATEGORY_WORDS[C.OTHER]))


def _file_hint() -> str:
    megabytes = settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
    return _("A PDF, photo (JPG, PNG or HEIC), Word or Excel file, up to %(size)s MB.") % {"size": megabytes}


def _file_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        allow_empty_file=True,  # an empty file gets casework's sentence, the same as staff see
        error_messages={
            "required": _("Choose a file to send."),
            "missing": _("Choose a file to send."),
            "invalid": _("The file did not arrive. Choose it again."),
        },
        widget=forms.FileInput(attrs={"accept": ALLOWED_FILES}),
    )


class RequestUploadForm(GovukMixin, forms.Form):
    """A file answering one request. Made with prefix f"request-{id}" so each request's file
    input on the page has its own id for the error summary to link to."""

    def __init__(self, *args, description: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Each request's input is labelled with what it is for: a page may have several.
        label = _("Upload a file for: %(description)s") % {"description": description} if description else None
        self.fields["file"] = _file_field(label or _("Upload a file"))
        self.fields["file"].help_text = _file_hint()
        self.style_fields(["file"])


class ExtraDocumentForm(GovukMixin, forms.Form):
    """A document the applicant sends without being asked, with what kind it is."""

    category = forms.ChoiceField(
        label=_("What kind of document is it?"),
        error_messages={
            "required": _("Choose what kind of document it is."),
            "invalid_choice": _("Choose what kind of document it is."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(value, CATEGORY_WORDS[value]) for value in C.values]
        self.fields["category"].choices = [("", _("Choose one")), *choices]
        self.fields["file"] = _file_field(_("Upload a file"))
        self.fields["file"].help_text = _file_hint()
        self.style_fields(["category", "file"])
