"""Checking and rendering templates: Django's template language on its own engine, with only
the harmless tags, and only declared merge fields (communications.fields) as variables.

A template's text renders to Markdown-like source (letters and emails) or plain text (SMS);
merge values go in as they are and the formatting step escapes any HTML in the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError, defaulttags
from django.template import base as template_base
from django.template.defaulttags import TemplateLiteral
from django.template.smartif import TokenBase
from markdown_it import MarkdownIt

from communications.fields import FIELDS, is_empty, nested
from communications.models import Channel

# Debug on: a syntax error carries its line. No loaders and no libraries: {% include %},
# {% extends %} and {% load %} have nothing to reach (and are refused before that anyway).
_ENGINE = Engine(debug=True, loaders=[], libraries={}, autoescape=False, string_if_invalid="")

# The tags a letter needs. Anything else (include, extends, load, url, debug, csrf_token,
# templatetag, widthratio, …) is refused at save.
_ALLOWED_NODES: dict[type, str] = {
    template_base.TextNode: "",
    template_base.VariableNode: "",
    defaulttags.IfNode: "if",
    defaulttags.ForNode: "for",
    defaulttags.WithNode: "with",
    defaulttags.CommentNode: "comment",
    defaulttags.FirstOfNode: "firstof",
    defaulttags.SpacelessNode: "spaceless",
}

# Raw HTML is shown as text; links and images are not followed (a letter's PDF must not fetch
# anything, and an email's links are written out in full).
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False}).disable(["image", "link"])


class TemplateProblems(Exception):
    """Every problem found in a template, by field ("subject", "body", "required_fields")."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in problems.values() for m in messages))
        self.problems = problems


@dataclass
class Rendered:
    subject: str
    body: str
    missing: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        return body_html(self.body)


def body_html(text: str) -> str:
    return _MARKDOWN.render(text)


def _parse(source: str, where: str, problems: dict[str, list[str]]):
    try:
        return _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        line = getattr(exc, "template_debug", {}).get("line")
        at = f"Line {line}: " if line else ""
        # {% load %} finds no libraries on this engine; say so plainly rather than list none.
        message = "the {% load %} tag is not allowed in a template." if "tag library" in str(exc) else str(exc)
        problems.setdefault(where, []).append(f"{at}{message}")
        return None


def _expressions(node) -> list[Any]:
    """The filter expressions a node reads (its variables), for the nodes we allow."""
    if isinstance(node, template_base.VariableNode):
        return [node.filter_expression]
    if isinstance(node, defaulttags.IfNode):
        found: list[Any] = []
        for condition, _nodelist in node.conditions_nodelists:
            stack = [condition] if condition is not None else []
            while stack:
                part = stack.pop()
                if isinstance(part, TemplateLiteral):
                    found.append(part.value)
                elif isinstance(part, TokenBase):
                    operands = (getattr(part, "first", None), getattr(part, "second", None))
                    stack.extend(operand for operand in operands if operand is not None)
        return found
    if isinstance(node, defaulttags.ForNode):
        return [node.sequence]
    if isinstance(node, defaulttags.WithNode):
        return list(node.extra_context.values())
    if isinstance(node, defaulttags.FirstOfNode):
        return list(node.vars)
    return []


def _names(expression) -> list[str]:
    """The dotted variable names an expression reads: its variable and its filters' arguments."""
    variables = [expression.var, *(arg for filter_ in expression.filters for lookup, arg in filter_[1] if lookup)]
    return [".".join(v.lookups) for v in variables if isinstance(v, template_base.Variable) and v.lookups]


def _locals(node) -> set[str]:
    if isinstance(node, defaulttags.ForNode):
        return {*node.loopvars, "forloop"}
    if isinstance(node, defaulttags.WithNode):
        return set(node.extra_context)
    return set()


def _check_nodes(nodelist, where: str, local: frozenset[str], problems: dict[str, list[str]]) -> None:
    for node in nodelist:
        line = node.token.lineno if getattr(node, "token", None) else None
        at = f"Line {line}: " if line else ""
        if type(node) not in _ALLOWED_NODES:
            tag = node.token.split_contents()[0] if getattr(node, "token", None) else type(node).__name__
            problems.setdefault(where, []).append(f"{at}the {{% {tag} %}} tag is not allowed in a template.")
            continue
        for expression in _expressions(node):
            for name in _names(expression):
                if name.split(".")[0] in local or name in FIELDS:
                    continue
                problems.setdefault(where, []).append(f"{at}there is no merge field called “{name}”.")
        inner = local | _locals(node)
        for attribute in node.child_nodelists:
            _check_nodes(getattr(node, attribute, None) or [], where, frozenset(inner), problems)


def _checked(*, channel: str, subject: str, body: str, required_fields: list[str]):
    problems: dict[str, list[str]] = {}
    if not body.strip():
        problems["body"] = ["Write the message."]
    if channel == Channel.SMS and subject.strip():
        problems.setdefault("subject", []).append("Text messages have no subject.")
    if channel == Channel.EMAIL and not subject.strip():
        problems.setdefault("subject", []).append("An email needs a subject.")
    parsed = {}
    for where, source in (("subject", subject), ("body", body)):
        parsed[where] = _parse(source, where, problems)
        if parsed[where] is not None:
            _check_nodes(parsed[where].nodelist, where, frozenset(), problems)
    unknown = [name for name in required_fields if name not in FIELDS]
    if unknown:
        problems["required_fields"] = [f"There is no merge field called “{name}”." for name in unknown]
    return problems, parsed


def template_problems(*, channel: str, subject: str, body: str, required_fields: list[str]) -> dict[str, list[str]]:
    """What is wrong with a template, by field; {} when nothing is. Syntax errors and unknown
    fields carry the line they are on."""
    return _checked(channel=channel, subject=subject, body=body, required_fields=required_fields)[0]


def render(*, subject: str, body: str, required_fields: list[str], context: dict[str, Any]) -> Rendered:
    """The message made from a template's text and a flat context. `missing` names the
    required fields without a value (the message must not be sent then). Raises
    TemplateProblems for a template that does not check (saving refuses those, so only a
    template written around the services gets here)."""
    problems, parsed = _checked(channel="", subject=subject, body=body, required_fields=required_fields)
    if problems:
        raise TemplateProblems(problems)
    # Plain text out (formatting source or SMS): escaping is the formatting step's job, not this one's.
    values = Context(nested({name: value for name, value in context.items() if name in FIELDS}), autoescape=False)
    rendered_subject = " ".join(parsed["subject"].render(values).split())
    rendered_body = parsed["body"].render(values).strip()
    missing = [name for name in required_fields if is_empty(context.get(name))]
    return Rendered(subject=rendered_subject, body=rendered_body, missing=missing)
