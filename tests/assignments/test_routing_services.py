"""Routing as staff meet it, through the real services and casework's own services: cases are
opened and moved with casework.services.cases, the receivers route them, and staff accept,
decline, go offline, release; supervisors assign by hand. Asserts on the stored offers, the case
routing state, the case's owner and each person's load."""

import datetime
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from assignments import routing, services
from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingSettings
from assignments.tasks import routing_sweep
from casework.models import Case
from casework.services import cases as case_services
from config.celery import app as celery_app
from core import errors
from core.audit import events_for
from tests.assignments.routing_setup import (
    ASSESSMENT_SKILL,
    ENQUIRY_SKILL,
    decline_reason,
    housing_options_routed,
    load_of,
    pending_offer,
    routed_case,
    routed_staff,
    routing_of,
    skill_codes,
)
from tests.casework.factories import ContactFactory

pytestmark = pytest.mark.django_db

State = CaseRouting.State


@pytest.fixture
def case_type():
    return housing_options_routed()


def test_a_new_case_is_offered_to_the_least_active_person_with_the_skills(case_type):
    busy_one = routed_staff(ENQUIRY_SKILL)
    free_one = routed_staff(ENQUIRY_SKILL)
    routed_staff(ASSESSMENT_SKILL)  # not the skill this chevron needs
    routed_staff(ENQUIRY_SKILL, presence="offline")
    first = routed_case(case_type)
    assert pending_offer(first).user == busy_one

    second = routed_case(case_type)
    offer = pending_offer(second)
    assert offer.user == free_one
    assert offer.expires_at == offer.offered_at + datetime.timedelta(minutes=60)
    routing = routing_of(second)
    assert (routing.state, routing.status) == (State.OFFERED, Case.Status.ENQUIRY)
    assert skill_codes(routing) == {ENQUIRY_SKILL}
    assert (load_of(busy_one), load_of(free_one)) == (1, 1)


def test_accepting_makes_me_the_owner(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = services.offer_accept(actor=me, offer=pending_offer(case))
    assert offer.status == Offer.Status.ACCEPTED
    assert offer.responded_at is not None
    case.refresh_from_db()
    assert case.owner == me
    routing = routing_of(case)
    assert (routing.state, routing.assignee) == (State.ACCEPTED, me)
    assert load_of(me) == 1  # the offer's unit of load is now the accepted case's
    event = events_for(case).get(pgh_label="update", pgh_context__user=me.pk)
    assert event.pgh_diff["owner_id"] == [None, me.pk]


def test_decline_goes_to_the_next_person_and_never_back_while_others_are_eligible(case_type):
    a, b, c = routed_staff(ENQUIRY_SKILL), routed_staff(ENQUIRY_SKILL), routed_staff(ENQUIRY_SKILL)
    reason = decline_reason()
    case = routed_case(case_type)
    first = pending_offer(case)
    assert first.user == a

    declined = services.offer_decline(actor=a, offer=first, reason=reason, note="  On leave tomorrow ")
    assert (declined.status, declined.decline_reason, declined.note) == (
        Offer.Status.DECLINED,
        reason,
        "On leave tomorrow",
    )
    assert pending_offer(case).user == b
    assert load_of(a) == 0

    services.offer_decline(actor=b, offer=pending_offer(case))
    assert pending_offer(case).user == c
    assert routing_of(case).excluded_user_ids == [a.pk, b.pk]

    # Everyone eligible has declined: everyone is eligible again, least active first.
    services.offer_decline(actor=c, offer=pending_offer(case))
    again = pending_offer(case)
    assert again.user == a
    assert routing_of(case).excluded_user_ids == []


def test_a_case_a_caseworker_opens_is_theirs_by_hand(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = case_services.case_create(actor=me, case_type=case_type, contact=ContactFactory())
    routing = routing_of(case)
    assert (case.owner, routing.state, routing.assignee) == (me, State.MANUAL, me)
    assert (pending_offer(case), load_of(me)) == (None, 0)


def test_a_declined_case_keeps_its_original_wait(case_type):
    a = routed_staff(ENQUIRY_SKILL)
    routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    waiting_since = routing_of(case).waiting_since
    services.offer_decline(actor=a, offer=pending_offer(case))
    assert routing_of(case).waiting_since == waiting_since


def test_someone_elses_offer_is_not_found_and_left_alone(case_type):
    routed_staff(ENQUIRY_SKILL)
    other = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    for act in (services.offer_accept, services.offer_decline):
        with pytest.raises(errors.NotFound):
            act(actor=other, offer=offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert routing_of(case).state == State.OFFERED


def test_an_offer_is_answered_once(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    services.offer_accept(actor=me, offer=offer)
    with pytest.raises(errors.Conflict, match="accepted"):
        services.offer_accept(actor=me, offer=offer)
    with pytest.raises(errors.Conflict):
        services.offer_decline(actor=me, offer=offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert load_of(me) == 1


def test_an_expired_offer_cannot_be_accepted(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    with time_machine.travel(offer.expires_at + datetime.timedelta(seconds=1)), pytest.raises(errors.Conflict):
        services.offer_accept(actor=me, offer=offer)
    offer.refresh_from_db()
    case.refresh_from_db()
    assert (offer.status, case.owner, routing_of(case).state) == (Offer.Status.PENDING, None, State.OFFERED)


def test_an_inactive_decline_reason_is_refused(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    retired = decline_reason("retired", "No longer used", is_active=False)
    with pytest.raises(errors.ValidationError) as raised:
        services.offer_decline(actor=me, offer=pending_offer(case), reason=retired)
    assert raised.value.fields["reason"]
    assert pending_offer(case).user == me


# --- presence (rule 7) ---------------------------------------------------------------------------


def test_going_offline_withdraws_pending_offers_to_others_and_keeps_accepted_cases(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    kept = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(kept))
    pending = routed_case(case_type)
    assert pending_offer(pending).user == me
    colleague = routed_staff(ENQUIRY_SKILL, presence="offline")

    services.presence_set(actor=None, user=colleague, presence="available")  # takes nothing yet: none waits
    services.presence_set(actor=me, user=me, presence="offline")

    withdrawn = Offer.objects.get(case=pending, user=me)
    assert withdrawn.status == Offer.Status.WITHDRAWN
    assert pending_offer(pending).user == colleague
    kept.refresh_from_db()
    assert (kept.owner, routing_of(kept).state) == (me, State.ACCEPTED)
    assert (load_of(me), load_of(colleague)) == (1, 1)


def test_a_withdrawn_case_waits_for_the_next_person_to_come_online(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    waiting_since = routing_of(case).waiting_since
    services.presence_set(actor=me, user=me, presence="offline")
    routing = routing_of(case)
    assert (routing.state, routing.waiting_since, pending_offer(case)) == (State.AWAITING, waiting_since, None)

    later = routed_staff(ENQUIRY_SKILL, presence="busy")
    assert pending_offer(case) is None
    services.presence_set(actor=later, user=later, presence="available")
    assert pending_offer(case).user == later


def test_busy_keeps_its_offers_and_gets_no_new_ones(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    first = routed_case(case_type)
    services.presence_set(actor=me, user=me, presence="busy")
    second = routed_case(case_type)
    assert pending_offer(first).user == me
    assert pending_offer(second) is None
    assert routing_of(second).state == State.AWAITING
    services.offer_accept(actor=me, offer=pending_offer(first))
    assert load_of(me) == 1


def test_a_supervisor_changing_presence_is_audited_with_the_supervisor(case_type, supervisor):
    someone = routed_staff(ENQUIRY_SKILL)
    services.presence_set(actor=supervisor, user=someone, presence="offline")
    profile = RoutingProfile.objects.get(user=someone)
    # One test transaction: every event has the same time, so pick the supervisor's by its context.
    event = events_for(profile).get(pgh_label="update", pgh_context__user=supervisor.pk)
    assert event.pgh_diff["presence"] == ["available", "offline"]
    assert event.pgh_context["action"] == "presence_set"


# --- capacity and order (rules 2, 3, 6) -------------------------------------------------------------


def test_a_full_person_gets_nothing_more_until_a_case_leaves_them(case_type):
    me = routed_staff(ENQUIRY_SKILL, capacity=1)
    first = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(first))
    waiting = routed_case(case_type)
    assert routing_of(waiting).state == State.AWAITING

    case_services.case_transition(actor=me, case=first, transition="resolve", reason="Advice given")
    assert load_of(me) == 1  # the freed place went straight to the waiting case
    assert pending_offer(waiting).user == me
    assert routing_of(first).state == State.NOT_ROUTABLE


def test_urgent_goes_before_normal_then_the_longest_waiting(case_type):
    me = routed_staff(ENQUIRY_SKILL, capacity=1, presence="offline")
    oldest = routed_case(case_type)
    routed_case(case_type)
    urgent = routed_case(case_type, priority=Case.Priority.URGENT)
    services.presence_set(actor=me, user=me, presence="available")
    assert list(Offer.objects.filter(user=me).values_list("case", flat=True)) == [urgent.pk]
    services.offer_decline(actor=me, offer=pending_offer(urgent))
    # Only I can take these: the urgent case comes back to me once everyone (me) has declined it.
    assert pending_offer(urgent).user == me
    assert pending_offer(oldest) is None


def test_more_capacity_takes_waiting_work_at_once(case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL, capacity=1)
    routed_case(case_type)
    waiting = routed_case(case_type)
    assert routing_of(waiting).state == State.AWAITING
    services.routing_profile_set(
        actor=supervisor, user=me, skills=RoutingProfile.objects.get(user=me).skills.all(), capacity=2, team=""
    )
    assert pending_offer(waiting).user == me
    assert load_of(me) == 2


# --- manual assignment and release (rule 8) ---------------------------------------------------------


def test_a_supervisor_assigns_by_hand_out_of_routing_and_offline_does_not_undo_it(case_type, supervisor):
    offered_to = routed_staff(ENQUIRY_SKILL)
    assignee = routed_staff(ENQUIRY_SKILL, capacity=1)
    case = routed_case(case_type)
    offer = pending_offer(case)
    assert offer.user == offered_to

    services.case_assign(actor=supervisor, case=case, user=assignee, reason="Knows the family")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    case.refresh_from_db()
    assert case.owner == assignee
    routing = routing_of(case)
    assert (routing.state, routing.assignee) == (State.MANUAL, assignee)
    assert (load_of(offered_to), load_of(assignee)) == (0, 0)  # manual work is not in the load
    event = events_for(case).get(pgh_label="update", pgh_context__user=supervisor.pk)
    assert event.pgh_diff["owner_id"] == [None, assignee.pk]

    services.presence_set(actor=assignee, user=assignee, presence="offline")
    case.refresh_from_db()
    assert (case.owner, routing_of(case).state) == (assignee, State.MANUAL)


def test_a_closed_case_reassigned_by_a_supervisor_stays_out_of_routing(case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(case))
    case_services.case_transition(actor=me, case=case, transition="resolve", reason="Advice given")
    services.case_assign(actor=supervisor, case=case, user=supervisor)
    case.refresh_from_db()
    routing = routing_of(case)
    assert (case.owner, routing.state, routing.assignee) == (supervisor, State.NOT_ROUTABLE, None)
    assert load_of(me) == 0


def test_caseworkers_cannot_assign_by_hand(case_type):
    potential = routed_staff(ENQUIRY_SKILL)
    other = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    with pytest.raises(errors.PermissionDenied):
        services.case_assign(actor=other, case=case, user=other)
    case.refresh_from_db()
    assert case.owner is None
    assert pending_offer(case).user == potential


def test_release_puts_the_case_back_to_awaiting_and_it_is_offered_again(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(case))
    services.presence_set(actor=me, user=me, presence="busy")

    services.case_release(actor=me, case=case, reason="Going on leave")
    case.refresh_from_db()
    routing = routing_of(case)
    assert (case.owner, routing.state, routing.assignee) == (None, State.AWAITING, None)
    assert load_of(me) == 0

    colleague = routed_staff(ENQUIRY_SKILL)
    assert pending_offer(case).user == colleague


def test_a_manual_case_released_by_a_supervisor_is_routed_again(case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    services.case_assign(actor=supervisor, case=case, user=me)
    services.case_release(actor=supervisor, case=case)
    assert routing_of(case).state == State.OFFERED
    assert pending_offer(case).user == me


def test_only_the_owner_or_a_supervisor_releases(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    other = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(case))
    with pytest.raises(errors.PermissionDenied):
        services.case_release(actor=other, case=case)
    case.refresh_from_db()
    assert (case.owner, routing_of(case).state) == (me, State.ACCEPTED)


def test_a_former_owner_cannot_release_with_a_stale_copy_of_the_case(case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL)
    colleague = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(case))
    mine = Case.objects.get(pk=case.pk)  # what my screen loaded while it was mine
    services.case_assign(actor=supervisor, case=case, user=colleague)
    with pytest.raises(errors.PermissionDenied):
        services.case_release(actor=me, case=mine)
    case.refresh_from_db()
    assert (case.owner, routing_of(case).state) == (colleague, State.MANUAL)


# --- a new chevron (rule 9) -----------------------------------------------------------------------


def test_a_status_change_reroutes_with_the_next_chevrons_skills_and_frees_the_holder(case_type):
    me = routed_staff(ENQUIRY_SKILL)
    assessor = routed_staff(ASSESSMENT_SKILL)
    case = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(case))
    assert load_of(me) == 1

    case_services.case_transition(actor=me, case=case, transition="assess")
    routing = routing_of(case)
    assert (routing.status, routing.state) == (Case.Status.ASSESSMENT, State.OFFERED)
    assert skill_codes(routing) == {ASSESSMENT_SKILL}
    assert pending_offer(case).user == assessor
    assert (load_of(me), load_of(assessor)) == (0, 1)


def test_a_status_change_ends_a_manual_assignment(case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL)
    assessor = routed_staff(ASSESSMENT_SKILL)
    case = routed_case(case_type)
    services.case_assign(actor=supervisor, case=case, user=me)
    case_services.case_transition(actor=me, case=case, transition="assess")
    assert pending_offer(case).user == assessor


def test_a_status_change_withdraws_a_pending_offer(case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL)
    assessor = routed_staff(ASSESSMENT_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    case_services.case_transition(actor=supervisor, case=case, transition="assess")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    assert (load_of(me), pending_offer(case).user) == (0, assessor)


def test_a_chevron_without_a_rule_is_not_routed(case_type):
    me = routed_staff(ENQUIRY_SKILL, ASSESSMENT_SKILL)
    case = routed_case(case_type)
    services.offer_accept(actor=me, offer=pending_offer(case))
    case_services.case_transition(actor=me, case=case, transition="assess")
    services.offer_accept(actor=me, offer=pending_offer(case))
    case_services.case_transition(actor=me, case=case, transition="agree_housing_plan")
    assert routing_of(case).state == State.NOT_ROUTABLE
    assert load_of(me) == 0
    case.refresh_from_db()
    assert case.owner == me


# --- the sweep job ------------------------------------------------------------------------------------


def test_the_sweep_times_out_a_lapsed_offer_and_offers_the_case_to_the_next_person(case_type):
    lapsed = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    next_one = routed_staff(ENQUIRY_SKILL, presence="busy")
    offer = pending_offer(case)
    services.presence_set(actor=next_one, user=next_one, presence="available")  # nothing waits for them yet
    assert pending_offer(case).user == lapsed

    with time_machine.travel(offer.expires_at + datetime.timedelta(minutes=1)):
        assert routing_sweep() == 1
        offer.refresh_from_db()
        assert (offer.status, offer.responded_at) == (Offer.Status.TIMED_OUT, offer.expires_at)
        assert pending_offer(case).user == next_one
        assert routing_of(case).excluded_user_ids == [lapsed.pk]
        assert (load_of(lapsed), load_of(next_one)) == (0, 1)
        offers = Offer.objects.count()

        assert routing_sweep() == 0
        assert Offer.objects.count() == offers
        assert pending_offer(case).user == next_one


def test_the_sweep_offers_what_still_waits(case_type):
    me = routed_staff(ENQUIRY_SKILL, presence="offline")
    case = routed_case(case_type)
    # The profile changed behind the services' back (e.g. a restore): only the sweep notices.
    RoutingProfile.objects.filter(user=me).update(presence="available", presence_changed_at=timezone.now())
    assert routing_sweep() == 1
    assert pending_offer(case).user == me
    assert routing_sweep() == 0


def test_loads_match_the_offers_and_cases_after_a_day_of_work(case_type, supervisor):
    a, b = routed_staff(ENQUIRY_SKILL, ASSESSMENT_SKILL), routed_staff(ENQUIRY_SKILL, ASSESSMENT_SKILL)
    cases = [routed_case(case_type) for _ in range(4)]
    services.offer_accept(actor=a, offer=pending_offer(cases[0]))
    services.offer_decline(actor=b, offer=pending_offer(cases[1]))
    services.case_assign(actor=supervisor, case=cases[2], user=b)
    services.presence_set(actor=a, user=a, presence="offline")
    case_services.case_transition(actor=a, case=cases[0], transition="assess")
    services.case_release(actor=supervisor, case=cases[2])
    assert routing.loads_reconcile() == 0


def test_the_offer_timeout_and_flood_guard_come_from_the_routing_settings(case_type):
    RoutingSettings.objects.update_or_create(pk=1, defaults={"offer_timeout_minutes": 5, "max_offers_per_minute": 2})
    me = routed_staff(ENQUIRY_SKILL, presence="offline")
    cases = [routed_case(case_type) for _ in range(3)]
    services.presence_set(actor=me, user=me, presence="available")
    offers = list(Offer.objects.filter(user=me))
    assert sorted(o.case_id for o in offers) == [cases[0].pk, cases[1].pk]  # the longest waiting two
    assert {o.expires_at - o.offered_at for o in offers} == {datetime.timedelta(minutes=5)}
    assert routing_sweep() == 0  # still the same minute

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert routing_sweep() == 1
    assert pending_offer(cases[2]).user == me


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_the_sweep_through_a_real_worker_on_redis():
    assert celery_app.conf.broker_url.startswith("redis://")
    lapsed = routed_staff(ENQUIRY_SKILL)
    case = routed_case(housing_options_routed())
    next_one = routed_staff(ENQUIRY_SKILL, presence="busy")
    services.presence_set(actor=None, user=next_one, presence="available")
    offer = pending_offer(case)
    assert offer.user == lapsed
    # The offer ran out an hour ago, and nothing has noticed yet.
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        routing_sweep.delay()
        # The worker acknowledges late: wait on the database, not a result backend.
        deadline = time.monotonic() + 90  # generous: a loaded CI machine is slow, a hang still fails
        while getattr(pending_offer(case), "user", None) != next_one:  # one read: the worker may commit between two
            assert time.monotonic() < deadline, "the worker never ran the sweep"
            time.sleep(0.2)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.TIMED_OUT
    assert (load_of(lapsed), load_of(next_one)) == (0, 1)
    assert routing_of(case).excluded_user_ids == [lapsed.pk]
