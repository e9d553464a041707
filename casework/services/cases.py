"""Writes for cases: creating them, editing their details, and every move along their chevrons.

Each service is one transaction: it locks the case row, checks who is acting, calls one
state-machine transition (casework.models.cases), saves, writes a feed entry and sends
casework.signals so routing, automation, arrears and payments can react without casework
importing them. The audit trail (pghistory) records the same change with the actor.

Rental assistance pairs a tenant case with a landlord case (the landlord case's parent). Staff
work the tenant case; the matched landlord case follows it along the chevrons.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework import signals
from casework.models import (
    RENTAL_WORKFLOWS,
    Case,
    CaseActivity,
    CaseType,
    ClosureStage,
    Contact,
    Notification,
    Priority,
    Property,
    Queue,
    RequestSubtype,
    RequestType,
    Source,
    Status,
    Task,
    Team,
    Tenancy,
    Workflow,
)
from casework.models.cases import transition_sources
from casework.permissions import can_change_closed_case, can_work_case, is_case_applicant
from casework.selectors.cases import existing_open_cases
from casework.services.clocks import clocks_on_task_created
from casework.services.common import clean_text, constraint_errors, ensure_case_open, lock_case
from casework.services.feed import feed_record
from casework.services.notifications import notify
from core import errors
from core.audit import audited
from core.models import User
from core.permissions import is_staff_member

REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class TransitionSpec:
    label: str
    needs_reason: bool = False


# The chevron moves staff make directly (casework.api "transition" action, the worktray).
# Others have their own services because they involve more than one case or another actor:
# submit and withdraw (the applicant), match, send back to draft, appeal decisions, reopen, and
# the system's time_out and close_paid.
STAFF_TRANSITIONS: dict[str, TransitionSpec] = {
    "refer_to_case_manager": TransitionSpec("Refer to case manager"),
    "refer_to_reviewer": TransitionSpec("Refer to reviewer"),
    "approve_for_payment": TransitionSpec("Approve for payment"),
    "deny": TransitionSpec("Deny", needs_reason=True),
    "close_ineligible": TransitionSpec("Close as ineligible", needs_reason=True),
    "close_duplicate": TransitionSpec("Close as duplicate", needs_reason=True),
    "start_review": TransitionSpec("Start appeal review"),
    "agree_arrangement": TransitionSpec("Record arrangement"),
    "break_arrangement": TransitionSpec("Arrangement broken", needs_reason=True),
    "serve_notice": TransitionSpec("Serve notice (NOSP)"),
    "refer_to_court": TransitionSpec("Refer to court"),
    "schedule_eviction": TransitionSpec("Schedule eviction"),
    "assess": TransitionSpec("Start assessment"),
    "agree_housing_plan": TransitionSpec("Agree housing plan"),
    "start_work": TransitionSpec("Start work"),
    "put_on_hold": TransitionSpec("Put on hold", needs_reason=True),
    "resolve": TransitionSpec("Resolve", needs_reason=True),
}


def available_staff_transitions(*, user, case: Case) -> list[dict]:
    """The STAFF_TRANSITIONS `user` can make on `case` now, in STAFF_TRANSITIONS order, each as
    {"name", "label", "needs_reason"}: empty for anyone but staff and for a closed case. Shared by
    the API (available_transitions) and the case page's action buttons so both offer the same
    moves. A pure read of the case in memory: no queries."""
    if not is_staff_member(user) or case.is_closed:
        return []
    # django-fsm adds get_available_<field>_transitions to the model class at import time.
    available = {t.name for t in case.get_available_status_transitions()}  # type: ignore[attr-defined]
    return [
        {"name": name, "label": spec.label, "needs_reason": spec.needs_reason}
        for name, spec in STAFF_TRANSITIONS.items()
        if name in available
    ]


# Staff moves on a tenant case that its matched landlord case makes too, so the pair stays on one chevron.
_LANDLORD_FOLLOWS = {"refer_to_case_manager", "refer_to_reviewer", "approve_for_payment", "deny", "close_ineligible"}

ALL_TRANSITIONS = {
    **{name: spec.label for name, spec in STAFF_TRANSITIONS.items()},
    "submit": "Sign and submit",
    "match": "Match applications",
    "send_back_to_draft": "Send back to draft",
    "return_to_application_match": "Return to application match",
    "close_paid": "Close as paid",
    "withdraw": "Withdraw",
    "time_out": "Time out",
    "uphold": "Uphold decision",
    "overturn": "Overturn decision",
    "reopen": "Reopen",
}


# --- the one way a case changes status ----------------------------------------------------------


def _status_label(status: str) -> str:
    return Status(status).label


def _refuse_transition(case: Case, name: str) -> errors.TransitionNotAllowed:
    """A sentence saying why `name` cannot happen to `case` now."""
    label = ALL_TRANSITIONS.get(name, name.replace("_", " "))
    sources = transition_sources(name)
    workflow = Workflow(case.workflow).label
    if case.status in sources:
        return errors.TransitionNotAllowed(f"“{label}” does not apply to {workflow} cases.")
    where = ", ".join(_status_label(s) for s in sources if s in case.chevrons) if sources else ""
    if not where:
        return errors.TransitionNotAllowed(f"“{label}” does not apply to {workflow} cases.")
    return errors.TransitionNotAllowed(
        f"Case {case.number} is at {_status_label(case.status)}; “{label}” is only possible from {where}."
    )


def _apply(case: Case, name: str, *, actor: User | None, reason: str = "") -> Case:
    """Call transition `name` on the (locked) case, save it, and record it: feed entry and
    case_status_changed signal. Raises TransitionNotAllowed with a sentence if it cannot."""
    method = getattr(case, name)
    from django_fsm import can_proceed

    if not can_proceed(method):
        raise _refuse_transition(case, name)
    from_status = case.status
    method()
    case.status_changed_at = timezone.now()
    case.stamp(actor)
    case.save()
    to_label = _status_label(case.status)
    if case.is_closed:
        to_label = f"Closed ({case.get_closure_stage_display()})"
    feed_record(
        case=case,
        kind=CaseActivity.Kind.STATUS_CHANGED,
        actor=actor,
        summary=f"{ALL_TRANSITIONS.get(name, name)}: {_status_label(from_status)} → {to_label}",
        from_status=from_status,
        to_status=case.status,
        reason=reason,
        data={"transition": name, "closure_stage": case.closure_stage},
    )
    signals.case_status_changed.send(
        sender=Case,
        case=case,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        transition=name,
        reason=reason,
    )
    return case


def _reason(reason: str | None, *, required: bool, what: str) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise errors.ValidationError(fields={"reason": [f"Give a reason to {what}."]})
    if len(text) > REASON_MAX_LENGTH:
        raise errors.ValidationError(
            fields={"reason": [f"The reason can be at most {REASON_MAX_LENGTH} characters (you entered {len(text)})."]}
        )
    return text


def _require_staff(actor: User | None, case: Case | None = None, *, doing: str) -> None:
    if actor is not None and not (can_work_case(actor, case) if case is not None else is_staff_member(actor)):
        raise errors.PermissionDenied(f"Only staff can {doing}.")


def _live_landlord_case(tenant_case: Case) -> Case | None:
    return (
        Case.objects.select_for_update(of=("self",))
        .filter(parent=tenant_case, workflow=Workflow.RENTAL_LANDLORD)
        .exclude(status=Status.CLOSED)
        .first()
    )


def _linked_case(case: Case) -> Case | None:
    """The other half of a rental pair, locked: a tenant case's live landlord case, or a landlord
    case's tenant case."""
    if case.workflow == Workflow.RENTAL_TENANT:
        return _live_landlord_case(case)
    if case.workflow == Workflow.RENTAL_LANDLORD and case.parent_id:
        return lock_case(case.parent)
    return None


# --- creating and editing ------------------------------------------------------------------------


def _check_picklists(case_type: CaseType, request_type, request_subtype) -> None:
    field_errors: dict[str, list[str]] = {}
    if request_type is not None and (request_type.case_type_id != case_type.pk or not request_type.is_active):
        field_errors["request_type"] = [f"“{request_type}” is not a request type of {case_type}."]
    if request_subtype is not None:
        if request_type is None:
            field_errors["request_subtype"] = ["Choose a request type before a subtype."]
        elif request_subtype.request_type_id != request_type.pk or not request_subtype.is_active:
            field_errors["request_subtype"] = [f"“{request_subtype}” is not a subtype of “{request_type}”."]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)


def _tenancy_parties(tenancy: Tenancy) -> tuple[Contact | None, Property]:
    """The head of the tenancy's household and the tenancy's property."""
    head = tenancy.household.members.filter(is_head=True).select_related("contact").first()
    return (head.contact if head else None), tenancy.property


@transaction.atomic
def case_create(
    *,
    actor: User | None,
    case_type: CaseType,
    contact: Contact | None = None,
    description: str = "",
    source: str = Source.PHONE,
    request_type: RequestType | None = None,
    request_subtype: RequestSubtype | None = None,
    tenancy: Tenancy | None = None,
    property: Property | None = None,
    priority: str = Priority.NORMAL,
    owner: User | None = None,
    owner_queue: Queue | None = None,
    acknowledge_existing: bool = False,
    confirm_inactive_tenancy: bool = False,
) -> Case:
    """Open a case for a contact. Who: staff (or the system). The owner defaults to the creator.

    Before creating, the contact's open cases of the same type are checked ("does a case already
    exist?"): if there are any, the caller must pass acknowledge_existing=True (the usual answer is
    to add a note to the existing case instead). A case on an ended or pending-cancellation
    tenancy needs confirm_inactive_tenancy=True. With a tenancy, the contact defaults to its head
    of household and the property is the tenancy's.

    Raises PermissionDenied, ValidationError (per field; including the two confirmations)."""
    _require_staff(actor, doing="open cases")
    field_errors: dict[str, list[str]] = {}
    if not case_type.is_active:
        field_errors["case_type"] = [f"{case_type} is no longer in use; choose another case type."]
    if source not in Source.values:
        field_errors["source"] = [f"Choose one of: {', '.join(Source.labels)}."]
    if priority not in Priority.values:
        field_errors["priority"] = ["Choose normal or urgent."]
    if tenancy is not None:
        head, tenancy_property = _tenancy_parties(tenancy)
        contact = contact or head
        if property is not None and property.pk != tenancy_property.pk:
            field_errors["property"] = [f"The property must be the tenancy's ({tenancy_property})."]
        property = tenancy_property
        if contact is not None and not tenancy.household.members.filter(contact=contact).exists():
            field_errors["contact"] = [f"{contact.full_name} is not in the household of tenancy {tenancy.reference}."]
        if tenancy.status != Tenancy.Status.ACTIVE and not confirm_inactive_tenancy:
            field_errors["confirm_inactive_tenancy"] = [
                f"Tenancy {tenancy.reference} is {tenancy.get_status_display().lower()}. "
                "Confirm that the case is about this tenancy."
            ]
    if contact is None and case_type.workflow != Workflow.AUTOMATED:
        field_errors["contact"] = ["Choose the contact the case is for."]
    if owner is not None and owner_queue is not None:
        field_errors["owner"] = ["A case is owned by a person or a queue, not both."]
    if owner is not None and not is_staff_member(owner):
        field_errors["owner"] = ["The owner must be an active member of staff."]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    _check_picklists(case_type, request_type, request_subtype)
    if contact is not None and not acknowledge_existing:
        existing = list(existing_open_cases(contact=contact, case_type=case_type).values_list("number", flat=True)[:5])
        if existing:
            raise errors.ValidationError(
                fields={
                    "acknowledge_existing": [
                        f"{contact.full_name} already has open {case_type} cases: {', '.join(existing)}. "
                        "Add a note to the existing case, or confirm that this is a new matter."
                    ]
                }
            )

    case = Case(
        case_type=case_type,
        contact=contact,
        description=(description or "").strip(),
        source=source,
        request_type=request_type,
        request_subtype=request_subtype,
        tenancy=tenancy,
        property=property,
        priority=priority,
        owner=owner if owner is not None or owner_queue is not None else actor,
        owner_queue=owner_queue,
    )
    case.stamp(actor)
    with audited(actor=actor, action="case_create"):
        case.save()
        feed_record(case=case, kind=CaseActivity.Kind.CREATED, actor=actor, summary=f"Case {case.number} opened")
        signals.case_created.send(sender=Case, case=case, actor=actor)
    return case


def _other_side(workflow: str) -> str:
    return Workflow.RENTAL_TENANT if workflow == Workflow.RENTAL_LANDLORD else Workflow.RENTAL_LANDLORD


def _check_claimed_code(code: str, *, quoting: str) -> None:
    """A quoted code must be an open application of the other side. The message is the same
    whether the code is unknown, closed or the wrong side's, so codes cannot be probed."""
    exists = (
        Case.objects.filter(application_code=code, workflow=_other_side(quoting)).exclude(status=Status.CLOSED).exists()
    )
    if not exists:
        whose = "your landlord's" if quoting == Workflow.RENTAL_TENANT else "your tenant's"
        raise errors.ValidationError(
            fields={
                "claimed_application_code": [
                    f"There is no open application with the code {code}. Check {whose} code and try again."
                ]
            }
        )


@transaction.atomic
def application_start(
    *,
    actor: User,
    case_type: CaseType,
    contact: Contact | None = None,
    description: str = "",
    claimed_application_code: str = "",
) -> Case:
    """An applicant starts a rental-assistance application (a draft they fill in, then sign and
    submit). Either side may quote the other's application code to be matched with it: a landlord
    the tenant's, or a tenant the code of a landlord who applied for them first.
    Who: applicants (tenants, landlords, property managers, advocates). Raises PermissionDenied,
    ValidationError."""
    if actor is None or is_staff_member(actor) or not actor.is_active:
        raise errors.PermissionDenied("Applications are started by applicants in the portal.")
    if case_type.workflow not in RENTAL_WORKFLOWS or not case_type.is_active:
        raise errors.ValidationError(fields={"case_type": [f"{case_type} is not an application you can start."]})
    code = clean_text(claimed_application_code).upper()
    if code:
        _check_claimed_code(code, quoting=case_type.workflow)
    case = Case(
        case_type=case_type,
        contact=contact,
        applicant=actor,
        description=(description or "").strip(),
        source=Source.PORTAL,
        claimed_application_code=code,
    )
    case.stamp(actor)
    with audited(actor=actor, action="application_start"):
        case.save()
        feed_record(
            case=case, kind=CaseActivity.Kind.CREATED, actor=actor, summary=f"Application {case.number} started"
        )
        signals.case_created.send(sender=Case, case=case, actor=actor)
    return case


@transaction.atomic
def application_code_claim(*, actor: User, case: Case, code: str) -> Case:
    """The applicant of a draft rental application quotes (or, with an empty `code`, drops) the
    other side's application code, checked as application_start checks it.
    Who: the case's applicant. Raises PermissionDenied, Conflict (no longer a draft),
    ValidationError (field claimed_application_code)."""
    if actor is None or not is_case_applicant(actor, case):
        raise errors.PermissionDenied("Only the applicant can change the application code they quote.")
    case = lock_case(case)
    if case.status != Status.DRAFT:
        raise errors.Conflict(f"Application {case.number} has been submitted; its codes can no longer change.")
    code = clean_text(code).upper()
    if code == case.claimed_application_code:
        return case
    if code:
        if code == case.application_code:
            raise errors.ValidationError(
                fields={"claimed_application_code": ["That is your own application's code. Enter the other side's."]}
            )
        _check_claimed_code(code, quoting=case.workflow)
    case.claimed_application_code = code
    case.stamp(actor)
    with audited(actor=actor, action="application_code_claim"):
        case.save(update_fields=["claimed_application_code", "updated_at", "updated_by"])
        feed_record(
            case=case,
            kind=CaseActivity.Kind.UPDATED,
            actor=actor,
            summary=f"Quoted application code {code}" if code else "Quoted application code removed",
            data={"fields": ["claimed_application_code"]},
        )
    return case


_EDITABLE = {
    "description",
    "priority",
    "source",
    "request_type",
    "request_subtype",
    "tenancy",
    "contact",
    "is_escalated",
}


@transaction.atomic
def case_update(*, actor: User | None, case: Case, confirm_inactive_tenancy: bool = False, **changes) -> Case:
    """Change a case's details. Who: staff; a closed case only by a supervisor. The case type is
    fixed once the case exists (refused, 409). Changing the tenancy moves the case to that
    tenancy's head of household and property.

    Raises PermissionDenied, Conflict, ValidationError."""
    _require_staff(actor, case, doing="change case details")
    if "case_type" in changes or "workflow" in changes:
        raise errors.Conflict(
            "The case type cannot be changed once a case is created. Close this case as a duplicate "
            "and open one of the right type."
        )
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise errors.ValidationError(fields={name: ["This cannot be changed here."] for name in sorted(unknown)})
    case = lock_case(case)
    ensure_case_open(actor, case, doing="change its details")
    field_errors: dict[str, list[str]] = {}
    if "priority" in changes and changes["priority"] not in Priority.values:
        field_errors["priority"] = ["Choose normal or urgent."]
    if "source" in changes and changes["source"] not in Source.values:
        field_errors["source"] = [f"Choose one of: {', '.join(Source.labels)}."]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    if "tenancy" in changes and changes["tenancy"] is not None and changes["tenancy"].pk != case.tenancy_id:
        tenancy = changes["tenancy"]
        if tenancy.status != Tenancy.Status.ACTIVE and not confirm_inactive_tenancy:
            raise errors.ValidationError(
                fields={
                    "confirm_inactive_tenancy": [
                        f"Tenancy {tenancy.reference} is {tenancy.get_status_display().lower()}. "
                        "Confirm that the case is about this tenancy."
                    ]
                }
            )
        head, tenancy_property = _tenancy_parties(tenancy)
        changes.setdefault("contact", head or case.contact)
        case.property = tenancy_property
    request_type = changes.get("request_type", case.request_type)
    request_subtype = changes.get("request_subtype", case.request_subtype)
    # A new request type drops a subtype that belongs to the old one.
    subtype_orphaned = request_subtype is not None and (
        request_type is None or request_subtype.request_type_id != request_type.pk
    )
    if "request_type" in changes and "request_subtype" not in changes and subtype_orphaned:
        request_subtype = changes["request_subtype"] = None
    _check_picklists(case.case_type, request_type, request_subtype)

    changed = []
    for name, value in changes.items():
        if name == "description":
            value = (value or "").strip()
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if not changed:
        return case
    case.stamp(actor)
    with audited(actor=actor, action="case_update"):
        case.save()
        labels = ", ".join(str(getattr(Case._meta.get_field(name), "verbose_name", name)) for name in changed)
        feed_record(
            case=case,
            kind=CaseActivity.Kind.UPDATED,
            actor=actor,
            summary=f"Changed {labels}",
            data={"fields": changed},
        )
    return case


# --- staff moves along the chevrons -------------------------------------------------------------


@transaction.atomic
def case_transition(*, actor: User | None, case: Case, transition: str, reason: str = "") -> Case:
    """Move a case along its chevrons by one of STAFF_TRANSITIONS (e.g. refer_to_case_manager,
    deny, resolve). Who: staff. Closing moves need a reason. A matched landlord case is moved with
    its tenant case, never on its own.

    Raises PermissionDenied, ValidationError (unknown move, missing reason), Conflict (closed
    case), TransitionNotAllowed (not from this chevron or not for this workflow)."""
    _require_staff(actor, case, doing="move cases along their chevrons")
    spec = STAFF_TRANSITIONS.get(transition)
    if spec is None:
        if transition in ALL_TRANSITIONS:
            raise errors.ValidationError(
                fields={"transition": [f"“{ALL_TRANSITIONS[transition]}” is not something staff do by hand."]}
            )
        raise errors.ValidationError(fields={"transition": [f"There is no move called “{transition}”."]})
    text = _reason(reason, required=spec.needs_reason, what=spec.label.lower())
    case = lock_case(case)
    ensure_case_open(actor, case, doing="change its status")
    if case.workflow == Workflow.RENTAL_LANDLORD and case.parent_id and transition != "close_duplicate":
        raise errors.Conflict(
            f"{case.number} is matched with tenant case {case.parent}; work the tenant case and the "
            "landlord case follows it."
        )
    with audited(actor=actor, action=f"case_{transition}"):
        _apply(case, transition, actor=actor, reason=text)
        if case.workflow == Workflow.RENTAL_TENANT and transition in _LANDLORD_FOLLOWS:
            landlord = _live_landlord_case(case)
            if landlord is not None:
                _apply(landlord, transition, actor=actor, reason=text)
    return case


# --- rental assistance: submit, match, send back, withdraw ---------------------------------------


def _match_candidate(case: Case) -> tuple[Case, Case] | None:
    """The (tenant, landlord) pair `case` can be matched into now, or None."""
    if case.workflow == Workflow.RENTAL_TENANT:
        landlord = (
            Case.objects.filter(workflow=Workflow.RENTAL_LANDLORD, status=Status.APPLICATION_MATCH)
            .filter(_claims_on(case))
            .order_by("submitted_at", "pk")
            .first()
        )
        return (case, landlord) if landlord else None
    tenant = case.parent
    if tenant is None:
        quoted_each_other = Q(application_code=case.claimed_application_code) if case.claimed_application_code else Q()
        quoted_each_other |= Q(claimed_application_code=case.application_code)
        tenant = (
            Case.objects.filter(workflow=Workflow.RENTAL_TENANT, status=Status.APPLICATION_MATCH)
            .filter(quoted_each_other)
            .order_by("submitted_at", "pk")
            .first()
        )
    if tenant is not None and tenant.status == Status.APPLICATION_MATCH:
        return tenant, case
    return None


def _claims_on(tenant: Case) -> Q:
    """Landlord applications for `tenant`: linked to it, quoting its code, or quoted by it."""
    unlinked = Q(parent__isnull=True, claimed_application_code=tenant.application_code)
    if tenant.claimed_application_code:
        unlinked |= Q(parent__isnull=True, application_code=tenant.claimed_application_code)
    return Q(parent=tenant) | unlinked


@transaction.atomic
def case_submit(*, actor: User, case: Case, signed_name: str) -> Case:
    """The applicant signs and submits their application: Draft → Application match. If the other
    side's application is waiting in Application match, the two are matched at once (both move
    to Chaser). Who: the case's applicant only; staff cannot move a case out of draft.

    Raises PermissionDenied, ValidationError (no signature), TransitionNotAllowed."""
    if actor is None or not is_case_applicant(actor, case):
        raise errors.PermissionDenied(
            "Only the applicant can sign and submit an application; staff cannot move a case out of draft."
        )
    name = clean_text(signed_name)
    if not name:
        raise errors.ValidationError(fields={"signed_name": ["Type your full name to sign the application."]})
    case = lock_case(case)
    if case.is_closed:
        raise errors.Conflict(f"Application {case.number} is closed and can no longer be submitted.")
    with audited(actor=actor, action="case_submit"):
        case.signed_name = name
        case.submitted_at = timezone.now()
        _apply(case, "submit", actor=actor)
        pair = _match_candidate(case)
        if pair is not None:
            _match(tenant=pair[0], landlord=pair[1], actor=actor, automatic=True)
    return case


@transaction.atomic
def case_match(*, actor: User | None, tenant_case: Case, landlord_case: Case) -> tuple[Case, Case]:
    """Match a tenant application with a landlord application (staff, when the landlord did not
    quote the tenant's code). Only when both are in Application match; both then move to Chaser.
    Any other landlord applications for the same tenant case are closed as duplicates and
    unlinked from it.

    Raises PermissionDenied, ValidationError (wrong kinds of case), TransitionNotAllowed."""
    _require_staff(actor, tenant_case, doing="match applications")
    if tenant_case.workflow != Workflow.RENTAL_TENANT:
        raise errors.ValidationError(fields={"tenant_case": [f"{tenant_case.number} is not a tenant application."]})
    if landlord_case.workflow != Workflow.RENTAL_LANDLORD:
        raise errors.ValidationError(
            fields={"landlord_case": [f"{landlord_case.number} is not a landlord application."]}
        )
    # Lock in id order so two matches touching the same cases cannot deadlock.
    first, second = sorted([tenant_case, landlord_case], key=lambda c: c.pk)
    locked = {c.pk: lock_case(c) for c in (first, second)}
    tenant, landlord = locked[tenant_case.pk], locked[landlord_case.pk]
    with audited(actor=actor, action="case_match"):
        _match(tenant=tenant, landlord=landlord, actor=actor, automatic=False)
    return tenant, landlord


def _match(*, tenant: Case, landlord: Case, actor: User | None, automatic: bool) -> None:
    for case in (tenant, landlord):
        if case.status != Status.APPLICATION_MATCH:
            raise errors.TransitionNotAllowed(
                f"Applications are matched only when both are in Application match; {case.number} is at "
                f"{_status_label(case.status)}."
            )
    if landlord.parent_id not in (None, tenant.pk):
        raise errors.Conflict(f"{landlord.number} is already linked to tenant case {landlord.parent}.")
    extras = (
        Case.objects.select_for_update(of=("self",))
        .filter(workflow=Workflow.RENTAL_LANDLORD)
        .filter(_claims_on(tenant))
        .exclude(pk=landlord.pk)
        .exclude(status=Status.CLOSED)
    )
    for extra in extras:
        extra.parent = None
        _apply(
            extra,
            "close_duplicate",
            actor=actor,
            reason=f"Tenant case {tenant.number} was matched with {landlord.number}.",
        )
    landlord.parent = tenant
    how = "automatically (application code)" if automatic else "by staff"
    with constraint_errors(
        {"casework_case_one_live_landlord_case": ("landlord_case", "This tenant case already has a landlord case.")}
    ):
        _apply(landlord, "match", actor=actor, reason=f"Matched with tenant case {tenant.number} {how}.")
    _apply(tenant, "match", actor=actor, reason=f"Matched with landlord case {landlord.number} {how}.")
    for case, other in ((tenant, landlord), (landlord, tenant)):
        feed_record(
            case=case,
            kind=CaseActivity.Kind.MATCHED,
            actor=actor,
            summary=f"Matched with {other.number}",
            data={"other_case": other.pk, "automatic": automatic},
        )


@transaction.atomic
def case_send_back_to_draft(*, actor: User | None, case: Case, reason: str) -> Case:
    """The chaser returns an application to its applicant for action (Chaser → Draft), with a
    reason the applicant is told. The other half of the pair goes back to Application match to
    wait for the resubmission. Who: staff.

    Raises PermissionDenied, ValidationError (no reason), Conflict, TransitionNotAllowed."""
    _require_staff(actor, case, doing="send applications back to draft")
    text = _reason(reason, required=True, what="send the application back")
    case = lock_case(case)
    ensure_case_open(actor, case, doing="send it back to draft")
    with audited(actor=actor, action="case_send_back_to_draft"):
        linked = _linked_case(case)
        _apply(case, "send_back_to_draft", actor=actor, reason=text)
        if linked is not None and linked.status == Status.CHASER:
            _apply(
                linked,
                "return_to_application_match",
                actor=actor,
                reason=f"{case.number} was sent back to draft for the applicant's action.",
            )
        if case.applicant is not None:
            notify(
                recipients=[case.applicant],
                kind=Notification.Kind.CASE_SENT_BACK,
                message=f"Your application {case.number} needs more information: {text}",
                case=case,
            )
    return case


@transaction.atomic
def case_withdraw(*, actor: User, case: Case, reason: str = "") -> Case:
    """The applicant withdraws their application (possible up to and including Reviewer). A
    withdrawn tenant application takes its landlord application with it; a withdrawn landlord
    application sends its tenant case back to Application match to wait for a landlord.
    Who: the applicant, or staff recording a withdrawal the applicant asked for (reason needed).

    Raises PermissionDenied, ValidationError, TransitionNotAllowed."""
    staff = is_staff_member(actor)
    if not (staff or is_case_applicant(actor, case)):
        raise errors.PermissionDenied("Only the applicant (or staff on their behalf) can withdraw an application.")
    text = _reason(reason, required=staff, what="record the withdrawal")
    case = lock_case(case)
    if case.is_closed:
        raise errors.Conflict(f"Application {case.number} is already closed.")
    with audited(actor=actor, action="case_withdraw"):
        linked = _linked_case(case)
        _apply(case, "withdraw", actor=actor, reason=text)
        if linked is not None and not linked.is_closed:
            if case.workflow == Workflow.RENTAL_TENANT:
                _apply(linked, "withdraw", actor=actor, reason=f"Tenant application {case.number} was withdrawn.")
            elif linked.status == Status.CHASER:
                _apply(
                    linked,
                    "return_to_application_match",
                    actor=actor,
                    reason=f"Landlord application {case.number} was withdrawn.",
                )
    return case


# --- appeals, reopening, flags and owners ----------------------------------------------------------


@transaction.atomic
def case_appeal(*, actor: User, case: Case, grounds: str) -> Case:
    """Appeal a denial: opens an appeal case (child of the denied case) and a task for the
    appeals team to review it. An applicant may appeal a denial once.
    Who: the applicant, or staff on their behalf.

    Raises PermissionDenied, ValidationError (no grounds), Conflict (not denied, already
    appealed, no appeal case type configured)."""
    if not (is_staff_member(actor) or is_case_applicant(actor, case)):
        raise errors.PermissionDenied("Only the applicant (or staff on their behalf) can appeal a decision.")
    text = (grounds or "").strip()
    if not text:
        raise errors.ValidationError(fields={"grounds": ["Say why the decision should be looked at again."]})
    case = lock_case(case)
    if not (case.is_closed and case.closure_stage == ClosureStage.DENIED):
        raise errors.Conflict(f"Only a denied application can be appealed; {case.number} is not denied.")
    previous = case.children.filter(workflow=Workflow.APPEAL).first()
    if previous is not None:
        raise errors.Conflict(
            f"The decision on {case.number} has already been appealed ({previous.number}); "
            "a denial can be appealed once."
        )
    appeal_type = CaseType.objects.filter(workflow=Workflow.APPEAL, is_active=True).order_by("pk").first()
    if appeal_type is None:
        raise errors.Conflict("Appeals are not set up: a supervisor needs to add an appeal case type.")
    appeal = Case(
        case_type=appeal_type,
        parent=case,
        contact=case.contact,
        applicant=case.applicant,
        tenancy=case.tenancy,
        property=case.property,
        description=text,
        source=Source.PORTAL if not is_staff_member(actor) else Source.PHONE,
    )
    appeal.stamp(actor)
    team = Team.objects.filter(code=settings.CASEWORK_APPEALS_TEAM).first()
    with audited(actor=actor, action="case_appeal"):
        with constraint_errors({"casework_case_one_appeal": ("case", "This decision has already been appealed.")}):
            appeal.save()
        feed_record(case=appeal, kind=CaseActivity.Kind.CREATED, actor=actor, summary=f"Appeal against {case.number}")
        feed_record(
            case=case, kind=CaseActivity.Kind.APPEAL, actor=actor, summary=f"Appealed: {appeal.number}", reason=text
        )
        review = Task(
            case=appeal,
            kind=Task.Kind.APPEAL_REVIEW,
            subject=f"Review appeal {appeal.number} against the denial of {case.number}",
            description=text,
            assignee_team=team,
        )
        review.stamp(actor)
        review.save()
        clocks_on_task_created(review, now=review.created_at)
        feed_record(case=appeal, kind=CaseActivity.Kind.TASK_CREATED, actor=actor, summary=review.subject, task=review)
        if team is not None:
            notify(
                recipients=team.members.all(),
                kind=Notification.Kind.TASK_ASSIGNED,
                message=review.subject,
                case=appeal,
                task=review,
            )
        signals.case_created.send(sender=Case, case=appeal, actor=actor)
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User | None, appeal: Case, overturn: bool, reason: str) -> Case:
    """Record the appeal's outcome. Upheld: the denial stands. Overturned: the original case is
    reopened at the chevron it was denied from, for the decision to be made again.
    Who: staff. Raises PermissionDenied, ValidationError, TransitionNotAllowed."""
    _require_staff(actor, appeal, doing="decide appeals")
    text = _reason(reason, required=True, what="record the appeal decision")
    appeal = lock_case(appeal)
    if appeal.workflow != Workflow.APPEAL:
        raise errors.ValidationError(fields={"appeal": [f"{appeal.number} is not an appeal."]})
    with audited(actor=actor, action="appeal_decide"):
        if appeal.status == Status.LODGED:
            _apply(appeal, "start_review", actor=actor)
        _apply(appeal, "overturn" if overturn else "uphold", actor=actor, reason=text)
        if overturn and appeal.parent_id:
            original = lock_case(appeal.parent)
            if original.is_closed:
                _apply(
                    original, "reopen", actor=actor, reason=f"Appeal {appeal.number} overturned the decision: {text}"
                )
    return appeal


@transaction.atomic
def case_reopen(*, actor: User | None, case: Case, reason: str) -> Case:
    """Reopen a closed case at the chevron it closed from. Who: supervisors. A reason is required.
    Raises PermissionDenied, ValidationError, TransitionNotAllowed."""
    if actor is not None and not can_change_closed_case(actor):
        raise errors.PermissionDenied("Only a supervisor can reopen a closed case.")
    text = _reason(reason, required=True, what="reopen the case")
    case = lock_case(case)
    with audited(actor=actor, action="case_reopen"):
        _apply(case, "reopen", actor=actor, reason=text)
    return case


@transaction.atomic
def case_flag_fraud(*, actor: User | None, case: Case, suspected: bool, reason: str) -> Case:
    """Set or clear the suspected-fraud flag (a flag for investigation, never a closure stage).
    Who: staff; a closed case only a supervisor. Raises PermissionDenied, ValidationError, Conflict."""
    _require_staff(actor, case, doing="flag cases")
    text = _reason(reason, required=True, what="change the fraud flag")
    case = lock_case(case)
    ensure_case_open(actor, case, doing="change its flags")
    if case.suspected_fraud == suspected:
        return case
    case.suspected_fraud = suspected
    case.stamp(actor)
    with audited(actor=actor, action="case_flag_fraud"):
        case.save()
        feed_record(
            case=case,
            kind=CaseActivity.Kind.FLAG,
            actor=actor,
            summary="Flagged: suspected fraud" if suspected else "Suspected-fraud flag cleared",
            reason=text,
        )
    return case


def queue_label(queue: Queue) -> str:
    """ "the Back office queue" (or "the Back-office queue" when the name says it already)."""
    return f"the {queue.name}" if queue.name.lower().endswith("queue") else f"the {queue.name} queue"


def _owner_label(owner: User | None, queue: Queue | None) -> str:
    if owner is not None:
        return str(owner)
    if queue is not None:
        return queue_label(queue)
    return "nobody"


def case_owner_apply(
    *, actor: User | None, case: Case, owner: User | None = None, queue: Queue | None = None, reason: str = ""
) -> None:
    """The one way a case's owner changes: make `owner` (a person), `queue`, or nobody (released
    for routing) its owner, record it on the feed and send casework.signals.case_owner_changed.
    For services only: the caller has locked the case (lock_case), checked who is acting and is
    inside its transaction and audit context."""
    previous_owner, previous_queue = case.owner, case.owner_queue
    case.owner, case.owner_queue = owner, queue
    case.stamp(actor)
    case.save(update_fields=["owner", "owner_queue", "updated_at", "updated_by"])
    feed_record(
        case=case,
        kind=CaseActivity.Kind.OWNER_CHANGED,
        actor=actor,
        summary=f"Owner changed from {_owner_label(previous_owner, previous_queue)} to {_owner_label(owner, queue)}",
        reason=reason,
        data={
            "from_owner": previous_owner.pk if previous_owner else None,
            "from_queue": previous_queue.pk if previous_queue else None,
            "to_owner": owner.pk if owner else None,
            "to_queue": queue.pk if queue else None,
        },
    )
    signals.case_owner_changed.send(
        sender=Case, case=case, actor=actor, previous_owner=previous_owner, previous_queue=previous_queue
    )


@transaction.atomic
def case_owner_set(
    *, actor: User | None, case: Case, owner: User | None = None, queue: Queue | None = None, reason: str = ""
) -> Case:
    """Give a case to a person or a queue (manual assignment). Who: staff; closed cases refused.
    Raises PermissionDenied, ValidationError, Conflict."""
    _require_staff(actor, case, doing="assign cases")
    if (owner is None) == (queue is None):
        raise errors.ValidationError(fields={"owner": ["Choose either a person or a queue to own the case."]})
    if owner is not None and not is_staff_member(owner):
        raise errors.ValidationError(fields={"owner": ["The owner must be an active member of staff."]})
    case = lock_case(case)
    ensure_case_open(actor, case, doing="reassign it")
    if case.owner_id == getattr(owner, "pk", None) and case.owner_queue_id == getattr(queue, "pk", None):
        return case
    with audited(actor=actor, action="case_owner_set"):
        case_owner_apply(actor=actor, case=case, owner=owner, queue=queue, reason=(reason or "").strip())
    return case


@transaction.atomic
def case_owner_release(*, actor: User | None, case: Case, reason: str = "") -> Case:
    """Leave a case with no owner, for dynamic routing to offer it ("release to the queue").
    Who: staff; closed cases refused. Raises PermissionDenied, Conflict."""
    _require_staff(actor, case, doing="release cases")
    case = lock_case(case)
    ensure_case_open(actor, case, doing="release it")
    if case.owner_id is None and case.owner_queue_id is None:
        return case
    with audited(actor=actor, action="case_owner_release"):
        case_owner_apply(actor=actor, case=case, reason=(reason or "").strip() or "Released for routing")
    return case
