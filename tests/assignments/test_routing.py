"""The routing engine end to end through casework: cases moved by the real casework services are
routed by the receivers, offers are accepted or declined through the assignments services."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assignments import routing, services
from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingRule, RoutingSettings
from casework.models import Case, Workflow
from casework.services import cases as case_services
from core.models import User
from core.services import user_create
from tests.assignments.factories import SkillFactory
from tests.casework.factories import CaseTypeFactory, tenant_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def chaser_skill():
    return SkillFactory(code="chaser")


@pytest.fixture
def rule(chaser_skill):
    case_type = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    rule = RoutingRule.objects.create(case_type=case_type, status="chaser", require_language=False)
    rule.skills.set([chaser_skill])
    return rule


def staff(email: str, skills, *, capacity: int = 100, presence: str = "available") -> User:
    user = user_create(actor=None, email=email, kind=User.Kind.STAFF)
    services.routing_profile_set(actor=None, user=user, skills=skills, capacity=capacity, team="")
    services.presence_set(actor=None, user=user, presence=presence)
    return user


def reach_chaser(case: Case) -> Case:
    """Arrive at the chaser chevron the way matching does, through a status change."""
    Case.objects.filter(pk=case.pk).update(status="application_match")
    case.refresh_from_db()
    case = case_services._apply(case, "match", actor=None)  # the transition and its signal
    return case


def pending(case: Case) -> Offer | None:
    return Offer.objects.filter(case=case, status="pending").first()


def test_a_case_reaching_a_routed_chevron_is_offered_to_the_least_loaded_person(rule, chaser_skill):
    busy_one = staff("a@test.example", [chaser_skill])
    idle_one = staff("b@test.example", [chaser_skill])
    RoutingProfile.objects.filter(user=busy_one).update(load=3)
    case = reach_chaser(tenant_case(status="draft"))
    offer = pending(case)
    assert offer.user == idle_one
    assert CaseRouting.objects.get(pk=case.pk).state == "offered"
    assert RoutingProfile.objects.get(user=idle_one).load == 1


def test_nobody_with_every_skill_means_awaiting_assignment(rule, chaser_skill):
    rule.skills.add(SkillFactory(code="lang-so"))
    staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    assert pending(case) is None
    assert CaseRouting.objects.get(pk=case.pk).state == "awaiting"


def test_accept_makes_the_person_the_owner(rule, chaser_skill):
    person = staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    services.offer_accept(actor=person, offer=pending(case))
    case.refresh_from_db()
    routing_row = CaseRouting.objects.get(pk=case.pk)
    assert (case.owner, routing_row.state, routing_row.assignee) == (person, "accepted", person)
    assert RoutingProfile.objects.get(user=person).load == 1


def test_decline_goes_to_the_next_person_and_not_back(rule, chaser_skill):
    first = staff("a@test.example", [chaser_skill])
    second = staff("b@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    offered_to = pending(case).user
    other = second if offered_to == first else first
    services.offer_decline(actor=offered_to, offer=pending(case))
    assert pending(case).user == other
    services.offer_decline(actor=other, offer=pending(case))
    # Everyone eligible has declined: everyone is eligible again.
    assert pending(case).user in (first, second)
    assert RoutingProfile.objects.get(user=offered_to).load + RoutingProfile.objects.get(user=other).load == 1


def test_going_offline_withdraws_offers_and_they_go_elsewhere(rule, chaser_skill):
    first = staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    assert pending(case).user == first
    second = staff("b@test.example", [chaser_skill])
    services.presence_set(actor=None, user=first, presence="offline")
    assert pending(case).user == second
    assert RoutingProfile.objects.get(user=first).load == 0


def test_awaiting_cases_are_offered_when_someone_becomes_available(rule, chaser_skill):
    case = reach_chaser(tenant_case(status="draft"))
    assert CaseRouting.objects.get(pk=case.pk).state == "awaiting"
    later = staff("a@test.example", [chaser_skill], presence="busy")
    assert pending(case) is None  # busy takes no new work
    services.presence_set(actor=None, user=later, presence="available")
    assert pending(case).user == later


def test_urgent_before_normal_then_longest_waiting(rule, chaser_skill):
    now = timezone.now()
    old = reach_chaser(tenant_case(status="draft"))
    newer = reach_chaser(tenant_case(status="draft"))
    urgent = reach_chaser(tenant_case(status="draft", priority="urgent"))
    CaseRouting.objects.filter(pk=old.pk).update(waiting_since=now - datetime.timedelta(hours=2))
    CaseRouting.objects.filter(pk=newer.pk).update(waiting_since=now - datetime.timedelta(hours=1))
    person = staff("a@test.example", [chaser_skill], capacity=2)
    assert {pending(c) is not None for c in (urgent, old, newer)} == {True, False}
    assert pending(urgent).user == person and pending(old).user == person and pending(newer) is None


def test_capacity_is_never_exceeded_and_the_flood_guard_holds(rule, chaser_skill):
    RoutingSettings.objects.update_or_create(pk=1, defaults={"max_offers_per_minute": 3})
    cases = [reach_chaser(tenant_case(status="draft")) for _ in range(6)]
    person = staff("a@test.example", [chaser_skill], capacity=5)
    assert Offer.objects.filter(user=person, status="pending").count() == 3  # flood guard
    routing.route(now=timezone.now() + datetime.timedelta(minutes=2))
    assert Offer.objects.filter(user=person, status="pending").count() == 5  # capacity
    assert sum(pending(c) is not None for c in cases) == 5
    assert RoutingProfile.objects.get(user=person).load == 5


def test_manual_assignment_leaves_routing_until_the_chevron_changes(rule, chaser_skill, supervisor):
    person = staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    services.case_assign(actor=supervisor, case=case, user=person)
    assert CaseRouting.objects.get(pk=case.pk).state == "manual"
    assert pending(case) is None
    assert RoutingProfile.objects.get(user=person).load == 0  # manual cases are not in the load
    services.presence_set(actor=None, user=person, presence="offline")
    case.refresh_from_db()
    assert case.owner == person and CaseRouting.objects.get(pk=case.pk).state == "manual"


def test_a_timed_out_offer_goes_to_the_next_person(rule, chaser_skill):
    first = staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    second = staff("b@test.example", [chaser_skill])
    later = timezone.now() + datetime.timedelta(minutes=61)
    case_ids, freed = routing.offers_expire(now=later)
    assert (case_ids, freed) == ([case.pk], [first.pk])
    routing.route(now=later, case_ids=case_ids)
    assert pending(case).user == second
    assert Offer.objects.get(case=case, user=first).status == "timed_out"
    assert routing.loads_reconcile() == 0


def test_a_new_rule_routes_the_chevrons_waiting_cases_at_once(chaser_skill):
    from assignments.config import routing_rule_set

    person = staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    assert CaseRouting.objects.get(pk=case.pk).state == "not_routable"  # no rule yet
    routing_rule_set(actor=None, case_type=case.case_type, status="chaser", skills=[chaser_skill])
    assert pending(case).user == person


def test_a_decline_is_on_the_cases_timeline(rule, chaser_skill):
    first = staff("a@test.example", [chaser_skill])
    case = reach_chaser(tenant_case(status="draft"))
    services.offer_decline(actor=first, offer=pending(case), note="On leave from Monday")
    entry = case.activities.get(summary__startswith="Offer declined")
    assert (entry.actor, entry.reason) == (first, "On leave from Monday")
