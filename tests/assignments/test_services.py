"""Routing profiles are set by supervisors, audited skill by skill; presence is set by the
person themselves or a supervisor."""

import pytest
from django.db import IntegrityError, transaction
from pghistory.models import Events

from assignments import services
from assignments.models import RoutingProfile, Skill
from core import errors
from core.audit import events_for
from tests.assignments.factories import RoutingProfileFactory, SkillFactory

pytestmark = pytest.mark.django_db


def _skill_events(profile, label=None):
    events = Events.objects.references(profile).filter(pgh_model="assignments.RoutingProfileSkillEvent")
    return events.filter(pgh_label=label) if label else events


def _codes(profile) -> set[str]:
    return set(profile.skills.values_list("code", flat=True))


# --- routing_profile_set ---------------------------------------------------------------------


def test_supervisor_sets_a_new_profile(supervisor, caseworker):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl", category=Skill.Category.LANGUAGE)
    profile = services.routing_profile_set(
        actor=supervisor, user=caseworker, skills=[chaser, polish], capacity=50, team=" Rental assistance "
    )
    profile.refresh_from_db()
    assert (profile.user, profile.capacity, profile.team) == (caseworker, 50, "Rental assistance")
    assert profile.presence == RoutingProfile.Presence.OFFLINE
    assert _codes(profile) == {"chaser", "lang-pl"}
    assert profile.created_by == supervisor


def test_setting_again_grants_and_revokes_only_the_difference_and_audits_each(supervisor, caseworker):
    chaser, reviewer, polish = (SkillFactory(code=c) for c in ("chaser", "reviewer", "lang-pl"))
    profile = services.routing_profile_set(actor=None, user=caseworker, skills=[chaser, polish], capacity=100, team="")
    assert _skill_events(profile, "skill.granted").count() == 2

    services.routing_profile_set(actor=supervisor, user=caseworker, skills=[reviewer, polish], capacity=80, team="")
    assert _codes(profile) == {"reviewer", "lang-pl"}
    by_supervisor = _skill_events(profile).filter(pgh_context__user=supervisor.pk)
    assert sorted(by_supervisor.values_list("pgh_label", flat=True)) == ["skill.granted", "skill.revoked"]
    granted = by_supervisor.get(pgh_label="skill.granted")
    assert granted.pgh_data["skill_id"] == reviewer.pk
    assert granted.pgh_context["action"] == "routing_profile_set"
    assert granted.pgh_context["granted"] == ["reviewer"]
    assert granted.pgh_context["revoked"] == ["chaser"]
    assert by_supervisor.get(pgh_label="skill.revoked").pgh_data["skill_id"] == chaser.pk
    update = events_for(profile).filter(pgh_label="update").get()
    assert update.pgh_diff["capacity"] == [100, 80]


def test_setting_the_same_skills_writes_no_skill_events(supervisor, caseworker):
    chaser = SkillFactory(code="chaser")
    profile = services.routing_profile_set(actor=supervisor, user=caseworker, skills=[chaser], capacity=100, team="")
    services.routing_profile_set(actor=supervisor, user=caseworker, skills=[chaser], capacity=100, team="")
    assert _skill_events(profile).count() == 1


@pytest.mark.parametrize("capacity", [1, 1000])
def test_capacity_bounds_are_inclusive(supervisor, caseworker, capacity):
    profile = services.routing_profile_set(actor=supervisor, user=caseworker, skills=[], capacity=capacity, team="")
    assert profile.capacity == capacity


@pytest.mark.parametrize("capacity", [0, -5, 1001, 2.5, "50", True])
def test_capacity_outside_1_to_1000_is_refused(supervisor, caseworker, capacity):
    with pytest.raises(errors.ValidationError) as raised:
        services.routing_profile_set(actor=supervisor, user=caseworker, skills=[], capacity=capacity, team="")
    assert raised.value.fields["capacity"]
    assert not RoutingProfile.objects.exists()


def test_the_database_refuses_capacity_out_of_range():
    profile = RoutingProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingProfile.objects.filter(pk=profile.pk).update(capacity=0)


def test_a_failed_update_changes_nothing(supervisor, caseworker):
    chaser, reviewer = SkillFactory(code="chaser"), SkillFactory(code="reviewer")
    profile = services.routing_profile_set(actor=supervisor, user=caseworker, skills=[chaser], capacity=100, team="")
    with pytest.raises(errors.ValidationError):
        services.routing_profile_set(actor=supervisor, user=caseworker, skills=[reviewer], capacity=0, team="")
    profile.refresh_from_db()
    assert (_codes(profile), profile.capacity) == ({"chaser"}, 100)


def test_applicants_cannot_have_a_routing_profile(supervisor, applicant):
    with pytest.raises(errors.ValidationError) as raised:
        services.routing_profile_set(actor=supervisor, user=applicant, skills=[], capacity=100, team="")
    assert raised.value.fields["user"] == ["Applicant accounts cannot have a routing profile."]
    assert not RoutingProfile.objects.exists()


def test_applicants_cannot_set_routing_profiles(applicant, caseworker):
    with pytest.raises(errors.PermissionDenied):
        services.routing_profile_set(actor=applicant, user=caseworker, skills=[], capacity=100, team="")
    assert not RoutingProfile.objects.exists()


def test_caseworkers_cannot_set_routing_profiles_not_even_their_own(caseworker):
    with pytest.raises(errors.PermissionDenied):
        services.routing_profile_set(actor=caseworker, user=caseworker, skills=[], capacity=1000, team="")


def test_administrators_can_set_routing_profiles(administrator, caseworker):
    profile = services.routing_profile_set(actor=administrator, user=caseworker, skills=[], capacity=10, team="")
    assert profile.capacity == 10


def test_an_inactive_skill_cannot_be_granted_but_may_be_kept(supervisor, caseworker):
    retired = SkillFactory(code="retired", inactive=True)
    with pytest.raises(errors.ValidationError) as raised:
        services.routing_profile_set(actor=supervisor, user=caseworker, skills=[retired], capacity=100, team="")
    assert "retired" in raised.value.fields["skills"][0]

    profile = RoutingProfileFactory(user=caseworker, skills=[retired])
    services.routing_profile_set(actor=supervisor, user=caseworker, skills=[retired], capacity=90, team="")
    assert _codes(profile) == {"retired"}


# --- presence_set ----------------------------------------------------------------------------


def test_staff_set_their_own_presence(caseworker):
    profile = RoutingProfileFactory(user=caseworker)
    services.presence_set(actor=caseworker, user=caseworker, presence="available")
    profile.refresh_from_db()
    assert profile.presence == RoutingProfile.Presence.AVAILABLE
    assert profile.presence_changed_at is not None
    event = events_for(profile).filter(pgh_label="update").get()
    assert event.pgh_diff["presence"] == ["offline", "available"]
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_context["action"] == "presence_set"


def test_staff_cannot_set_someone_elses_presence(caseworker):
    other = RoutingProfileFactory()
    with pytest.raises(errors.PermissionDenied):
        services.presence_set(actor=caseworker, user=other.user, presence="available")
    other.refresh_from_db()
    assert other.presence == RoutingProfile.Presence.OFFLINE


def test_supervisors_set_anyones_presence(supervisor):
    other = RoutingProfileFactory(available=True)
    services.presence_set(actor=supervisor, user=other.user, presence="offline")
    other.refresh_from_db()
    assert other.presence == RoutingProfile.Presence.OFFLINE
    assert other.updated_by == supervisor


def test_applicants_cannot_set_presence(applicant):
    other = RoutingProfileFactory()
    with pytest.raises(errors.PermissionDenied):
        services.presence_set(actor=applicant, user=other.user, presence="available")
    with pytest.raises(errors.PermissionDenied):
        services.presence_set(actor=applicant, user=applicant, presence="available")


def test_an_unknown_presence_is_refused(caseworker):
    RoutingProfileFactory(user=caseworker)
    with pytest.raises(errors.ValidationError) as raised:
        services.presence_set(actor=caseworker, user=caseworker, presence="on holiday")
    assert raised.value.fields["presence"]


def test_presence_needs_a_routing_profile(caseworker):
    with pytest.raises(errors.ValidationError) as raised:
        services.presence_set(actor=caseworker, user=caseworker, presence="available")
    assert raised.value.fields["user"]


def test_setting_the_same_presence_writes_nothing(caseworker):
    profile = RoutingProfileFactory(user=caseworker, available=True)
    before = events_for(profile).count()
    services.presence_set(actor=caseworker, user=caseworker, presence="available")
    assert events_for(profile).count() == before


# --- skills ----------------------------------------------------------------------------------


def test_supervisors_define_skills(supervisor):
    skill = services.skill_create(actor=supervisor, code=" Lang-PL ", name="Speaks Polish", category="language")
    assert skill.code == "lang-pl"
    assert events_for(skill).get().pgh_context["user"] == supervisor.pk
    with pytest.raises(errors.ValidationError) as raised:
        services.skill_create(actor=supervisor, code="lang-pl", name="Again", category="language")
    assert raised.value.fields["code"]


@pytest.mark.parametrize(
    ("code", "category", "field"), [("not a slug!", "language", "code"), ("ok", "hobby", "category")]
)
def test_skill_create_refuses_bad_input(supervisor, code, category, field):
    with pytest.raises(errors.ValidationError) as raised:
        services.skill_create(actor=supervisor, code=code, name="Name", category=category)
    assert raised.value.fields[field]
    assert not Skill.objects.exists()


def test_caseworkers_cannot_define_skills(caseworker):
    with pytest.raises(errors.PermissionDenied):
        services.skill_create(actor=caseworker, code="x", name="X", category="other")
