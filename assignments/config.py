"""Writes for the router's configuration, kept by supervisors: which skills each case type needs on
each chevron (routing rules), the reasons staff may give when they decline an offer, and the
router's tunables (offer timeout, flood guard). Every function is one transaction, checks who is
acting (None means the system: demo data, jobs) and runs under an audit context.

The admin validates with the same rules (routing_rule_errors), so a rule refused here is refused
there in the same words."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from assignments import routing
from assignments.models import DeclineReason, RoutingRule, RoutingSettings, Skill
from assignments.permissions import can_manage_routing
from casework.models import WORKFLOWS, CaseType, Status
from casework.services.common import full_clean
from core import errors
from core.audit import audited
from core.models import User

TIMEOUT_RANGE = (1, 1440)  # minutes: one minute to one day
FLOOD_GUARD_RANGE = (1, 1000)  # new offers per person per minute


def _require_supervisor(actor: User | None, doing: str) -> None:
    if actor is not None and not can_manage_routing(actor):
        raise errors.PermissionDenied(f"Only supervisors can {doing}.")


def routable_statuses(case_type: CaseType) -> list[str]:
    """The chevrons of the case type's workflow a routing rule may name: all but closed."""
    return [status for status in WORKFLOWS.get(case_type.workflow, ()) if status != Status.CLOSED]


def routing_rule_errors(
    *, case_type: CaseType | None, status: str, skills: Iterable[Skill], programme_skill: Skill | None, held=()
) -> dict[str, list[str]]:
    """Per-field reasons a routing rule cannot be saved ({} when it can). `held` are the skills the
    rule already requires: an inactive skill may stay on a rule but not be newly added to one."""
    found: dict[str, list[str]] = {}
    if case_type is not None:
        allowed = routable_statuses(case_type)
        if status == Status.CLOSED:
            found["status"] = ["A closed case is never routed: choose an open chevron."]
        elif status not in allowed:
            labels = ", ".join(Status(s).label for s in allowed)
            found["status"] = [f"{status!r} is not a chevron of {case_type.name}: choose one of {labels}."]
    held_ids = {skill.pk for skill in held}
    inactive = sorted(skill.code for skill in skills if not skill.is_active and skill.pk not in held_ids)
    if inactive:
        found["skills"] = [f"Inactive skills cannot be required: {', '.join(inactive)}."]
    if programme_skill is not None:
        if programme_skill.category != Skill.Category.PROGRAMME:
            found["programme_skill"] = [f"{programme_skill.code} is not a programme skill."]
        elif not programme_skill.is_active:
            found["programme_skill"] = [f"{programme_skill.code} is inactive."]
    return found


@transaction.atomic
def routing_rule_set(
    *,
    actor: User | None,
    case_type: CaseType,
    status: str,
    skills: Iterable[Skill],
    programme_skill: Skill | None = None,
    require_patch: bool = False,
    require_language: bool = True,
    is_active: bool = True,
) -> RoutingRule:
    """Make the case type's chevron `status` need exactly these skills (creating its routing rule,
    or replacing the one there is). Cases already waiting keep the skills they were routed with
    until the router next looks at them.

    Who: supervisors and administrators (or the system).
    Raises PermissionDenied for anyone else; ValidationError when the status is not an open
    chevron of the case type's workflow, a newly required skill is inactive, or the programme
    skill is not an active programme skill.
    """
    _require_supervisor(actor, "change routing rules")
    skills = list(skills)
    rule = RoutingRule.objects.select_for_update().filter(case_type=case_type, status=status).first()
    held = list(rule.skills.all()) if rule is not None else []
    field_errors = routing_rule_errors(
        case_type=case_type, status=status, skills=skills, programme_skill=programme_skill, held=held
    )
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    with audited(
        actor=actor,
        action="routing_rule_set",
        case_type=case_type.code,
        status=status,
        skills=sorted(skill.code for skill in skills),
        programme_skill=programme_skill.code if programme_skill else None,
    ):
        if rule is None:
            rule = RoutingRule(case_type=case_type, status=status)
        rule.programme_skill = programme_skill
        rule.require_patch = bool(require_patch)
        rule.require_language = bool(require_language)
        rule.is_active = bool(is_active)
        rule.stamp(actor)
        rule.save()
        rule.skills.set(skills)
        # The chevron's open cases follow the new rule straight away (and any now waiting are offered).
        now = timezone.now()
        waiting = routing.rule_changed(case_type.pk, status, now=now)
        if waiting:
            routing.route(now=now, case_ids=waiting)
    return rule


def _whole_number_in(value, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def routing_settings_errors(*, offer_timeout_minutes, max_offers_per_minute) -> dict[str, list[str]]:
    """Per-field reasons the router's settings cannot take these values ({} when they can)."""
    found: dict[str, list[str]] = {}
    if not _whole_number_in(offer_timeout_minutes, *TIMEOUT_RANGE):
        found["offer_timeout_minutes"] = ["The offer timeout must be a whole number of minutes from 1 to 1440."]
    if not _whole_number_in(max_offers_per_minute, *FLOOD_GUARD_RANGE):
        found["max_offers_per_minute"] = ["The flood guard must be a whole number of offers from 1 to 1000."]
    return found


@transaction.atomic
def routing_settings_update(
    *, actor: User | None, offer_timeout_minutes: int, max_offers_per_minute: int
) -> RoutingSettings:
    """Set how long a person has to accept an offer (1-1440 minutes) and the flood guard (1-1000
    new offers per person per minute). Offers already made keep the expiry they were given.

    Who: supervisors and administrators (or the system).
    Raises PermissionDenied for anyone else; ValidationError for a value out of range.
    """
    _require_supervisor(actor, "change the routing settings")
    field_errors = routing_settings_errors(
        offer_timeout_minutes=offer_timeout_minutes, max_offers_per_minute=max_offers_per_minute
    )
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    RoutingSettings.current()  # make sure the row exists before locking it
    row = RoutingSettings.objects.select_for_update().get(pk=1)
    with audited(
        actor=actor,
        action="routing_settings_update",
        offer_timeout_minutes=offer_timeout_minutes,
        max_offers_per_minute=max_offers_per_minute,
    ):
        row.offer_timeout_minutes = offer_timeout_minutes
        row.max_offers_per_minute = max_offers_per_minute
        row.save(update_fields=["offer_timeout_minutes", "max_offers_per_minute"])
    return row


@transaction.atomic
def decline_reason_create(*, actor: User | None, code: str, label: str) -> DeclineReason:
    """Add a reason staff may pick when declining an offer.

    Who: supervisors and administrators (or the system).
    Raises PermissionDenied for anyone else; ValidationError for a malformed or taken code or a
    blank label.
    """
    _require_supervisor(actor, "change the decline reasons")
    reason = DeclineReason(code=(code or "").strip().lower(), label=(label or "").strip())
    full_clean(reason)
    try:
        with audited(actor=actor, action="decline_reason_create", code=reason.code), transaction.atomic():
            reason.save()
    except IntegrityError as error:  # someone added the same code since the check above
        raise errors.ValidationError(fields={"code": ["A decline reason with this code already exists."]}) from error
    return reason
