"""The housing-options enquiry form for staff: choose a form, take the customer's details and
answers, and submit; the case opens with its tasks, and the information pack is on its page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.forms import GovukMixin
from casework.models import EnquiryForm, EnquiryQuestion, Source
from casework.services.enquiries import enquiry_submit
from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required

Kind = EnquiryQuestion.Kind


class EnquiryAnswersForm(GovukMixin, forms.Form):
    """The customer's details, then one field per question of the enquiry form."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("How they contacted us"), choices=Source.choices, initial=Source.PHONE)

    def __init__(self, *args, enquiry_form: EnquiryForm, **kwargs):
        kwargs.setdefault("auto_id", "enquiry-%s")
        super().__init__(*args, **kwargs)
        self.question_keys = []
        for question in enquiry_form.questions.all():
            label, hint = question.text, question.hint
            # Every answer is read as text: the service checks it against its question, so all
            # the refusals come back together, in the same words as through the API.
            if question.kind == Kind.YES_NO:
                field: forms.Field = forms.CharField(
                    widget=forms.Select(choices=[("", ""), ("yes", _("Yes")), ("no", _("No"))])
                )
            elif question.kind == Kind.CHOICE:
                field = forms.CharField(
                    widget=forms.Select(choices=[("", ""), *((o, o) for o in question.option_list)])
                )
            elif question.kind == Kind.DATE:
                field = forms.CharField(max_length=10)
                hint = hint or _("For example, 2027-01-31")
            elif question.kind == Kind.NUMBER:
                field = forms.CharField(max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            else:
                field = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
            field.label, field.help_text, field.required = label, hint, False  # the service checks answers
            self.fields[f"q_{question.key}"] = field
            self.question_keys.append(question.key)
        self.style_fields([f"q_{key}" for key in self.question_keys])

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"q_{key}") or "" for key in self.question_keys}


@require_http_methods(["GET"])
@staff_member_required
def enquiry_forms(request):
    return render(request, "casework/enquiry_forms.html", {"forms": EnquiryForm.objects.filter(is_active=True)})


@require_http_methods(["GET", "POST"])
@staff_member_required
def enquiry_take(request, form_id: int):
    enquiry_form = get_object_or_404(EnquiryForm.objects.prefetch_related("questions"), pk=form_id, is_active=True)
    form = EnquiryAnswersForm(request.POST or None, enquiry_form=enquiry_form)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                enquiry = enquiry_submit(
                    actor=request.user,
                    form=enquiry_form,
                    answers=form.answers(),
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    source=form.cleaned_data["source"],
                )
            except errors.DomainError as exc:
                exc.fields = {f"q_{key}" if key in form.question_keys else key: m for key, m in exc.fields.items()}
                form_add_domain_error(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Enquiry taken: case %(number)s, with its information pack (%(count)d pieces of advice).")
                    % {"number": enquiry.case.number, "count": enquiry.statements.count()},
                )
                return redirect("staff-case", enquiry.case_id)
        else:
            status = 400
    return render(request, "casework/enquiry_take.html", {"enquiry_form": enquiry_form, "form": form}, status=status)
