"""What an applicant is told about where their case is: the chevrons in applicant words, not the
staff's (a tenant has no idea what a "chaser" is). The status slice adds what is needed from them
and the full chevron view; this is the one-line version the home page lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from casework.models import Case

S = Case.Status
C = Case.ClosureStage

STATUS_WORDS = {
    S.DRAFT: _("Not sent yet"),
    S.APPLICATION_MATCH: _("Sent: waiting to be matched with the other application"),
    S.CHASER: _("Being checked"),
    S.CASE_MANAGER: _("Being assessed"),
    S.REVIEWER: _("Decision being made"),
    S.PAYMENT: _("Approved: payment being arranged"),
    S.LODGED: _("Appeal received"),
    S.UNDER_REVIEW: _("Appeal being reviewed"),
}

CLOSED_WORDS = {
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

# GOV.UK tag colours: grey waiting on the applicant, blue with us, green good news, red bad.
STATUS_COLOURS = {S.DRAFT: "grey", S.PAYMENT: "green"}
CLOSED_COLOURS = {C.PAID: "green", C.OVERTURNED: "green", C.DENIED: "red", C.INELIGIBLE: "red", C.UPHELD: "red"}


def applicant_status(case: Case) -> str:
    """The case's status in applicant words."""
    if case.status == S.CLOSED:
        return str(CLOSED_WORDS.get(case.closure_stage, _("Closed")))
    return str(STATUS_WORDS.get(case.status, _("In progress")))


def applicant_status_colour(case: Case) -> str:
    if case.status == S.CLOSED:
        return CLOSED_COLOURS.get(case.closure_stage, "grey")
    return STATUS_COLOURS.get(case.status, "blue")
