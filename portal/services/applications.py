"""Writes for a tenant's application on the portal: starting one (after the duplicate check),
saving a step's answers, and signing and submitting it.

Each is one transaction that checks who is acting. The case's own changes go through casework
(application_start, application_code_claim, case_submit: they lock the case, write the feed and
the audit trail); the answers live in portal.models.TenantApplication.

The duplicate check (seed: "duplicate applications") runs before anything is created and again
at submit: two people starting at once for the same home could both pass the first check, so
each check takes a transaction-level advisory lock on the keys it looks up, which makes two
starts for the same home or household run one after the other.

On submit the staff records the seed says come from submissions are made: a contact for the
head of household and each member, their household, and the property (its patch from the
postcode lookup), set on the case. Those casework services are for staff or the system; the
applicant's right to submit is checked here and by case_submit, and the records are written as
the system (actor None) inside the applicant's audited submit."""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, CaseActivity, CaseType, HouseholdMember, Language, Status, Workflow
from casework.permissions import is_case_applicant
from casework.selectors.people import property_at_address
from casework.services import cases as case_services
from casework.services import people
from casework.services.common import lock_case, postcode_normalise
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User
from portal.forms.application_steps import LANDLORD_CODE, STEP_FORMS, answers_of, step_form
from portal.forms.applications import HOUSEHOLD_STEP, STEP_SLUGS, STEP_TITLES
from portal.models import TenantApplication
from portal.models.applications import address_key, household_key
from portal.permissions import is_verified_applicant
from portal.selectors import profile_for
from portal.selectors.applications import Duplicate, open_duplicate
from portal.services.confirmations import application_submitted_notify


class DuplicateApplication(errors.Conflict):
    """An open tenant application exists for the same home or household. `duplicate.case` is
    set only when it is the applicant's own."""

    def __init__(self, duplicate: Duplicate):
        self.duplicate = duplicate
        super().__init__(_("An application for this home or household is already open."))


class IncompleteApplication(errors.ValidationError):
    """Steps not finished (or whose answers no longer pass their checks): fields {step: [title]}."""


def _lock_keys(*keys: str) -> None:
    """Serialise duplicate checks on the same keys until the transaction ends."""
    for key in sorted({k for k in keys if k}):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x7A11, zlib.crc32(key.encode()) - 2**31])


def _check_duplicate(*, user: User, address: str, household: str, exclude_case: Case | None = None) -> None:
    _lock_keys(address, household)
    duplicate = open_duplicate(user=user, address_key=address, household_key=household, exclude_case=exclude_case)
    if duplicate is not None:
        raise DuplicateApplication(duplicate)


def _require_tenant(actor: User | None) -> None:
    if actor is None or actor.kind != User.Kind.TENANT or not is_verified_applicant(actor):
        raise errors.PermissionDenied(_("Only tenants who have confirmed their email address can apply here."))


@transaction.atomic
def tenant_application_start(
    *,
    actor: User,
    case_type: CaseType,
    address_line_1: str,
    town: str,
    postcode: str,
    head_name: str,
    head_date_of_birth: datetime.date,
    address_line_2: str = "",
) -> TenantApplication:
    """Start a tenant's application (a draft case through casework's application_start), with
    the home step filled in with the address and the household step with the head.

    Who: a tenant who has confirmed their email address. Raises PermissionDenied;
    DuplicateApplication (nothing created) when an open tenant application has the same home
    or head of household; ValidationError (case_type) for a programme tenants cannot apply to."""
    _require_tenant(actor)
    if case_type.workflow != Workflow.RENTAL_TENANT or not case_type.is_active:
        raise errors.ValidationError(fields={"case_type": [_("Choose a programme you can apply to.")]})
    keys = {
        "address_key": address_key(postcode, address_line_1),
        "household_key": household_key(head_name, head_date_of_birth),
    }
    _check_duplicate(user=actor, address=keys["address_key"], household=keys["household_key"])
    with audited(actor=actor, action="tenant_application_start"):
        case = case_services.application_start(actor=actor, case_type=case_type)
        # The case came with its empty answers row (portal.signals): fill that in, never a second.
        application, _created = TenantApplication.objects.update_or_create(
            case=case,
            defaults={
                "answers": {
                    "home": {
                        "address_line_1": address_line_1,
                        "address_line_2": address_line_2,
                        "town": town,
                        "postcode": postcode,
                    },
                    HOUSEHOLD_STEP: {
                        "head": {"full_name": head_name, "date_of_birth": head_date_of_birth.isoformat()},
                        "members": [],
                    },
                },
                **keys,
            },
        )
    return application


@dataclass
class StepSaved:
    """What saving a step did: `form` (with its errors when not saved), whether anything was
    saved, and whether the step is now complete."""

    form: object
    saved: bool
    complete: bool


def _locked_draft(actor: User, application: TenantApplication) -> tuple[TenantApplication, Case]:
    if actor is None or not is_case_applicant(actor, application.case):
        raise errors.PermissionDenied(_("Only the applicant can change their application."))
    case = lock_case(application.case)
    if case.status != Status.DRAFT:
        raise errors.Conflict(
            _("Application %(number)s has been submitted and can no longer be changed.") % {"number": case.number}
        )
    application = TenantApplication.objects.select_for_update().get(pk=application.pk)
    application.case = case
    return application, case


def _claim_code(actor: User, case: Case, form, code: str) -> bool:
    """Quote (or drop) the landlord's code on the case; a refused code is an error on the form."""
    try:
        case_services.application_code_claim(actor=actor, case=case, code=code)
    except errors.ValidationError:
        if code == case.application_code:
            form.add_error("landlord_code", _("That is your own application's code. Enter your landlord's code."))
        else:
            form.add_error(
                "landlord_code",
                _(
                    "There is no open landlord application with the code %(code)s. "
                    "Check your landlord's code and try again."
                )
                % {"code": code},
            )
        return False
    return True


@transaction.atomic
def tenant_application_step_save(
    *, actor: User, application: TenantApplication, step: str, data, later: bool = False
) -> StepSaved:
    """Check and save one step's answers from the posted `data`. Valid answers are saved and the
    step marked complete (for the home step, a landlord's code is checked and quoted on the case
    through casework). Invalid answers are saved only when the applicant chose "Save and come
    back later" (`later`): what they typed is kept for next time and the step is left
    unfinished; otherwise nothing is written and the form carries the errors.

    Who: the application's applicant, while it is a draft. Raises PermissionDenied, Conflict
    (submitted), ValueError (unknown step)."""
    if step not in STEP_SLUGS:
        raise ValueError(f"Unknown step {step!r}")
    application, case = _locked_draft(actor, application)
    form = STEP_FORMS[step](data)
    valid = form.is_valid()
    if valid and step == "home":
        cleaned = form.cleaned_data
        code = cleaned.get("landlord_code", "") if cleaned.get("landlord_known_by") == LANDLORD_CODE else ""
        valid = _claim_code(actor, case, form, code)
    if not valid and not later:
        return StepSaved(form=form, saved=False, complete=False)
    if valid:
        answers = form.answers() if step == HOUSEHOLD_STEP else answers_of(form)
    else:
        answers = form.raw_answers() if step == HOUSEHOLD_STEP else type(form).raw_answers(data)
    application.answers = {**application.answers, step: answers}
    completed = [s for s in application.completed_steps if s != step]
    if valid:
        completed.append(step)
    application.completed_steps = [s for s in STEP_SLUGS if s in completed]
    if valid and step == "home":
        application.address_key = address_key(answers["postcode"], answers["address_line_1"])
    if valid and step == HOUSEHOLD_STEP:
        head = answers["head"]
        application.household_key = household_key(head["full_name"], datetime.date.fromisoformat(head["date_of_birth"]))
    application.updated_at = timezone.now()
    with audited(actor=actor, action="tenant_application_step_save", step=step):
        application.save()
    return StepSaved(form=form, saved=True, complete=valid)


def unfinished_steps(application: TenantApplication) -> list[str]:
    """The steps not complete, or whose saved answers no longer pass their checks, in order."""
    missing = []
    for step in STEP_SLUGS:
        if step not in application.completed_steps:
            missing.append(step)
            continue
        if not step_form(step, application.answers.get(step), bound=True).is_valid():
            missing.append(step)
    return missing


# --- sign and submit ------------------------------------------------------------------------------


def _split_name(full_name: str) -> tuple[str, str]:
    parts = full_name.split()
    if len(parts) == 1:
        return "", parts[0][:100]
    return " ".join(parts[:-1])[:100], parts[-1][:100]


def _contact_language(user: User) -> str:
    code = (profile_for(user).preferred_language or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


def _record_people(application: TenantApplication, case: Case, actor: User) -> None:
    """The staff records a submission makes: contacts for the household, the household, and the
    property; set on the case. Not again for a case that has them (resubmitted after being
    sent back to draft: staff keep those records up to date from then on)."""
    answers = application.answers
    if case.contact_id is None:
        household = answers[HOUSEHOLD_STEP]
        consent = answers.get("consent") or {}
        first, last = _split_name(household["head"]["full_name"])
        head = people.contact_create(
            actor=None,
            first_name=first,
            last_name=last,
            date_of_birth=datetime.date.fromisoformat(household["head"]["date_of_birth"]),
            email=actor.email,
            phone=consent.get("contact_phone", ""),
            preferred_language=_contact_language(actor),
        )
        members = [(head, HouseholdMember.Relationship.HEAD)]
        for member in household.get("members") or []:
            first, last = _split_name(member["full_name"])
            contact = people.contact_create(
                actor=None,
                first_name=first,
                last_name=last,
                date_of_birth=datetime.date.fromisoformat(member["date_of_birth"]),
            )
            members.append((contact, member["relationship"]))
        # A staff record: named in the organisation's language, not the applicant's.
        people.household_create(actor=None, name=f"Household of {head.full_name}", members=members)
        case.contact = head
    if case.property_id is None:
        home = answers["home"]
        postcode = postcode_normalise(home["postcode"])
        existing = property_at_address(
            postcode=postcode,
            address_line_1=home["address_line_1"],
            address_line_2=home.get("address_line_2") or "",
        )
        case.property = existing or people.property_create(
            actor=None,
            address_line_1=home["address_line_1"],
            address_line_2=home.get("address_line_2", ""),
            town=home["town"],
            postcode=postcode,
        )
    case.stamp(actor)
    case.save(update_fields=["contact", "property", "updated_at", "updated_by"])
    contact_reference = case.contact.reference if case.contact else ""
    feed_record(
        case=case,
        kind=CaseActivity.Kind.UPDATED,
        actor=actor,
        summary=f"Contact {contact_reference} and property {case.property} recorded from the application",
        data={"fields": ["contact", "property"]},
    )


@transaction.atomic
def tenant_application_submit(*, actor: User, application: TenantApplication, signed_name: str) -> Case:
    """Sign and submit: every step must be complete and pass its checks; no other open tenant
    application may have the same home or household (checked again: one could have been
    started since); then the household, contacts and property are recorded, casework's
    case_submit moves the case Draft → Application match (matching a waiting landlord
    application at once), and the confirmation email is decided, all in this transaction: a
    failure anywhere leaves the draft as it was and sends nothing.

    Who: the application's applicant, while it is a draft. Raises PermissionDenied, Conflict
    (already submitted), IncompleteApplication, DuplicateApplication, ValidationError (no
    signature)."""
    application, case = _locked_draft(actor, application)
    if not (signed_name or "").strip():
        raise errors.ValidationError(fields={"signed_name": [_("Type your full name to sign the application.")]})
    missing = unfinished_steps(application)
    if missing:
        raise IncompleteApplication(
            _("Some parts of the application are not finished."),
            fields={step: [str(STEP_TITLES[step])] for step in missing},
        )
    _check_duplicate(
        user=actor, address=application.address_key, household=application.household_key, exclude_case=case
    )
    with audited(actor=actor, action="tenant_application_submit"):
        _record_people(application, case, actor)
        case = case_services.case_submit(actor=actor, case=case, signed_name=signed_name)
        application.updated_at = timezone.now()
        application.save(update_fields=["updated_at"])
        application_submitted_notify(case=case)
    return case
