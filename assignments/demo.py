"""Demo skills (functions, one per patch, languages, programmes, escalation) and a routing profile
for every demo staff member. Runs after casework's demo (INSTALLED_APPS order), whose patches it
uses. Idempotent: skills are keyed on code, and an existing routing profile is left as it is."""

from __future__ import annotations

from assignments import services
from assignments.models import RoutingProfile, Skill
from casework.models import Language, Patch
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
DEFAULT_PROFILE: tuple[list[str], int, list[str], int, str] = (["chaser"], 1, [], 100, "")


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
