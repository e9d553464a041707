"""Templates: refused at save with the line at fault, versions kept, only merge fields reachable."""

import pytest

from communications import rendering, services
from communications.fields import example_context
from communications.models import Template, TemplateVersion
from core import errors


def _problems(body: str, **kwargs) -> dict:
    return rendering.template_problems(
        channel=kwargs.get("channel", "letter"),
        subject=kwargs.get("subject", ""),
        body=body,
        required_fields=kwargs.get("required", []),
    )


def test_a_syntax_error_is_refused_with_its_line():
    problems = _problems("Dear {{ recipient.name }},\n\n{% if case.number %}\nno end")
    assert problems["body"] == ["Line 3: Unclosed tag on line 3: 'if'. Looking for one of: elif, else, endif."]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hello\n{{ contact.frist_name }}", "Line 2: there is no merge field called “contact.frist_name”."),
        ("{% if secret.value %}x{% endif %}", "Line 1: there is no merge field called “secret.value”."),
        ("{{ today|default:case.owner_password }}", "Line 1: there is no merge field called “case.owner_password”."),
        ("a\nb\n{% for x in cases %}{{ x }}{% endfor %}", "Line 3: there is no merge field called “cases”."),
        ("{% include 'base.html' %}", "Line 1: the {% include %} tag is not allowed in a template."),
        ("x\n{% load i18n %}", "Line 2: the {% load %} tag is not allowed in a template."),
        ("{% debug %}", "Line 1: the {% debug %} tag is not allowed in a template."),
    ],
)
def test_unknown_fields_and_unsafe_tags_are_refused_with_their_line(body, expected):
    assert expected in _problems(body)["body"]


def test_loop_and_with_variables_and_declared_fields_are_accepted():
    body = (
        "{% for line in recipient.address %}{{ line|upper }} {{ forloop.counter }}{% endfor %}"
        "{% with who=contact.first_name %}{{ who }}{% endwith %}{% firstof owner.name organisation.name %}"
    )
    assert _problems(body) == {}


def test_channels_rules_on_subjects_and_unknown_required_fields():
    assert _problems("Hi", channel="email")["subject"] == ["An email needs a subject."]
    assert _problems("Hi", channel="sms", subject="S")["subject"] == ["Text messages have no subject."]
    assert _problems("Hi", required=["contact.shoe_size"])["required_fields"] == [
        "There is no merge field called “contact.shoe_size”."
    ]


def test_saving_refuses_a_bad_template_and_stores_nothing(supervisor):
    templates = set(Template.objects.values_list("pk", flat=True))  # the apps' own defaults
    with pytest.raises(errors.ValidationError) as refused:
        services.template_save(actor=supervisor, key="bad", name="Bad", channel="letter", body="{{ nope }}")
    assert refused.value.fields == {"body": ["Line 1: there is no merge field called “nope”."]}
    assert set(Template.objects.values_list("pk", flat=True)) == templates


def test_only_supervisors_write_templates(caseworker):
    with pytest.raises(errors.PermissionDenied):
        services.template_save(actor=caseworker, key="k", name="K", channel="letter", body="Hi")


def test_each_change_of_text_is_a_new_version_and_old_versions_stay(supervisor, make_template):
    template = make_template("letter", key="notice", body="First {{ case.number }}")
    services.template_save(actor=supervisor, template=template, name="Renamed")  # not the text: no version
    template = services.template_save(actor=supervisor, template=template, body="Second {{ case.number }}")
    versions = list(TemplateVersion.objects.filter(template=template).order_by("number").values_list("number", "body"))
    assert versions == [(1, "First {{ case.number }}"), (2, "Second {{ case.number }}")]
    assert template.version == 2 and Template.objects.get(pk=template.pk).name == "Renamed"
    with pytest.raises(errors.ValidationError) as refused:
        services.template_save(actor=supervisor, template=template, channel="sms")
    assert "channel" in refused.value.fields


def test_the_context_holds_values_only_and_html_is_escaped():
    context = example_context() | {"recipient.name": "<b>Bob</b>"}
    rendered = rendering.render(
        subject="Hi {{ recipient.name }}",
        body="# Dear {{ recipient.name }}\n\n* {{ organisation.name }}",
        required_fields=[],
        context=context,
    )
    assert rendered.subject == "Hi <b>Bob</b>"  # subjects are plain text; letters put them in HTML escaped
    assert rendered.html == "<h1>Dear &lt;b&gt;Bob&lt;/b&gt;</h1>\n<ul>\n<li>Demo Borough Council</li>\n</ul>\n"


def test_required_fields_without_a_value_are_reported_missing():
    context = example_context() | {"tenancy.reference": "", "recipient.address": []}
    rendered = rendering.render(
        subject="", body="x", required_fields=["tenancy.reference", "recipient.address", "case.number"], context=context
    )
    assert rendered.missing == ["tenancy.reference", "recipient.address"]
