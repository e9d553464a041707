"""Housing-options enquiries: checking answers against the form's questions, choosing the advice
statements whose conditions the answers meet (and every generic one), and submitting: the
contact and the case are made, the case starts its path, and the matching statements are
compiled into the customer's information pack (a PDF kept with the case's documents)."""

from __future__ import annotations

import datetime
import io
import re

from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.models import AdviceStatement, Document, Enquiry, EnquiryForm, EnquiryQuestion, Source
from casework.services import cases as case_services
from casework.services.documents import document_upload
from casework.services.paths import COMPARISONS, path_start
from casework.services.people import contact_create
from communications.letters import pack_pdf
from core import errors
from core.audit import audited
from core.permissions import is_staff_member

Kind = EnquiryQuestion.Kind
_CONDITION = re.compile(r"^\s*(?P<key>[a-z0-9_]+)\s*(?P<op>is set|is empty|!=|<=|>=|=|<|>)\s*(?P<value>.*?)\s*$")


def clean_answers(form: EnquiryForm, data: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The answers as stored (strings: "yes"/"no", an option, a whole number, an ISO date) and
    what is wrong with them, per question key."""
    answers, problems = {}, {}
    for question in form.questions.all():
        value = (data.get(question.key) or "").strip()
        if not value:
            if question.required:
                problems[question.key] = [f"Answer “{question.text}”."]
            continue
        if question.kind == Kind.YES_NO and value not in ("yes", "no"):
            problems[question.key] = ["Answer yes or no."]
        elif question.kind == Kind.CHOICE and value not in question.option_list:
            problems[question.key] = [f"Choose one of: {', '.join(question.option_list)}."]
        elif question.kind == Kind.NUMBER and not (value.isdigit() and len(value) < 7):
            problems[question.key] = ["Enter a whole number, like 2."]
        elif question.kind == Kind.DATE:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                problems[question.key] = ["Enter a date, like 2027-01-31."]
        answers[question.key] = value
    return answers, problems


def _holds(line: str, answers: dict[str, str]) -> bool:
    match = _CONDITION.match(line)
    if match is None:
        return False
    found, op, value = answers.get(match["key"], ""), match["op"], match["value"]
    if op == "is set":
        return found != ""
    if op == "is empty":
        return found == ""
    if found == "":
        return False
    left: object = found
    right: object = value
    if found.isdigit() and value.isdigit():
        left, right = int(found), int(value)
    return bool(COMPARISONS[op](left, right))


def condition_holds(condition: str, answers: dict[str, str]) -> bool:
    """Whether every line of a statement's condition holds for the answers (empty: always)."""
    return all(_holds(line, answers) for line in condition.splitlines() if line.strip())


def condition_problems(statement: AdviceStatement) -> list[str]:
    """What is wrong with a statement's condition: lines that do not read as one, answers the
    form does not ask for, and a condition on a generic statement (those are in every pack)."""
    lines = [(n, line) for n, line in enumerate(statement.condition.splitlines(), start=1) if line.strip()]
    if statement.form is None:
        return ["A generic statement is in every pack: leave its condition empty, or choose its form."] if lines else []
    keys = set(statement.form.questions.values_list("key", flat=True))
    problems = []
    for n, line in lines:
        match = _CONDITION.match(line)
        if match is None:
            problems.append(f"Line {n}: write “question_key = value”, e.g. “homeless_tonight = yes”.")
        elif match["key"] not in keys:
            problems.append(f"Line {n}: the form has no question “{match['key']}” (it has {', '.join(sorted(keys))}).")
    return problems


def statements_for(form: EnquiryForm, answers: dict[str, str]) -> list[AdviceStatement]:
    """The statements for an enquiry's pack, in pack order: every generic one, and the form's
    whose conditions the answers meet."""
    candidates = AdviceStatement.objects.filter(Q(form__isnull=True) | Q(form=form), is_active=True)
    return [s for s in candidates.order_by("position", "title", "pk") if condition_holds(s.condition, answers)]


def enquiry_submit(
    *,
    actor,
    form: EnquiryForm,
    answers: dict[str, str],
    last_name: str,
    first_name: str = "",
    email: str = "",
    phone: str = "",
    source: str = Source.PHONE,
) -> Enquiry:
    """Take a housing-options enquiry: record the customer, open a case of the form's type for
    them, start the form's path, and compile the matching advice into their information pack
    (kept on the case). All or nothing.

    Who: staff. Raises PermissionDenied; ValidationError per question key (and contact field);
    Conflict when the form is switched off."""
    if not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff take enquiries.")
    if not form.is_active:
        raise errors.Conflict(f"The form “{form}” is switched off.")
    cleaned, problems = clean_answers(form, answers)
    if not (last_name or "").strip():
        problems["last_name"] = ["Enter the customer's last name."]
    if problems:
        raise errors.ValidationError(fields=problems)
    chosen = statements_for(form, cleaned)
    pdf = pack_pdf(
        title=f"Your housing options: {form.name}",
        intro=form.intro,
        sections=[(statement.title, statement.body) for statement in chosen],
    )
    with transaction.atomic(), audited(actor=actor, action="enquiry_submit"):
        contact = contact_create(actor=actor, last_name=last_name, first_name=first_name, email=email, phone=phone)
        case = case_services.case_create(
            actor=actor, case_type=form.case_type, contact=contact, description=f"Enquiry: {form.name}", source=source
        )
        enquiry = Enquiry.objects.create(
            form=form, case=case, answers=cleaned, submitted_by=actor, submitted_at=timezone.now()
        )
        enquiry.statements.set(chosen)
        if form.path is not None and not case.path_runs.filter(version__path=form.path).exists():
            path_start(actor=actor, case=case, path=form.path)
        enquiry.pack = document_upload(
            actor=actor,
            case=case,
            uploaded_file=File(io.BytesIO(pdf), name="housing-options-information-pack.pdf"),
            category=Document.Category.CORRESPONDENCE,
        )
        enquiry.save(update_fields=["pack"])
    return enquiry
