"""Reads of skills and routing profiles."""

import pytest
from django.contrib.auth.models import AnonymousUser

from assignments import selectors
from tests.assignments.factories import RoutingProfileFactory, SkillFactory

pytestmark = pytest.mark.django_db


def test_staff_see_routing_profiles_with_skills_in_two_queries(caseworker, django_assert_num_queries):
    skills = SkillFactory.create_batch(3)
    for _ in range(4):
        RoutingProfileFactory(skills=skills[:2])
    with django_assert_num_queries(2):
        rows = [
            (p.user.email, sorted(s.code for s in p.skills.all()))
            for p in selectors.routing_profiles_for(user=caseworker)
        ]
    assert len(rows) == 4
    assert all(codes == sorted(s.code for s in skills[:2]) for _, codes in rows)


def test_nobody_else_sees_routing_profiles_or_skills(applicant):
    RoutingProfileFactory(skills=[SkillFactory()])
    assert not selectors.routing_profiles_for(user=applicant).exists()
    assert not selectors.routing_profiles_for(user=AnonymousUser()).exists()
    assert not selectors.skill_list_for(user=applicant).exists()


def test_staff_see_all_skills(caseworker):
    skills = {SkillFactory(), SkillFactory(inactive=True)}
    assert set(selectors.skill_list_for(user=caseworker)) == skills
