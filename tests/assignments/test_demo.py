"""The demo skills and routing profiles: one profile per demo staff member, safe to load twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from assignments.models import RoutingProfile, RoutingProfileSkill, Skill
from casework.models import Patch
from core import demo as core_demo

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts():
    return (Skill.objects.count(), RoutingProfile.objects.count(), RoutingProfileSkill.objects.count())


def test_seed_demo_twice_creates_skills_and_profiles_once(demo_seeded):
    first_output, second_output = demo_seeded
    assert "routing profile" in first_output
    assert "created: nothing new" in second_output
    seeded = _counts()
    assert "created: nothing new" in _seed()
    assert _counts() == seeded


def test_every_demo_staff_member_has_a_profile_with_a_function_and_a_patch(demo_seeded):
    for email, *_ in core_demo.STAFF:
        profile = RoutingProfile.objects.get(user__email=email)
        categories = set(profile.skills.values_list("category", flat=True))
        assert {"function", "patch"} <= categories, email
        assert profile.capacity in (50, 100)
    chaser = RoutingProfile.objects.get(user__email="chaser@demo.example")
    assert chaser.skills.filter(code="chaser").exists()
    for patch in Patch.objects.all():
        assert Skill.objects.filter(code=f"patch-{patch.code.lower()}", category="patch").exists()
    assert Skill.objects.filter(category="language").count() >= 4
    assert Skill.objects.filter(code__in=["raft", "arrears", "escalation"]).count() == 3
