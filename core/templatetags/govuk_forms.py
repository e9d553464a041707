"""`{% govuk_field form.field %}`: a form field as a GOV.UK form group (label, hint, error message
and control), for the staff pages' forms.

The control is built here, in Python, from the widget's own context (Django computes its name,
value, attributes and options exactly as for `{{ field }}`) for the widgets our forms use: inputs,
textareas and selects. Rendering them through Django's widget templates (a template per widget,
per attribute list and per option) was the largest part of the case page's time, which has to
stay under 50 ms with a million cases. Any other widget still renders through its template.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField, Select
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "number", "password", "url", "date", "datetime", "time", "hidden", "file")
}

_CLEARABLE_FILE = "django/forms/widgets/clearable_file_input.html"  # a plain file input until a file is stored


def _attributes(attrs: dict) -> SafeString:
    """As Django's widgets/attrs.html: `name="value"`, a bare `name` for True, nothing for False."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


def _select_html(field: BoundField, attrs: dict) -> SafeString | None:
    """A single-choice select without option groups, as Django's select templates render it
    (Select.optgroups and create_option, without building a context dict per option: a patch
    or staff picker has dozens). None for anything else, which goes through the widget."""
    widget = field.field.widget
    if widget.allow_multiple_selected:
        return None
    values = widget.format_value(field.value())
    options = []
    has_selected = False
    for option_value, option_label in widget.choices:
        if isinstance(option_label, (list, tuple)):
            return None  # option groups
        option_value = "" if option_value is None else str(option_value)
        selected = not has_selected and option_value in values
        has_selected |= selected
        selected_attribute = " selected" if selected else ""
        label = conditional_escape(option_label)
        options.append(f'<option value="{escape(option_value)}"{selected_attribute}>{label}</option>')
    return format_html(
        '<select name="{}"{}>{}</select>',
        field.html_name,
        _attributes(widget.build_attrs(widget.attrs, attrs)),
        mark_safe("".join(options)),  # noqa: S308 - every part escaped above
    )


def _options(widget: dict) -> SafeString:
    html = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(option["value"]), _attributes(option["attrs"]), option["label"]) for option in options),
        )
        html.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered)
    return format_html_join("", "{}", ((part,) for part in html))  # each part already escaped


def control_html(field: BoundField) -> SafeString:
    """The field's control, as `{{ field }}` would render it."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({})
    if field.auto_id and "id" not in widget.attrs:  # as BoundField.as_widget
        attrs.setdefault("id", field.auto_id)
    if type(widget) is Select and (select := _select_html(field, attrs)) is not None:
        return select
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    template_name = context["template_name"]
    if template_name in _INPUT_TEMPLATES or (template_name == _CLEARABLE_FILE and not context.get("is_initial")):
        value = context["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            context["type"],
            context["name"],
            format_html(' value="{}"', value) if value is not None else "",
            _attributes(context["attrs"]),
        )
    if template_name == "django/forms/widgets/textarea.html":
        name, attrs, value = context["name"], _attributes(context["attrs"]), context["value"] or ""
        return format_html('<textarea name="{}"{}>\n{}</textarea>', name, attrs, value)
    if template_name == "django/forms/widgets/select.html":
        return format_html(
            '<select name="{}"{}>{}</select>', context["name"], _attributes(context["attrs"]), _options(context)
        )
    return field.as_widget()


@register.simple_tag
def govuk_field(field: BoundField, label_class: str = "") -> SafeString:
    """The field as a GOV.UK form group: label, optional hint, error message, control."""
    errors = field.errors
    hint = (
        format_html('<div id="{}-hint" class="govuk-hint">{}</div>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    error = (
        format_html(
            '<p id="{}-error" class="govuk-error-message"><span class="govuk-visually-hidden">{}</span> {}</p>',
            field.auto_id,
            gettext("Error:"),
            " ".join(str(message) for message in errors),
        )
        if errors
        else ""
    )
    return format_html(
        '<div class="govuk-form-group{}"><label class="govuk-label{}" for="{}">{}</label>{}{}{}</div>',
        " govuk-form-group--error" if errors else "",
        f" {label_class}" if label_class else "",
        field.id_for_label,
        field.label,
        hint,
        error,
        control_html(field),
    )


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(*forms, messages=(), target: str = "", heading: str = "h2") -> dict:
    """The GOV.UK error summary for `forms` (None is skipped) and any other `messages`. A field's
    errors link to its control; errors with no visible control of their own (the form's, a
    hidden field's, `messages`) link to `target` when one is given. `heading` is h2 on a page,
    h3 inside a section that has its own h2."""
    if heading not in {"h2", "h3"}:
        raise ValueError(f"An error summary's heading is h2 or h3, not {heading!r}.")
    errors = []
    for form in forms:
        if form is None:
            continue
        errors += [(message, target) for message in form.non_field_errors()]
        for field in form:
            anchor = target if field.is_hidden else field.id_for_label
            errors += [(message, anchor) for message in field.errors]
    errors += [(message, target) for message in messages]
    return {"errors": errors, "heading": heading}
