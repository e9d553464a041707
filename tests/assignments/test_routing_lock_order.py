"""Lock order between the routing services. Every change to a case locks the case, then its
routing row, then its pending offer (casework's services lock the case; a manual assignment then
withdraws the offer). A service that took the offer first and then waited for the case (or its
routing row) would deadlock against a supervisor assigning the same case at the same moment, and
PostgreSQL would abort one of them with a 500.

Each test holds the first lock of that order in another transaction (as the racing assignment
would), starts the service in a thread, waits until it is blocked, and checks that it is not
sitting on the offer meanwhile."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction

from assignments import services
from assignments.models import CaseRouting, Offer
from casework.models import Case
from tests.assignments.routing_setup import (
    ENQUIRY_SKILL,
    housing_options_routed,
    pending_offer,
    routed_case,
    routed_staff,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("routing-locks")]


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _in_thread(target, outcome: dict, key: str) -> threading.Thread:
    def run():
        try:
            outcome[key] = target()
        except Exception as error:  # reported by the test, not lost in the thread
            outcome[key] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _offer_free_while_the_service_waits(hold, service, offer: Offer) -> dict:
    """Hold `hold`'s lock, run `service` until it blocks, then try to lock `offer` without waiting."""
    outcome: dict = {}
    held, probe = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            hold()
            held.set()
            probe.wait(20)
            try:
                Offer.objects.select_for_update(nowait=True).filter(pk=offer.pk).exists()
            except DatabaseError:
                return "the service held the offer while waiting"
            return "offer free"

    holding = _in_thread(holder, outcome, "holder")
    assert held.wait(20)
    acting = _in_thread(service, outcome, "service")
    deadline = time.monotonic() + 20
    while _waiting_on_a_lock() == 0:
        assert time.monotonic() < deadline, "the service never waited for the lock"
        time.sleep(0.05)
    probe.set()
    holding.join(20)
    acting.join(20)
    return outcome


@pytest.fixture
def offered():
    me = routed_staff(ENQUIRY_SKILL)
    routed_staff(ENQUIRY_SKILL)
    case = routed_case(housing_options_routed())
    return me, case, pending_offer(case)


def _lock_case(case):
    return lambda: Case.objects.select_for_update().filter(pk=case.pk).exists()


@pytest.mark.parametrize(
    ("answer", "status"),
    [(services.offer_accept, Offer.Status.ACCEPTED), (services.offer_decline, Offer.Status.DECLINED)],
    ids=["accept", "decline"],
)
def test_answering_an_offer_takes_the_case_before_the_offer(offered, answer, status):
    me, case, offer = offered
    outcome = _offer_free_while_the_service_waits(_lock_case(case), lambda: answer(actor=me, offer=offer), offer)
    assert outcome["holder"] == "offer free"
    assert outcome["service"].status == status


def test_going_offline_takes_the_routing_rows_before_the_offers(offered):
    me, case, offer = offered
    outcome = _offer_free_while_the_service_waits(
        lambda: CaseRouting.objects.select_for_update().filter(pk=case.pk).exists(),
        lambda: services.presence_set(actor=me, user=me, presence="offline"),
        offer,
    )
    assert outcome["holder"] == "offer free"
    assert outcome["service"].presence == "offline"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
