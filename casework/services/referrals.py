"""Referrals: a case referred to another team (the support SOP's "case assignment") with a
reason, an optional subtype and comments. The team's members are told; one of them accepts it,
and completes it when their part is done. Every function is one transaction, locks the case,
checks who is acting, records the step on the case's feed and runs under an audit context.
actor None means the system (demo data, imports, jobs).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from casework.models import (
    NOTE_MAX_LENGTH,
    Case,
    CaseActivity,
    Notification,
    Queue,
    Referral,
    ReferralReason,
    ReferralSubtype,
    Team,
)
from casework.permissions import can_act_on_referral, can_work_case
from casework.services.cases import case_owner_apply
from casework.services.common import ensure_case_open, lock_case, raise_if, require
from casework.services.feed import feed_record
from casework.services.notifications import notify
from core import errors
from core.audit import audited
from core.models import User

LIVE = (Referral.Status.OPEN, Referral.Status.ACCEPTED)


def _choice_errors(
    *, team: Team, reason: ReferralReason, subtype: ReferralSubtype | None, to_queue: Queue | None, comments: str
) -> dict[str, list[str]]:
    field_errors: dict[str, list[str]] = {}
    if reason.team_id != team.pk:
        field_errors["reason"] = [f"“{reason.name}” is not one of {team.name}'s referral reasons."]
    elif not reason.is_active:
        field_errors["reason"] = [f"“{reason.name}” is no longer in use; choose another reason."]
    if subtype is not None:
        if subtype.reason_id != reason.pk:
            field_errors["subtype"] = [f"“{subtype.name}” is not a subtype of “{reason.name}”."]
        elif not subtype.is_active:
            field_errors["subtype"] = [f"“{subtype.name}” is no longer in use; choose another subtype."]
    if to_queue is not None and to_queue.team_id != team.pk:
        field_errors["to_queue"] = [f"The queue “{to_queue.name}” belongs to another team, not {team.name}."]
    if not comments:
        field_errors["comments"] = ["Say what the team needs to do."]
    elif len(comments) > NOTE_MAX_LENGTH:
        field_errors["comments"] = [f"Keep the comments to {NOTE_MAX_LENGTH} characters; {len(comments)} given."]
    return field_errors


@transaction.atomic
def referral_create(
    *,
    actor: User | None,
    case: Case,
    team: Team,
    reason: ReferralReason,
    subtype: ReferralSubtype | None = None,
    comments: str,
    to_queue: Queue | None = None,
) -> Referral:
    """Refer `case` to `team` for `reason` (one of the team's active reasons) and `subtype` (one
    of that reason's), with comments saying what is needed. The team's members are notified. With
    `to_queue` (one of the team's queues) the case is also handed to that queue: its owner is
    cleared and the queue owns it until someone in the team takes it.
    Who: staff who may work the case. Raises PermissionDenied; Conflict for a closed case or a
    live (open or accepted) referral to the same team for the same reason; ValidationError
    (fields "reason", "subtype", "to_queue", "comments") for choices that do not belong together,
    retired picklist entries or missing comments."""
    case = lock_case(case)
    require(actor, lambda user: can_work_case(user, case), "Only staff can refer cases to a team.")
    ensure_case_open(actor, case, doing="refer it to a team")
    comments = (comments or "").strip()
    raise_if(_choice_errors(team=team, reason=reason, subtype=subtype, to_queue=to_queue, comments=comments))
    duplicate = case.referrals.filter(team=team, reason=reason, status__in=LIVE).first()
    if duplicate is not None:
        raise errors.Conflict(
            f"Case {case.number} already has an {duplicate.get_status_display().lower()} referral to {team.name} "
            f"for “{reason.name}”; add a note to it instead of referring again."
        )

    referral = Referral(case=case, team=team, reason=reason, subtype=subtype, comments=comments)
    referral.stamp(actor)
    what = reason.name + (f" / {subtype.name}" if subtype else "")
    with audited(actor=actor, action="referral_create"):
        referral.save()
        _feed(actor=actor, case=case, referral=referral, summary=f"Referred to {team.name}: {what}", reason=comments)
        if to_queue is not None and case.owner_queue_id != to_queue.pk:
            case_owner_apply(actor=actor, case=case, queue=to_queue, reason=f"Referred to {team.name}: {what}")
        notify(
            recipients=team.members.exclude(pk=getattr(actor, "pk", None)),
            kind=Notification.Kind.REFERRAL,
            message=f"Case {case.number} was referred to {team.name}: {what}.",
            case=case,
        )
    return referral


def _feed(*, actor: User | None, case: Case, referral: Referral, summary: str, reason: str) -> None:
    feed_record(
        case=case,
        kind=CaseActivity.Kind.REFERRAL,
        actor=actor,
        summary=summary,
        reason=reason,
        data={"referral": referral.pk, "team": referral.team_id, "status": referral.status},
    )


def _lock(referral: Referral) -> tuple[Case, Referral]:
    # The case first, then the referral: the same order as every other case change.
    case = lock_case(referral.case)
    return case, Referral.objects.select_for_update(of=("self",)).select_related("team", "reason").get(pk=referral.pk)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M") if moment else "earlier"


def _record_step(*, actor: User | None, case: Case, referral: Referral, verb: str, reason: str = "") -> None:
    """Save the referral's new status, put it on the feed and tell whoever made the referral."""
    summary = f"{actor or 'The system'} {verb} the referral to {referral.team.name} ({referral.reason.name}) on {case}"
    action = f"referral_{'accept' if referral.status == Referral.Status.ACCEPTED else 'complete'}"
    referral.stamp(actor)
    with audited(actor=actor, action=action):
        referral.save()
        _feed(actor=actor, case=case, referral=referral, summary=summary, reason=reason)
        if referral.created_by_id is not None and referral.created_by != actor:
            notify(recipients=[referral.created_by], kind=Notification.Kind.REFERRAL, message=summary, case=case)


@transaction.atomic
def referral_accept(*, actor: User | None, referral: Referral) -> Referral:
    """A member of the referral's team takes it on: open → accepted. Whoever made the referral
    is told. Who: members of the team. Raises PermissionDenied; Conflict if the referral is not
    open (already accepted or completed) or the case is closed."""
    case, referral = _lock(referral)
    team = referral.team
    require(actor, lambda user: can_act_on_referral(user, referral), f"Only members of {team.name} can accept it.")
    ensure_case_open(actor, case, doing="accept a referral on it")
    if referral.status != Referral.Status.OPEN:
        by = referral.accepted_by or "the system"
        raise errors.Conflict(
            f"This referral to {team.name} was already accepted by {by} on {_when(referral.accepted_at)}."
            if referral.status == Referral.Status.ACCEPTED
            else f"This referral to {team.name} is already completed."
        )
    referral.accept(actor=actor)
    _record_step(actor=actor, case=case, referral=referral, verb="accepted")
    return referral


@transaction.atomic
def referral_complete(*, actor: User | None, referral: Referral, comments: str = "") -> Referral:
    """The team's part is done: accepted → completed, with optional comments on what was done
    (kept on the case's feed). Whoever made the referral is told. Who: members of the team.
    Raises PermissionDenied; Conflict if the referral has not been accepted yet or is already
    completed, or the case is closed; ValidationError (field "comments") for over-long comments."""
    case, referral = _lock(referral)
    team = referral.team
    require(actor, lambda user: can_act_on_referral(user, referral), f"Only members of {team.name} can complete it.")
    ensure_case_open(actor, case, doing="complete a referral on it")
    comments = (comments or "").strip()
    if len(comments) > NOTE_MAX_LENGTH:
        raise errors.ValidationError(
            fields={"comments": [f"Keep the comments to {NOTE_MAX_LENGTH} characters; {len(comments)} given."]}
        )
    if referral.status == Referral.Status.OPEN:
        raise errors.Conflict(f"This referral to {team.name} has not been accepted yet: accept it, then complete it.")
    if referral.status == Referral.Status.COMPLETED:
        raise errors.Conflict(
            f"This referral to {team.name} was already completed by {referral.completed_by or 'the system'} "
            f"on {_when(referral.completed_at)}."
        )
    referral.complete(actor=actor)
    _record_step(actor=actor, case=case, referral=referral, verb="completed", reason=comments)
    return referral
