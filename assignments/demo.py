"""Demo skills (functions, one per patch, languages, programmes, escalation), a routing profile
for every demo staff member, the router's settings, decline reasons and the routing rules (which
skills each demo case type needs on each chevron). Runs after casework's demo (INSTALLED_APPS
order), whose patches and case types it uses. Idempotent: skills, decline reasons and rules are
keyed on their code (rules on case type and chevron), and what exists is left as it is."""

from __future__ import annotations

from assignments import config, services
from assignments.models import DeclineReason, RoutingProfile, RoutingRule, RoutingSettings, Skill
from casework.models import CaseType, Language, Patch
from core import demo as core_demo
from core.models import User
from core.seeding import DemoContext

FUNCTIONS = [
    ("chaser", "Chaser", "Chases applicants and landlords for missing information and documents."),
    ("case_manager", "Case manager", "Assesses eligibility and prepares a case for review."),
    ("reviewer", "Reviewer", "Reviews a case manager's assessment and approves or denies."),
    ("rents_officer", "Rents officer", "Works rent arrears cases in their patch."),
    ("housing_options", "Housing options officer", "Advises on housing options and homelessness prevention."),
]
PROGRAMMES = [
    ("raft", "Rental assistance (RAFT)", "Works rental-assistance applications."),
    ("arrears", "Arrears", "Works rent arrears recovery."),
]
ESCALATION = ("escalation", "Escalation", "Added to a case by SLA rules when it is overdue; held by senior staff.")

# email: (function skills, number of patches, languages, capacity, team)
PROFILES: dict[str, tuple[list[str], int, list[str], int, str]] = {
    "admin@demo.example": (["reviewer"], 1, [], 50, "Service management"),
    "supervisor@demo.example": (["reviewer", "escalation"], 3, ["cy"], 100, "Rental assistance"),
    "chaser@demo.example": (["chaser", "raft"], 2, ["pl"], 100, "Rental assistance"),
    "casemanager@demo.example": (["case_manager", "raft"], 2, ["pl", "ro"], 100, "Rental assistance"),
    "reviewer@demo.example": (["reviewer", "raft"], 3, ["cy"], 50, "Rental assistance"),
    "rents@demo.example": (["rents_officer", "arrears"], 2, ["ar", "ur"], 100, "Income"),
    "options@demo.example": (["housing_options"], 1, ["so"], 50, "Housing options"),
    "caseworker@demo.example": (["chaser", "case_manager", "raft"], 1, ["bn"], 100, "Rental assistance"),
}
AVAILABLE_AT_START = ["chaser@demo.example", "casemanager@demo.example", "reviewer@demo.example", "rents@demo.example"]
DEFAULT_PROFILE: tuple[list[str], int, list[str], int, str] = (["chaser"], 1, [], 100, "")

DECLINE_REASONS = [
    ("conflict-of-interest", "Conflict of interest"),
    ("not-my-patch", "Not my patch"),
    ("at-capacity", "At capacity"),
    ("going-on-leave", "Going on leave"),
    ("other", "Other"),
]

# case type code (casework.demo_cases): (programme skill, require patch, {chevron: [function skills]}).
# Appeals have no rule (their work is tasks), nor has the automated rent statement (no human step);
# a support referral needs a person to triage it, then stays with whoever took it.
_RENTAL_CHEVRONS = {"chaser": ["chaser"], "case_manager": ["case_manager"], "reviewer": ["reviewer"]}
_ARREARS_CHEVRONS = {
    status: ["rents_officer"] for status in ("early_action", "arrangement", "notice_served", "court", "eviction")
}
ROUTING_RULES: dict[str, tuple[str | None, bool, dict[str, list[str]]]] = {
    "raft-tenant": ("raft", False, _RENTAL_CHEVRONS),
    "raft-landlord": ("raft", False, _RENTAL_CHEVRONS),
    "arrears": ("arrears", True, _ARREARS_CHEVRONS),
    "housing-options": (
        None,
        False,
        {status: ["housing_options"] for status in ("enquiry", "assessment", "action_plan")},
    ),
    "support": (None, False, {"triage": ["case_manager"]}),
}


def _skill_definitions() -> list[tuple[str, str, str, str]]:
    """(code, name, category, description) for every demo skill."""
    definitions = [(code, name, Skill.Category.FUNCTION, text) for code, name, text in FUNCTIONS]
    definitions += [
        (f"patch-{patch.code.lower()}", f"Patch {patch.code} {patch.name}", Skill.Category.PATCH, f"Works {patch}.")
        for patch in Patch.objects.select_related("region").order_by("code")
    ]
    definitions += [
        (f"lang-{code}", f"Speaks {label}", Skill.Category.LANGUAGE, f"Can work a case in {label}.")
        for code, label in Language.choices
        if code != Language.ENGLISH
    ]
    definitions += [(code, name, Skill.Category.PROGRAMME, text) for code, name, text in PROGRAMMES]
    definitions.append((*ESCALATION[:2], Skill.Category.ESCALATION, ESCALATION[2]))
    return definitions


def seed(ctx: DemoContext) -> None:
    skills = {skill.code: skill for skill in Skill.objects.all()}
    for code, name, category, description in _skill_definitions():
        if code not in skills:
            skills[code] = services.skill_create(
                actor=None, code=code, name=name, category=category, description=description
            )
            ctx.created("skill")

    patch_skills = sorted(code for code in skills if code.startswith("patch-"))
    # Drawn for every staff member on every run, so the choices do not depend on what exists.
    for email, *_ in core_demo.STAFF:
        functions, patch_count, languages, capacity, team = PROFILES.get(email, DEFAULT_PROFILE)
        patches = ctx.rng.sample(patch_skills, min(patch_count, len(patch_skills)))
        user = User.objects.filter(email=email).first()
        if user is None or RoutingProfile.objects.filter(user=user).exists():
            continue
        codes = [*functions, *patches, *(f"lang-{code}" for code in languages)]
        services.routing_profile_set(
            actor=None, user=user, skills=[skills[code] for code in codes], capacity=capacity, team=team
        )
        ctx.created("routing profile")

    _seed_routing_configuration(ctx, skills)
    # The rental-assistance team starts the demo signed in to routing, so the waiting cases are
    # offered to them (once: after that, their presence is theirs to change).
    for email in AVAILABLE_AT_START:
        profile = RoutingProfile.objects.filter(user__email=email, presence_changed_at__isnull=True).first()
        if profile is not None:
            services.presence_set(actor=None, user=profile.user, presence=RoutingProfile.Presence.AVAILABLE)


def _seed_routing_configuration(ctx: DemoContext, skills: dict[str, Skill]) -> None:
    if not RoutingSettings.objects.exists():
        RoutingSettings.current()
        ctx.created("routing settings")
    existing_reasons = set(DeclineReason.objects.values_list("code", flat=True))
    for code, label in DECLINE_REASONS:
        if code not in existing_reasons:
            config.decline_reason_create(actor=None, code=code, label=label)
            ctx.created("decline reason")
    case_types = {case_type.code: case_type for case_type in CaseType.objects.filter(code__in=ROUTING_RULES)}
    existing_rules = set(RoutingRule.objects.values_list("case_type__code", "status"))
    for code, (programme, require_patch, chevrons) in ROUTING_RULES.items():
        case_type = case_types.get(code)
        if case_type is None:  # a supervisor renamed or removed it: nothing to route
            continue
        for status, functions in chevrons.items():
            if (code, status) in existing_rules:
                continue
            config.routing_rule_set(
                actor=None,
                case_type=case_type,
                status=status,
                skills=[skills[function] for function in functions],
                programme_skill=skills[programme] if programme else None,
                require_patch=require_patch,
                require_language=True,
            )
            ctx.created("routing rule")
