"""Arranging routing tests with the real services: a routing rule per case type and chevron,
staff with routing profiles set available through presence_set, and cases opened through
casework's case_create so the receivers route them."""

from __future__ import annotations

import itertools

from assignments import services
from assignments.models import CaseRouting, DeclineReason, Offer, RoutingProfile, RoutingRule, Skill
from casework.models import Case, CaseType, Workflow
from casework.services import cases as case_services
from core import services as core_services
from core.models import User
from core.roles import Role
from tests.assignments.factories import SkillFactory
from tests.casework.factories import CaseTypeFactory, ContactFactory

_people = itertools.count(1)

# Housing options: enquiry → assessment → personal housing plan; the first two chevrons need a
# person with the chevron's skill, the last is not routed.
ENQUIRY_SKILL = "enquiries"
ASSESSMENT_SKILL = "assessor"


def housing_options_routed() -> CaseType:
    """The housing options case type with routing rules on its enquiry and assessment chevrons."""
    case_type = CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS)
    routing_rule(case_type, Case.Status.ENQUIRY, ENQUIRY_SKILL)
    routing_rule(case_type, Case.Status.ASSESSMENT, ASSESSMENT_SKILL)
    return case_type


def routing_rule(case_type: CaseType, status: str, *skill_codes: str) -> RoutingRule:
    rule = RoutingRule.objects.create(case_type=case_type, status=status)
    rule.skills.set([SkillFactory(code=code) for code in skill_codes])
    return rule


def routed_staff(
    *skill_codes: str, capacity: int = 100, presence: str = "available", role: Role = Role.CASEWORKER, name: str = ""
) -> User:
    """A member of staff holding these skills (created if need be), at this presence. Created in
    order, so earlier people have lower ids (the router's last tie-break)."""
    n = next(_people)
    user = core_services.user_create(
        actor=None,
        email=f"router{n}@test.example",
        kind=User.Kind.STAFF,
        first_name=name or f"Officer{n}",
        last_name="Routed",
    )
    user = core_services.staff_set_roles(actor=None, user=user, roles={role})
    skills = [SkillFactory(code=code) for code in skill_codes]
    services.routing_profile_set(actor=None, user=user, skills=skills, capacity=capacity, team="Housing options")
    if presence != RoutingProfile.Presence.OFFLINE:
        services.presence_set(actor=None, user=user, presence=presence)
    return user


def routed_case(case_type: CaseType, *, priority: str = Case.Priority.NORMAL) -> Case:
    """A case opened by the system (web form, import): nobody owns it, so the router offers it."""
    return case_services.case_create(
        actor=None, case_type=case_type, contact=ContactFactory(), priority=priority, description="Routed"
    )


def decline_reason(code: str = "no-capacity", label: str = "Too much work on", **fields) -> DeclineReason:
    return DeclineReason.objects.get_or_create(code=code, defaults={"label": label, **fields})[0]


def pending_offer(case: Case) -> Offer | None:
    return Offer.objects.filter(case=case, status=Offer.Status.PENDING).first()


def routing_of(case: Case) -> CaseRouting:
    return CaseRouting.objects.get(pk=case.pk)


def load_of(user: User) -> int:
    return RoutingProfile.objects.get(user=user).load


def skill_codes(routing: CaseRouting) -> set[str]:
    return set(Skill.objects.filter(pk__in=routing.skill_ids).values_list("code", flat=True))
