"""Production paths keep the backlog's order when a slot frees up (an engine fix found by the
simulator's property tests): a declined or lapsed normal case must not take back the slot it
freed while an urgent case waits for exactly that slot."""

import datetime

import pytest
from django.utils import timezone

from assignments import routing, services, tasks
from assignments.models import CaseRouting, Offer
from tests.assignments.factories import RoutingProfileFactory, SkillFactory
from tests.casework.factories import CaseFactory

pytestmark = pytest.mark.django_db
MINUTES = datetime.timedelta(minutes=1)


@pytest.fixture
def one_slot():
    """One available chaser with room for one case; a normal case offered to them 70 minutes ago
    and an urgent one waiting since 65 minutes ago for their slot."""
    chaser = SkillFactory(code="chaser")
    person = RoutingProfileFactory(skills=[chaser], skill_ids=[chaser.pk], capacity=1, available=True)
    now = timezone.now()
    normal, urgent = CaseFactory(), CaseFactory(priority="urgent")
    routing.case_requeue(normal, [chaser.pk], now=now - 70 * MINUTES)
    routing.route(now=now - 70 * MINUTES, case_ids=[normal.pk])
    routing.case_requeue(urgent, [chaser.pk], now=now - 65 * MINUTES)
    routing.route(now=now - 65 * MINUTES, case_ids=[urgent.pk])
    assert CaseRouting.objects.get(pk=urgent.pk).state == CaseRouting.State.AWAITING
    return person.user, normal, urgent, now


def _assert_urgent_took_the_slot(user, normal, urgent, normal_waiting_since):
    assert Offer.objects.get(status=Offer.Status.PENDING).case_id == urgent.pk
    assert Offer.objects.get(status=Offer.Status.PENDING).user_id == user.pk
    row = CaseRouting.objects.get(pk=normal.pk)
    assert (row.state, row.waiting_since) == (CaseRouting.State.AWAITING, normal_waiting_since)


def test_declining_frees_the_slot_for_the_waiting_urgent_case(one_slot):
    user, normal, urgent, now = one_slot
    offer = Offer.objects.get(case=normal, status=Offer.Status.PENDING)
    Offer.objects.filter(pk=offer.pk).update(expires_at=now + 60 * MINUTES)  # still open
    services.offer_decline(actor=user, offer=offer)
    _assert_urgent_took_the_slot(user, normal, urgent, now - 70 * MINUTES)


def test_the_sweep_gives_a_lapsed_offers_slot_to_the_waiting_urgent_case(one_slot):
    user, normal, urgent, now = one_slot
    assert tasks.routing_sweep() == 1  # the normal case's offer lapsed 10 minutes ago
    assert Offer.objects.get(case=normal).status == Offer.Status.TIMED_OUT
    _assert_urgent_took_the_slot(user, normal, urgent, now - 70 * MINUTES)
