"""What an applicant is told about where their case is: the chevrons in applicant words, not the
staff's (a tenant has no idea what a "chaser" is).

- `applicant_status(case)`: the one-line status the home page and the application's page show
  (a tenant waits for "your landlord's application", a landlord for "your tenant's").
- `applicant_steps(case)`: the application's chevrons as a step list (done, current, not
  started), with a sentence about the current step.
- `activity_words(activity, case)`: one line of the applicant's timeline (only for the kinds the
  portal shows: portal.selectors.status.TIMELINE_KINDS).

Every word here is translatable; the staff's chevron labels (casework.models.cases) are not
shown to applicants."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from casework.models import Case

S = Case.Status
C = Case.ClosureStage
W = Case.Workflow

STATUS_WORDS: dict[str, Any] = {
    S.DRAFT: _("Not sent yet"),
    S.APPLICATION_MATCH: _("Sent: waiting to be matched with the other application"),
    S.CHASER: _("Being checked"),
    S.CASE_MANAGER: _("Being assessed"),
    S.REVIEWER: _("Decision being made"),
    S.PAYMENT: _("Approved: payment being arranged"),
    S.LODGED: _("Appeal received"),
    S.UNDER_REVIEW: _("Appeal being reviewed"),
}

# Waiting in application_match reads differently for each side of the pair.
MATCH_WORDS: dict[str, Any] = {
    W.RENTAL_TENANT: _("Waiting for your landlord's application"),
    W.RENTAL_LANDLORD: _("Waiting for your tenant's application"),
}

CLOSED_WORDS: dict[str, Any] = {
    C.PAID: _("Paid"),
    C.DENIED: _("Not approved"),
    C.WITHDRAWN: _("Withdrawn"),
    C.DUPLICATE: _("Closed: this was a second copy of another application"),
    C.TIMED_OUT: _("Closed: we did not hear back in time"),
    C.INELIGIBLE: _("Not eligible"),
    C.RESOLVED: _("Closed"),
    C.UPHELD: _("Appeal decided: the decision stands"),
    C.OVERTURNED: _("Appeal decided: the decision was changed"),
}

# What each step of the list is called (the thing that happens there), per workflow.
RENTAL_STEPS: dict[str, Any] = {
    S.DRAFT: _("Fill in and submit the application"),
    S.CHASER: _("We check the application"),
    S.CASE_MANAGER: _("We assess the application"),
    S.REVIEWER: _("We check the decision"),
    S.PAYMENT: _("Payment is arranged"),
    S.CLOSED: _("Application closed"),
}
MATCH_STEPS: dict[str, Any] = {
    W.RENTAL_TENANT: _("Your landlord sends their application"),
    W.RENTAL_LANDLORD: _("Your tenant sends their application"),
}
APPEAL_STEPS: dict[str, Any] = {
    S.LODGED: _("We receive your appeal"),
    S.UNDER_REVIEW: _("Someone new reviews the decision"),
    S.CLOSED: _("Appeal decided"),
}

# A sentence under the current step: what is happening and who is waiting on whom.
STEP_HINTS: dict[str, Any] = {
    S.DRAFT: _("Your application has not been submitted yet. Nothing happens until you sign and submit it."),
    S.CHASER: _("We are checking your application and documents. We will contact you if we need anything else."),
    S.CASE_MANAGER: _("A case manager is assessing your application."),
    S.REVIEWER: _("A reviewer is checking the decision on your application."),
    S.PAYMENT: _("Your application has been approved. We are arranging the payment."),
    S.LODGED: _("We have received your appeal. Someone who did not make the first decision will review it."),
    S.UNDER_REVIEW: _("Your appeal is being reviewed."),
}
MATCH_HINTS: dict[str, Any] = {
    W.RENTAL_TENANT: _(
        "We have your application. We are waiting for your landlord to apply with your application code."
    ),
    W.RENTAL_LANDLORD: _("We have your application. We are waiting for your tenant's application to match it with."),
}

# GOV.UK tag colours: grey waiting on the applicant, blue with us, green good news, red bad.
STATUS_COLOURS: dict[str, str] = {S.DRAFT: "grey", S.PAYMENT: "green"}
CLOSED_COLOURS: dict[str, str] = {
    C.PAID: "green",
    C.OVERTURNED: "green",
    C.DENIED: "red",
    C.INELIGIBLE: "red",
    C.UPHELD: "red",
}


def closed_words(stage: str) -> str:
    return str(CLOSED_WORDS.get(stage, _("Closed")))


def status_words(status: str, workflow: str, closure_stage: str = "") -> str:
    """A status in applicant words, for a case of `workflow` (a timeline entry names a past one)."""
    if status == S.CLOSED:
        return closed_words(closure_stage)
    if status == S.APPLICATION_MATCH and workflow in MATCH_WORDS:
        return str(MATCH_WORDS[workflow])
    return str(STATUS_WORDS.get(status, _("In progress")))


def applicant_status(case: Case) -> str:
    """The case's status in applicant words."""
    return status_words(case.status, case.workflow, case.closure_stage)


def applicant_status_colour(case: Case) -> str:
    if case.status == S.CLOSED:
        return CLOSED_COLOURS.get(case.closure_stage, "grey")
    return STATUS_COLOURS.get(case.status, "blue")


def _step_name(status: str, workflow: str) -> str:
    if workflow == W.APPEAL:
        return str(APPEAL_STEPS.get(status, _("In progress")))
    if status == S.APPLICATION_MATCH:
        return str(MATCH_STEPS.get(workflow, _("The other application arrives")))
    return str(RENTAL_STEPS.get(status, _("In progress")))


def applicant_steps(case: Case) -> list[dict]:
    """The case's chevrons as steps: each with `label`, `state` ("done", "current", "to_do" or
    "stopped": the step a closed case closed at without finishing it) and, for the current one,
    a `hint`. A closed case's last step is named by why it closed (Paid, Withdrawn, ...)."""
    chevrons = case.chevrons
    if case.is_closed:
        stopped_at = case.status_before_close
        # Paid and appeal outcomes finish every step; any other closing stops where it happened.
        finished = case.closure_stage in (C.PAID, C.UPHELD, C.OVERTURNED) or stopped_at not in chevrons
        cut = chevrons.index(stopped_at) if stopped_at in chevrons else len(chevrons) - 1
        steps = []
        for i, status in enumerate(chevrons[:-1]):
            state = "done" if (finished or i < cut) else "stopped" if i == cut else "to_do"
            steps.append({"status": status, "label": _step_name(status, case.workflow), "state": state})
        steps.append({"status": S.CLOSED, "label": applicant_status(case), "state": "current", "hint": ""})
        return steps
    current = chevrons.index(case.status) if case.status in chevrons else -1
    steps = []
    for i, status in enumerate(chevrons):
        state = "done" if i < current else "current" if i == current else "to_do"
        step = {"status": status, "label": _step_name(status, case.workflow), "state": state}
        if state == "current":
            hint = MATCH_HINTS.get(case.workflow) if status == S.APPLICATION_MATCH else STEP_HINTS.get(status)
            step["hint"] = str(hint or "")
        steps.append(step)
    return steps


def activity_words(activity, case: Case) -> str:
    """One line of the applicant's timeline for `activity` (a CaseActivity of a kind the portal
    shows), in applicant words. Never the staff's summary: it can name people, other cases and
    internal reasons."""
    kind = activity.kind
    K = type(activity).Kind
    if kind == K.CREATED:
        return str(_("Appeal received") if case.workflow == W.APPEAL else _("Application started"))
    if kind == K.MATCHED:
        if case.workflow == W.RENTAL_LANDLORD:
            return str(_("Matched with your tenant's application"))
        return str(_("Matched with your landlord's application"))
    if kind == K.DOCUMENT_ADDED:
        name = activity.document.original_name if activity.document_id and activity.document else ""
        return (
            str(_("You uploaded a document: %(name)s") % {"name": name}) if name else str(_("You uploaded a document"))
        )
    if kind == K.APPEAL:
        return str(_("You appealed the decision"))
    if kind == K.STATUS_CHANGED:
        frm, to = activity.from_status, activity.to_status
        if frm == S.DRAFT and to == S.APPLICATION_MATCH:
            return str(_("Application submitted"))
        if frm == S.CHASER and to == S.DRAFT:
            return str(_("Sent back to you for more information"))
        if to == S.CLOSED:
            stage = (activity.data or {}).get("closure_stage", "")
            return closed_words(stage)
        if frm == S.CLOSED:
            return str(_("Reopened: %(words)s") % {"words": status_words(to, case.workflow)})
        return str(_("Now: %(words)s") % {"words": status_words(to, case.workflow)})
    return ""
