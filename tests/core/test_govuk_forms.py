"""core.templatetags.govuk_forms builds form controls in Python for speed: they must be exactly
what Django's widget templates render, for every widget our forms use, bound or not, with errors
or not. And core.forms.SharedModelChoiceField: two forms, one query."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from casework import forms as case_forms
from casework.models import Case, Document
from casework.views.worktray import WorktrayFilter
from core.forms import SharedModelChoiceField
from core.models import User
from core.templatetags.govuk_forms import control_html


class EveryWidget(case_forms.GovukMixin, forms.Form):
    text = forms.CharField(label="Text", max_length=20, help_text="A <hint>")
    number = forms.IntegerField(label="Number", required=False)
    email = forms.EmailField(label="Email", required=False)
    day = forms.DateField(label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose"), ("a", "A & B"), ("c", "C")])
    grouped = forms.ChoiceField(
        label="Grouped", required=False, choices=[("", "None"), ("Letters", [("x", "X"), ("y", "Y")])]
    )
    file = forms.FileField(label="File", required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(label="Agree", required=False)  # rendered through its template


def _all_forms():
    yield EveryWidget(prefix="empty")
    yield EveryWidget(
        {"bound-text": 'a "quoted" <value>', "bound-number": "x", "bound-kind": "a", "bound-grouped": "y"},
        prefix="bound",
    )
    yield case_forms.DocumentForm(prefix="document")
    yield case_forms.AppointmentForm(
        {"a-starts_at": "2026-01-01T10:00", "a-mode": "phone", "a-notes": "<b>hi</b>"},
        prefix="a",
        staff=User.objects.order_by("pk"),
    )
    yield case_forms.AppointmentForm({"b-with_user": "1"}, prefix="b", staff=User.objects.order_by("pk"))
    yield WorktrayFilter({"status": "review", "priority": "urgent"}, queryset=Case.objects.none()).form
    yield WorktrayFilter({"status": "<nonsense>"}, queryset=Case.objects.none()).form


@pytest.mark.parametrize("form", list(_all_forms()), ids=lambda form: f"{type(form).__name__}-{form.prefix}")
def test_each_control_is_exactly_what_djangos_widget_templates_render(form, db):
    if form.is_bound:
        form.is_valid()
    for field in form:
        assert _tags(control_html(field)) == _tags(field.as_widget()), field.html_name


def _tags(html) -> str:
    """The markup without the whitespace Django's templates leave between tags."""
    return re.sub(r">\s+<", "><", str(html)).strip()


def test_the_form_group_has_label_hint_and_error_linked_to_the_control(db):
    form = EveryWidget({"x-text": ""}, prefix="x")
    form.is_valid()
    html = Template("{% load govuk_forms %}{% govuk_field form.text %}").render(Context({"form": form}))
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<label class="govuk-label" for="id_x-text">Text</label>' in html
    assert '<div id="id_x-text-hint" class="govuk-hint">A &lt;hint&gt;</div>' in html
    assert 'id="id_x-text-error" class="govuk-error-message"' in html and "This field is required." in html
    assert 'aria-describedby="id_x-text-hint id_x-text-error"' in html


class Picker(forms.Form):
    person = SharedModelChoiceField(queryset=None, required=False, empty_label="Nobody")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


def test_two_forms_given_one_queryset_read_it_once_and_cleaning_still_checks_the_database(make_staff):
    first, second = make_staff(email="a@test.example"), make_staff(email="b@test.example")
    people = User.objects.filter(pk__in=[first.pk, second.pk]).order_by("email")
    with CaptureQueriesContext(connection) as queries:
        rendered = [str(Picker(prefix=p, people=people)["person"]) for p in ("one", "two")]
    assert len(queries) == 1
    assert all(f'value="{second.pk}"' in html and "Nobody" in html for html in rendered)
    chosen = Picker({"person": str(first.pk)}, people=people)
    assert chosen.is_valid() and chosen.cleaned_data["person"] == first
    refused = Picker({"person": "999999"}, people=people)
    assert not refused.is_valid() and "person" in refused.errors


def test_document_categories_offer_every_category(db):
    html = str(control_html(case_forms.DocumentForm(prefix="d")["category"]))
    assert all(f'value="{value}"' in html for value in Document.Category.values)


class WithHidden(forms.Form):
    name = forms.CharField(label="Name", widget=forms.TextInput(attrs={"id": "the-name"}))
    query = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Not now.")


def _summary(template: str, **context) -> str:
    return Template("{% load govuk_forms %}" + template).render(Context(context))


def test_the_error_summary_links_each_error_to_its_control_and_the_rest_to_the_target():
    form = WithHidden({"name": "", "query": ""})
    form.is_valid()
    html = _summary('{% govuk_error_summary form target="the-name" heading="h3" %}', form=form)
    assert '<h3 class="govuk-error-summary__title">' in html and 'data-module="govuk-error-summary"' in html
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        '<a href="#the-name">Not now.</a>',  # the form's own error: the target
        '<a href="#the-name">This field is required.</a>',  # the field's control
        '<a href="#the-name">This field is required.</a>',  # a hidden field: the target
    ]


def test_without_a_target_errors_with_no_control_are_not_links():
    form = WithHidden({"name": "x", "query": ""})
    form.is_valid()
    items = re.findall(
        r"<li>(.*?)</li>", _summary("{% govuk_error_summary form messages=extra %}", form=form, extra=["<Also>"])
    )
    assert items == ["Not now.", "This field is required.", "&lt;Also&gt;"]


def test_no_errors_no_summary():
    assert _summary("{% govuk_error_summary form None messages=none %}", form=WithHidden(), none=[]).strip() == ""


def test_the_heading_is_h2_or_h3():
    with pytest.raises(ValueError, match="h2 or h3"):
        _summary('{% govuk_error_summary messages=m heading="h1" %}', m=["x"])
