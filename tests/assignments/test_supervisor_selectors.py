"""The supervisor view's data: everyone's load, the backlog by skill set, and why a case is not
offered. State is arranged with rows as the router would have left them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assignments import selectors
from assignments.models import CaseRouting, Offer, RoutingSettings
from core import errors
from core.permissions import is_supervisor
from tests.assignments.factories import SkillFactory
from tests.assignments.factories_routing import (
    CaseRoutingFactory,
    OfferFactory,
    RoutingRuleFactory,
    StaffProfileFactory,
)
from tests.casework.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _awaiting(skills, **fields) -> CaseRouting:
    """A case awaiting assignment on a chevron that has a routing rule."""
    routing = CaseRoutingFactory(skills=skills, **fields)
    RoutingRuleFactory(case_type=routing.case.case_type, status=routing.case.status)
    return routing


def _offered_lately(skills, *, seconds_ago: int, offers: int, **fields):
    """Someone available who has had `offers` offers in the flood guard's window, which began
    `seconds_ago` before NOW."""
    window_start = NOW - datetime.timedelta(seconds=seconds_ago)
    return StaffProfileFactory(
        available=True, skills=skills, offer_window_start=window_start, offers_in_window=offers, **fields
    )


def _explain(user, case, now=NOW):
    return selectors.case_routing_explanation(user=user, case=case, now=now)


# --- why a case is not offered ---------------------------------------------------------------------


def test_no_one_holds_some_of_the_skills(caseworker):
    chaser, somali, patch = SkillFactory(code="chaser"), SkillFactory(code="lang-so"), SkillFactory(code="patch-n02")
    StaffProfileFactory(available=True, skills=[chaser])
    StaffProfileFactory(available=True, skills=[somali], user__is_active=False)  # a leaver holds nothing
    routing = _awaiting([patch, chaser, somali])

    explanation = _explain(caseworker, routing.case)

    assert explanation.routable is True
    assert explanation.state == "awaiting"
    assert explanation.reason == "skills_not_held"
    assert explanation.required_skills == ["chaser", "lang-so", "patch-n02"]
    assert explanation.missing_skills == ["lang-so", "patch-n02"]
    assert explanation.summary == "No one holds the skills lang-so, patch-n02."
    assert explanation.waiting_since == routing.waiting_since
    assert explanation.holders == 0


def test_one_missing_skill_reads_in_the_singular(caseworker):
    chaser, somali = SkillFactory(code="chaser"), SkillFactory(code="lang-so")
    StaffProfileFactory(skills=[chaser])
    explanation = _explain(caseworker, _awaiting([chaser, somali]).case)
    assert explanation.summary == "No one holds the skill lang-so."


def test_each_skill_is_held_but_no_one_holds_them_all(caseworker):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl")
    StaffProfileFactory(available=True, skills=[chaser])
    StaffProfileFactory(available=True, skills=[polish])
    explanation = _explain(caseworker, _awaiting([chaser, polish]).case)
    assert explanation.reason == "skills_not_held_together"
    assert explanation.missing_skills == []
    assert explanation.holders == 0
    assert explanation.summary == "No one holds all of the skills needed together (chaser, lang-pl)."


def test_the_holders_are_offline_or_full(caseworker):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl")
    StaffProfileFactory.create_batch(2, skills=[chaser, polish])  # offline
    StaffProfileFactory(full=True, capacity=100, skills=[chaser, polish])
    StaffProfileFactory(available=True, skills=[chaser])  # lacks Polish: not counted
    explanation = _explain(caseworker, _awaiting([chaser, polish]).case)
    assert explanation.reason == "no_one_eligible"
    assert (explanation.holders, explanation.offline, explanation.full, explanation.eligible) == (3, 2, 1, 0)
    assert explanation.summary == "3 people hold every skill needed: 2 are offline and 1 is full (100 of 100)."


def test_each_holder_is_counted_once_busy_flood_guarded_declined_or_eligible(caseworker):
    chaser = SkillFactory(code="chaser")
    StaffProfileFactory(busy=True, skills=[chaser])
    _offered_lately([chaser], seconds_ago=30, offers=10)
    # The flood guard's minute is over, and nine offers is under the limit: both can take it.
    _offered_lately([chaser], seconds_ago=61, offers=10)
    _offered_lately([chaser], seconds_ago=5, offers=9)
    decliner = StaffProfileFactory(available=True, skills=[chaser])
    # Offline and declined: counted as offline, not twice.
    lapsed = StaffProfileFactory(skills=[chaser])
    routing = _awaiting([chaser], excluded_user_ids=[decliner.user_id, lapsed.user_id])

    explanation = _explain(caseworker, routing.case)

    figures = (explanation.holders, explanation.offline, explanation.busy, explanation.full)
    assert figures == (6, 1, 1, 0)
    assert (explanation.flood_guarded, explanation.excluded, explanation.eligible) == (1, 1, 2)
    assert explanation.reason == "eligible"
    assert explanation.round_complete is False
    assert explanation.summary == (
        "6 people hold every skill needed: 1 is offline, 1 is busy, 1 has had 10 offers in the last minute "
        "(the flood guard), 1 declined it or let an offer lapse this round and 2 can take it now. "
        "It will be offered on the next routing pass."
    )


def test_the_flood_guard_uses_the_configured_limit(caseworker):
    RoutingSettings.objects.update_or_create(pk=1, defaults={"max_offers_per_minute": 3})
    chaser = SkillFactory(code="chaser")
    _offered_lately([chaser], seconds_ago=10, offers=3)
    _offered_lately([chaser], seconds_ago=0, offers=4)
    explanation = _explain(caseworker, _awaiting([chaser]).case)
    assert (explanation.flood_guarded, explanation.eligible) == (2, 0)
    assert explanation.reason == "no_one_eligible"
    assert explanation.summary == (
        "2 people hold every skill needed: 2 have had 3 offers in the last minute (the flood guard)."
    )
    # A minute later the same people are eligible.
    later = _explain(caseworker, _awaiting([chaser]).case, now=NOW + datetime.timedelta(seconds=60))
    assert (later.flood_guarded, later.eligible) == (0, 2)


def test_when_everyone_who_could_take_it_declined_the_round_starts_again(caseworker):
    chaser = SkillFactory(code="chaser")
    people = StaffProfileFactory.create_batch(2, available=True, skills=[chaser])
    StaffProfileFactory(skills=[chaser])  # offline: not someone who could take it
    routing = _awaiting([chaser], excluded_user_ids=[p.user_id for p in people])
    explanation = _explain(caseworker, routing.case)
    assert explanation.reason == "round_complete"
    assert explanation.round_complete is True
    assert (explanation.excluded, explanation.eligible, explanation.offline) == (2, 0, 1)
    assert explanation.summary == (
        "3 people hold every skill needed: 1 is offline and 2 declined it or let an offer lapse this round. "
        "Everyone who could take it has declined it or let it lapse, so the round starts again."
    )


def test_the_round_is_not_over_while_someone_who_has_not_declined_is_held_back(caseworker):
    chaser = SkillFactory(code="chaser")
    decliner = StaffProfileFactory(available=True, skills=[chaser])
    _offered_lately([chaser], seconds_ago=0, offers=10)
    explanation = _explain(caseworker, _awaiting([chaser], excluded_user_ids=[decliner.user_id]).case)
    assert explanation.round_complete is False
    assert explanation.reason == "no_one_eligible"
    assert (explanation.flood_guarded, explanation.excluded) == (1, 1)


def test_one_holder_reads_in_the_singular(caseworker):
    chaser = SkillFactory(code="chaser")
    StaffProfileFactory(full=True, capacity=5, skills=[chaser])
    explanation = _explain(caseworker, _awaiting([chaser]).case)
    assert explanation.summary == "1 person holds every skill needed: 1 is full (5 of 5)."


def test_two_full_people_are_counted_without_figures(caseworker):
    chaser = SkillFactory(code="chaser")
    StaffProfileFactory.create_batch(2, full=True, skills=[chaser])
    assert _explain(caseworker, _awaiting([chaser]).case).summary == ("2 people hold every skill needed: 2 are full.")


def test_a_closed_case_is_not_routable(caseworker):
    case = CaseFactory(status="closed")
    RoutingRuleFactory(case_type=case.case_type, status="chaser")
    explanation = _explain(caseworker, case)
    assert (explanation.routable, explanation.reason, explanation.state) == (False, "closed", "not_routable")
    assert explanation.summary == "The case is closed: closed cases are not routed."


@pytest.mark.parametrize("rule", ["none", "inactive", "other chevron"])
def test_a_chevron_without_an_active_rule_is_not_routable(caseworker, rule):
    case = CaseFactory(status="payment")
    if rule == "inactive":
        RoutingRuleFactory(case_type=case.case_type, status="payment", is_active=False)
    elif rule == "other chevron":
        RoutingRuleFactory(case_type=case.case_type, status="chaser")
    explanation = _explain(caseworker, case)
    assert (explanation.routable, explanation.reason) == (False, "no_rule")
    assert explanation.summary == (
        "The Payment chevron of Rental assistance: tenant application needs no one: there is no routing rule for it."
    )


def test_a_manually_assigned_case_is_not_routable(caseworker):
    owner = StaffProfileFactory(user__first_name="Maya", user__last_name="Khan").user
    routing = CaseRoutingFactory(state=CaseRouting.State.MANUAL, assignee=owner, waiting_since=None)
    RoutingRuleFactory(case_type=routing.case.case_type, status="chaser")
    explanation = _explain(caseworker, routing.case)
    assert (explanation.routable, explanation.reason, explanation.person) == (False, "manually_assigned", owner)
    assert explanation.summary.startswith("Assigned by hand to Maya Khan: it stays out of routing")


def test_an_offered_case_names_its_potential_owner(caseworker):
    routing = _awaiting([], state=CaseRouting.State.OFFERED)
    offer = OfferFactory(case=routing.case, user__first_name="Rhys", user__last_name="Evans")
    OfferFactory(case=routing.case, status=Offer.Status.DECLINED)  # an earlier offer
    explanation = _explain(caseworker, routing.case)
    assert (explanation.routable, explanation.reason, explanation.person) == (True, "offered", offer.user)
    assert explanation.offer_expires_at == offer.expires_at
    until = timezone.localtime(offer.expires_at)
    assert explanation.summary == f"Offered to Rhys Evans, who has until {until:%H:%M} to accept."


def test_an_accepted_case_names_its_owner(caseworker):
    owner = StaffProfileFactory(user__first_name="Rana", user__last_name="Ali").user
    routing = _awaiting([], state=CaseRouting.State.ACCEPTED, assignee=owner)
    explanation = _explain(caseworker, routing.case)
    assert (explanation.reason, explanation.person, explanation.summary) == ("accepted", owner, "Accepted by Rana Ali.")


@pytest.mark.parametrize("arrange", ["no routing row", "not routable row", "row for the previous chevron"])
def test_a_routed_chevron_the_router_has_not_reached_yet(caseworker, arrange):
    case = CaseFactory(status="case_manager")
    RoutingRuleFactory(case_type=case.case_type, status="case_manager")
    if arrange == "not routable row":
        CaseRoutingFactory(case=case, state=CaseRouting.State.NOT_ROUTABLE, waiting_since=None)
    elif arrange == "row for the previous chevron":
        CaseRoutingFactory(case=case, status="chaser")
    explanation = _explain(caseworker, case)
    assert (explanation.routable, explanation.reason) == (True, "not_yet_routed")
    assert explanation.summary == "The Case manager chevron is routed, but the router has not picked this case up yet."


def test_only_staff_may_ask_why(applicant):
    routing = _awaiting([SkillFactory()])
    with pytest.raises(errors.PermissionDenied):
        _explain(applicant, routing.case)


# --- the backlog by skill set ------------------------------------------------------------------------


def test_the_backlog_groups_waiting_cases_by_skill_set_in_one_group_by(supervisor):
    chaser, polish, patch = SkillFactory(code="chaser"), SkillFactory(code="lang-pl"), SkillFactory(code="patch-a")
    oldest = NOW - datetime.timedelta(days=3)
    CaseRoutingFactory(skills=[chaser, polish], waiting_since=oldest)
    CaseRoutingFactory(skills=[polish, chaser], urgent=True)  # the same set, listed the other way round
    CaseRoutingFactory(skills=[chaser, polish], urgent=True)
    CaseRoutingFactory(skills=[patch], waiting_since=oldest - datetime.timedelta(hours=1))
    CaseRoutingFactory(skills=[patch, chaser])
    # Not waiting: offered, accepted or not routed.
    CaseRoutingFactory(skills=[patch], state=CaseRouting.State.OFFERED)
    CaseRoutingFactory(skills=[patch], state=CaseRouting.State.ACCEPTED, assignee=StaffProfileFactory().user)
    CaseRoutingFactory(skills=[patch], state=CaseRouting.State.NOT_ROUTABLE)
    is_supervisor(supervisor)  # the role check's own query, out of the count

    with CaptureQueriesContext(connection) as queries:
        groups = selectors.backlog_by_skill_set_for(user=supervisor)

    assert [(g.skills, g.cases, g.urgent) for g in groups] == [
        (["chaser", "lang-pl"], 3, 2),
        (["patch-a"], 1, 0),  # ties on size: the longest wait first
        (["chaser", "patch-a"], 1, 0),
    ]
    assert groups[0].oldest_waiting_since == oldest
    assert groups[0].skill_ids == sorted([chaser.pk, polish.pk])
    assert groups[1].oldest_waiting_since == oldest - datetime.timedelta(hours=1)
    assert len(queries) == 2
    assert sum("GROUP BY" in q["sql"] for q in queries.captured_queries) == 1


def test_an_empty_backlog(supervisor):
    assert selectors.backlog_by_skill_set_for(user=supervisor) == []


def test_the_backlog_and_everyone_s_load_are_for_supervisors(caseworker, applicant):
    for user in (caseworker, applicant):
        with pytest.raises(errors.PermissionDenied):
            selectors.backlog_by_skill_set_for(user=user)
        with pytest.raises(errors.PermissionDenied):
            selectors.staff_load_for(user=user)


# --- everyone's load ---------------------------------------------------------------------------------


def test_staff_load_shows_presence_load_offers_and_accepted_cases_in_one_query(supervisor):
    offered_at = NOW - datetime.timedelta(minutes=5)
    worker = StaffProfileFactory(
        available=True, load=3, capacity=10, team="Rents", last_offered_at=offered_at, presence_changed_at=NOW
    )
    OfferFactory.create_batch(2, user=worker.user)
    OfferFactory(user=worker.user, status=Offer.Status.DECLINED, responded_at=NOW)
    CaseRoutingFactory(state=CaseRouting.State.ACCEPTED, assignee=worker.user)
    CaseRoutingFactory(state=CaseRouting.State.MANUAL, assignee=worker.user)  # not dynamic: not counted
    idle = StaffProfileFactory()
    OfferFactory(status=Offer.Status.PENDING)  # someone without a routing profile
    is_supervisor(supervisor)

    with CaptureQueriesContext(connection) as queries:
        rows = {profile.pk: profile for profile in selectors.staff_load_for(user=supervisor)}

    assert len(queries) == 1
    row = rows[worker.pk]
    assert (row.user, row.team, row.presence, row.presence_changed_at) == (worker.user, "Rents", "available", NOW)
    assert (row.load, row.capacity, row.pending_offers, row.accepted_cases) == (3, 10, 2, 1)
    assert row.last_offered_at == offered_at
    idle_row = rows[idle.pk]
    assert (idle_row.presence, idle_row.load, idle_row.pending_offers, idle_row.accepted_cases) == ("offline", 0, 0, 0)
    assert idle_row.last_offered_at is None
    assert set(rows) == {worker.pk, idle.pk}


def test_a_chevron_needing_no_skills_with_no_staff_at_all(caseworker):
    explanation = _explain(caseworker, _awaiting([]).case)
    assert (explanation.reason, explanation.required_skills) == ("skills_not_held_together", [])
    assert explanation.summary == "No member of staff has a routing profile."
