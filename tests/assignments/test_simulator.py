"""The routing rules of issue 4 (1-10), each stated as a simulator scenario with the log and final
state it must produce; then the simulator itself: nothing it does is kept, live routing data is
neither seen nor touched, and bad scenarios are refused with one sentence and exit status 2."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingProfileSkill, RoutingSettings, Skill
from casework.models import Case, CaseType
from core.models import User
from tests.assignments.factories import RoutingProfileFactory, SkillFactory
from tests.assignments.scenario_helpers import case, entry, ev, finals, loads, play, scenario, staff, t
from tests.casework.factories import CaseFactory

pytestmark = pytest.mark.django_db


# --- rule 2: eligible staff are available, hold every skill, and have room -------------------------


def test_a_case_goes_only_to_someone_holding_all_its_skills():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "chaser", "lang-pl"), staff("s3", "lang-pl")],
            cases=[case("c1", "chaser", "lang-pl"), case("c2", "chaser", "lang-pl", "escalation")],
        )
    )
    assert out["log"] == [entry("09:00", "offered", "c1", "s2"), entry("09:00", "awaiting", "c2")]
    assert finals(out) == {"c1": ("offered", "s2"), "c2": ("awaiting_assignment", None)}
    assert loads(out) == {"s1": 0, "s2": 1, "s3": 0}


def test_load_counts_offers_and_accepted_cases_but_not_cases_assigned_by_hand():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=2)],
            cases=[
                case("c1", "chaser", ready="09:00"),
                case("c2", "chaser", ready="09:01"),
                case("c3", "chaser", ready="09:02"),
            ],
            events=[
                ev("09:05", "accept", case="c1", staff="s1"),
                ev("09:06", "assign", case="c2", staff="s1"),
                ev("09:07", "add_case", case=case("c4", "chaser", ready="09:07")),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "offered", "c2", "s1"),
        entry("09:02", "awaiting", "c3"),  # full: two offers
        entry("09:05", "accepted", "c1", "s1"),  # accepting does not free anything
        entry("09:06", "withdrawn", "c2", "s1"),
        entry("09:06", "assigned", "c2", "s1"),  # c2 leaves the load, so c3 fits
        entry("09:06", "offered", "c3", "s1"),
        entry("09:07", "awaiting", "c4"),  # c1 accepted + c3 offered = capacity 2
    ]
    assert finals(out) == {
        "c1": ("accepted", "s1"),
        "c2": ("manual", "s1"),
        "c3": ("offered", "s1"),
        "c4": ("awaiting_assignment", None),
    }
    assert loads(out) == {"s1": 2}


# --- rule 3: urgent before normal, then longest waiting ------------------------------------------


def test_urgent_cases_go_first_then_the_longest_waiting():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=3, presence="offline")],
            cases=[
                case("c1", "chaser", ready="09:00"),
                case("c2", "chaser", ready="09:10", priority="urgent"),
                case("c3", "chaser", ready="08:50"),
                case("c4", "chaser", ready="09:20", priority="urgent"),
            ],
            events=[ev("09:30", "presence", staff="s1", presence="available")],
        )
    )
    assert out["log"] == [
        entry("08:50", "awaiting", "c3"),
        entry("09:00", "awaiting", "c1"),
        entry("09:10", "awaiting", "c2"),
        entry("09:20", "awaiting", "c4"),
        entry("09:30", "offered", "c2", "s1"),
        entry("09:30", "offered", "c4", "s1"),
        entry("09:30", "offered", "c3", "s1"),
    ]
    assert finals(out)["c1"] == ("awaiting_assignment", None)


def test_cases_ready_at_the_same_instant_are_routed_urgent_first_whatever_their_order():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=1)],
            cases=[case("c1", "chaser"), case("c2", "chaser", priority="urgent")],
        )
    )
    assert out["log"] == [entry("09:00", "offered", "c2", "s1"), entry("09:00", "awaiting", "c1")]


def test_a_declined_case_keeps_its_original_wait():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=1), staff("s2", "chaser", capacity=1)],
            cases=[
                case("c1", "chaser", ready="09:00"),
                case("c2", "chaser", ready="09:01"),
                case("c3", "chaser", ready="09:15"),
            ],
            events=[
                ev("09:02", "accept", case="c1", staff="s1"),
                ev("09:19", "presence", staff="s2", presence="busy"),
                ev("09:20", "decline", case="c2", staff="s2"),
                ev("09:30", "close", case="c1"),
            ],
        )
    )
    assert out["log"][-5:] == [
        entry("09:15", "awaiting", "c3"),
        entry("09:20", "declined", "c2", "s2"),
        entry("09:20", "awaiting", "c2"),
        entry("09:30", "closed", "c1"),
        # c2 has waited since 09:01, not since its decline at 09:20, so it goes before c3 (09:15).
        entry("09:30", "offered", "c2", "s1"),
    ]
    assert finals(out)["c3"] == ("awaiting_assignment", None)


@pytest.mark.parametrize(
    "freeing_event",
    [
        ev("09:10", "release", case="c1"),
        ev("09:10", "status_change", case="c1", skills=["chaser"]),
        ev("09:10", "decline", case="c1", staff="s1"),
    ],
    ids=["release", "status_change", "decline"],
)
def test_a_freed_slot_goes_to_the_waiting_urgent_case_not_back_to_the_case_that_freed_it(freeing_event):
    """Engine fix: routing after a change used to offer the affected case before the backlog, so
    a released, re-chevroned or declined normal case took back the slot it freed while an urgent
    case that had waited longer for exactly that slot stayed awaiting."""
    accept = [ev("09:01", "accept", case="c1", staff="s1")] if freeing_event["type"] != "decline" else []
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=1)],
            cases=[case("c1", "chaser", ready="09:00"), case("c2", "chaser", ready="09:02", priority="urgent")],
            events=[*accept, freeing_event],
        )
    )
    at_1010 = [line for line in out["log"] if line["at"] == t("09:10")]
    assert entry("09:10", "offered", "c2", "s1") in at_1010
    assert entry("09:10", "awaiting", "c1") == at_1010[-1]
    assert finals(out) == {"c1": ("awaiting_assignment", None), "c2": ("offered", "s1")}


def test_a_lapsed_offer_frees_its_slot_for_the_waiting_urgent_case():
    out = play(
        scenario(
            settings={"offer_timeout_minutes": 30},
            staff=[staff("s1", "chaser", capacity=1)],
            cases=[case("c1", "chaser", ready="09:00"), case("c2", "chaser", ready="09:05", priority="urgent")],
            events=[ev("09:45", "tick")],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:05", "awaiting", "c2"),
        entry("09:30", "timed_out", "c1", "s1"),
        entry("09:30", "offered", "c2", "s1"),
        entry("09:30", "awaiting", "c1"),
    ]


# --- rule 4: least active, then whoever was offered work longest ago, then a stable order -----------


def test_least_active_person_then_oldest_last_offer_then_stable_order():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "chaser"), staff("s3", "chaser")],
            cases=[case(f"c{n}", "chaser", ready=f"09:0{n - 1}") for n in (1, 2, 3)]
            + [case("c4", "chaser", ready="09:04"), case("c5", "chaser", ready="09:05")],
            events=[ev("09:03", "accept", case="c1", staff="s1"), ev("09:06", "decline", case="c3", staff="s3")],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),  # nobody has work: stable order
        entry("09:01", "offered", "c2", "s2"),  # least active
        entry("09:02", "offered", "c3", "s3"),
        entry("09:03", "accepted", "c1", "s1"),
        entry("09:04", "offered", "c4", "s1"),  # all on 1: s1's last offer (09:00) is the oldest
        entry("09:05", "offered", "c5", "s2"),  # s2 (09:01) before s3 (09:02)
        entry("09:06", "declined", "c3", "s3"),
        entry("09:06", "offered", "c3", "s1"),  # s3 declined; s1 and s2 on 2, s1 offered longer ago
    ]
    assert loads(out) == {"s1": 3, "s2": 2, "s3": 0}


# --- rule 5: decline and timeout ---------------------------------------------------------------------


def test_a_declined_case_goes_round_everyone_eligible_before_anyone_gets_it_again():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "chaser"), staff("s3", "chaser"), staff("s4", "reviewer")],
            cases=[case("c1", "chaser")],
            events=[
                ev("09:01", "decline", case="c1", staff="s1"),
                ev("09:02", "decline", case="c1", staff="s2"),
                ev("09:03", "decline", case="c1", staff="s3"),
                ev("09:04", "decline", case="c1", staff="s1"),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "declined", "c1", "s1"),
        entry("09:01", "offered", "c1", "s2"),
        entry("09:02", "declined", "c1", "s2"),
        entry("09:02", "offered", "c1", "s3"),  # not s1, though s1's last offer is older
        entry("09:03", "declined", "c1", "s3"),
        entry("09:03", "offered", "c1", "s1"),  # everyone declined: a new round, all eligible
        entry("09:04", "declined", "c1", "s1"),
        entry("09:04", "offered", "c1", "s2"),  # the new round remembers s1 again
    ]


def test_a_decliner_is_not_offered_the_case_again_even_when_least_active():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "chaser", "reviewer")],
            cases=[case("c0", "reviewer", ready="08:00"), case("c1", "chaser", ready="09:00")],
            events=[ev("08:01", "accept", case="c0", staff="s2"), ev("09:01", "decline", case="c1", staff="s1")],
        )
    )
    assert out["log"][-3:] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "declined", "c1", "s1"),
        entry("09:01", "offered", "c1", "s2"),  # s2 holds 1 case, s1 none, but s1 declined
    ]


def test_an_offer_times_out_after_the_configured_minutes_and_goes_to_the_next_person():
    out = play(
        scenario(
            settings={"offer_timeout_minutes": 30},
            staff=[staff("s1", "chaser"), staff("s2", "chaser")],
            cases=[case("c1", "chaser")],
            events=[ev("10:15", "tick")],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:30", "timed_out", "c1", "s1"),  # when it lapsed, not when the next event came
        entry("09:30", "offered", "c1", "s2"),
        entry("10:00", "timed_out", "c1", "s2"),
        entry("10:00", "offered", "c1", "s1"),  # both let it lapse: everyone again
    ]
    assert loads(out) == {"s1": 1, "s2": 0}


def test_an_offer_cannot_be_accepted_once_it_has_lapsed():
    out = play(
        scenario(
            settings={"offer_timeout_minutes": 30},
            staff=[staff("s1", "chaser"), staff("s2", "chaser")],
            cases=[case("c1", "chaser")],
            events=[ev("09:30", "accept", case="c1", staff="s1")],
        )
    )
    assert out["log"][-1] == entry("09:30", "offered", "c1", "s2")
    assert out["ignored"] == [
        {
            "at": t("09:30"),
            "type": "accept",
            "case": "c1",
            "staff": "s1",
            "reason": "Case c1 is not offered to s1 then: it is offered to s2.",
        }
    ]
    assert finals(out) == {"c1": ("offered", "s2")}


# --- rule 6: awaiting assignment, offered as soon as someone can take it --------------------------


def test_a_waiting_case_is_offered_when_someone_comes_online_frees_capacity_or_gains_capacity():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=1, presence="offline"), staff("s2", "chaser", capacity=1)],
            cases=[
                case("c1", "chaser", ready="09:00"),
                case("c2", "chaser", ready="09:01"),
                case("c3", "chaser", ready="09:06"),
                case("c4", "chaser", ready="09:20"),
            ],
            events=[
                ev("09:05", "presence", staff="s1", presence="available"),
                ev("09:10", "accept", case="c1", staff="s2"),
                ev("09:15", "close", case="c1"),
                ev("09:25", "capacity", staff="s1", capacity=2),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s2"),
        entry("09:01", "awaiting", "c2"),
        entry("09:05", "offered", "c2", "s1"),  # came online
        entry("09:06", "awaiting", "c3"),
        entry("09:10", "accepted", "c1", "s2"),
        entry("09:15", "closed", "c1"),
        entry("09:15", "offered", "c3", "s2"),  # closing c1 freed s2
        entry("09:20", "awaiting", "c4"),
        entry("09:25", "offered", "c4", "s1"),  # more capacity
    ]
    assert finals(out) == {
        "c1": ("closed", None),
        "c2": ("offered", "s1"),
        "c3": ("offered", "s2"),
        "c4": ("offered", "s1"),
    }
    assert loads(out) == {"s1": 2, "s2": 1}


def test_closing_an_offered_case_withdraws_the_offer_and_later_events_on_it_are_ignored():
    out = play(
        scenario(
            staff=[staff("s1", "chaser")],
            cases=[case("c1", "chaser")],
            events=[ev("09:05", "close", case="c1"), ev("09:06", "accept", case="c1", staff="s1")],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:05", "withdrawn", "c1", "s1"),
        entry("09:05", "closed", "c1"),
    ]
    assert [i["reason"] for i in out["ignored"]] == ["Case c1 is closed."]
    assert loads(out) == {"s1": 0}


# --- rule 7: offline and busy --------------------------------------------------------------------------


def test_going_offline_withdraws_pending_offers_to_others_and_keeps_accepted_cases():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=5), staff("s2", "chaser", capacity=5)],
            cases=[
                case("c1", "chaser", ready="09:00"),
                case("c2", "chaser", ready="09:02"),
                case("c3", "chaser", ready="09:03"),
                case("c4", "chaser", ready="09:15"),
            ],
            events=[
                ev("09:01", "accept", case="c1", staff="s1"),
                ev("09:10", "presence", staff="s1", presence="offline"),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "accepted", "c1", "s1"),
        entry("09:02", "offered", "c2", "s2"),
        entry("09:03", "offered", "c3", "s1"),  # both on 1; s1's last offer is older
        entry("09:10", "withdrawn", "c3", "s1"),
        entry("09:10", "offered", "c3", "s2"),
        entry("09:15", "offered", "c4", "s2"),
    ]
    assert finals(out)["c1"] == ("accepted", "s1")
    assert loads(out) == {"s1": 1, "s2": 3}


def test_busy_staff_keep_their_offers_and_can_accept_them_but_get_no_new_ones():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "chaser")],
            cases=[case(f"c{n}", "chaser", ready=clock) for n, clock in enumerate(["09:00", "09:01"], 1)]
            + [case("c3", "chaser", ready="09:06"), case("c4", "chaser", ready="09:11")]
            + [case("c5", "chaser", ready="09:21")],
            events=[
                ev("09:05", "presence", staff="s1", presence="busy"),
                ev("09:10", "accept", case="c1", staff="s1"),
                ev("09:20", "presence", staff="s1", presence="available"),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "offered", "c2", "s2"),
        entry("09:06", "offered", "c3", "s2"),  # s1's turn (older last offer), but busy
        entry("09:10", "accepted", "c1", "s1"),
        entry("09:11", "offered", "c4", "s2"),
        entry("09:21", "offered", "c5", "s1"),
    ]
    assert loads(out) == {"s1": 2, "s2": 3}


# --- rules 1 and 8: manual assignment --------------------------------------------------------------


def test_a_case_assigned_by_hand_survives_its_owner_going_offline_until_released():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "chaser")],
            cases=[case("c1", "chaser")],
            events=[
                ev("09:01", "assign", case="c1", staff="s2"),
                ev("09:02", "presence", staff="s2", presence="offline"),
                ev("09:03", "tick"),
                ev("09:04", "release", case="c1"),
                ev("09:05", "release", case="c1"),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "withdrawn", "c1", "s1"),
        entry("09:01", "assigned", "c1", "s2"),
        entry("09:04", "released", "c1"),  # offline and a sweep left it alone; release routes it
        entry("09:04", "offered", "c1", "s1"),
    ]
    assert out["ignored"] == [
        {
            "at": t("09:05"),
            "type": "release",
            "case": "c1",
            "staff": None,
            "reason": "Nobody holds case c1 to release it: it is offered to s1.",
        }
    ]


def test_a_status_change_ends_a_manual_assignment_and_routes_with_the_new_skills():
    out = play(
        scenario(
            staff=[staff("s1", "chaser"), staff("s2", "reviewer")],
            cases=[case("c1", "chaser")],
            events=[
                ev("09:01", "accept", case="c1", staff="s1"),
                ev("09:02", "assign", case="c1", staff="s2"),
                ev("09:03", "assign", case="c1", staff="s2"),
                ev("09:04", "status_change", case="c1", skills=["reviewer"]),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "accepted", "c1", "s1"),
        entry("09:02", "assigned", "c1", "s2"),  # reassigned by hand: out of s1's load
        entry("09:04", "offered", "c1", "s2"),
    ]
    assert [i["reason"] for i in out["ignored"]] == ["Case c1 is already assigned by hand to s2."]
    assert loads(out) == {"s1": 0, "s2": 1}


# --- rule 9: a status change routes the case with the next chevron's skills ---------------------------


def test_a_status_change_frees_the_holders_capacity_and_routes_with_the_new_skills():
    out = play(
        scenario(
            staff=[staff("s1", "chaser", capacity=1), staff("s2", "case_manager")],
            cases=[case("c1", "chaser", ready="09:00"), case("c2", "chaser", ready="09:02")],
            events=[
                ev("09:01", "accept", case="c1", staff="s1"),
                ev("09:10", "status_change", case="c1", skills=["case_manager"]),
            ],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:01", "accepted", "c1", "s1"),
        entry("09:02", "awaiting", "c2"),
        entry("09:10", "offered", "c2", "s1"),  # s1's slot is free again
        entry("09:10", "offered", "c1", "s2"),  # the case manager chevron
    ]
    assert loads(out) == {"s1": 1, "s2": 1}


# --- rule 10: the flood guard -----------------------------------------------------------------------


def test_at_most_n_offers_per_person_per_minute_the_rest_on_a_sweep_after_the_minute():
    cases = [case(f"c{n}", "chaser") for n in range(1, 12)]
    out = play(
        scenario(
            settings={"max_offers_per_minute": 10},
            staff=[staff("s1", "chaser")],
            cases=cases,
            events=[ev("09:00:30", "tick"), ev("09:01", "tick")],
        )
    )
    assert out["log"] == [
        *(entry("09:00", "offered", f"c{n}", "s1") for n in range(1, 11)),
        entry("09:00", "awaiting", "c11"),
        entry("09:01", "offered", "c11", "s1"),  # not at 09:00:30: still within the minute
    ]


def test_someone_back_from_leave_gets_their_backlog_a_minute_at_a_time():
    out = play(
        scenario(
            settings={"max_offers_per_minute": 3},
            staff=[staff("s1", "chaser", presence="offline")],
            cases=[case(f"c{n}", "chaser", ready="08:00") for n in range(1, 8)],
            events=[
                ev("10:00", "presence", staff="s1", presence="available"),
                ev("10:00:30", "add_case", case=case("c8", "chaser", ready="10:00:30")),
                ev("10:01", "tick"),
                ev("10:02", "tick"),
            ],
        )
    )
    offered = [(line["at"], line["case"]) for line in out["log"] if line["event"] == "offered"]
    assert offered == [
        *((t("10:00"), f"c{n}") for n in (1, 2, 3)),
        *((t("10:01"), f"c{n}") for n in (4, 5, 6)),
        *((t("10:02"), f"c{n}") for n in (7, 8)),
    ]
    assert entry("10:00:30", "awaiting", "c8") in out["log"]


# --- the clock ---------------------------------------------------------------------------------------


def test_offers_lapse_in_time_order_each_at_its_own_expiry_before_a_later_event():
    out = play(
        scenario(
            settings={"offer_timeout_minutes": 10},
            staff=[staff("s1", "chaser", capacity=1), staff("s2", "reviewer", capacity=1)],
            cases=[case("c1", "chaser", ready="09:00"), case("c2", "reviewer", ready="09:05")],
            events=[ev("09:20", "accept", case="c1", staff="s1")],
        )
    )
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:05", "offered", "c2", "s2"),
        entry("09:10", "timed_out", "c1", "s1"),
        entry("09:10", "offered", "c1", "s1"),  # the only one who can: a new round
        entry("09:15", "timed_out", "c2", "s2"),
        entry("09:15", "offered", "c2", "s2"),
        entry("09:20", "timed_out", "c1", "s1"),  # due at the event's instant: lapses first
        entry("09:20", "offered", "c1", "s1"),
        entry("09:20", "accepted", "c1", "s1"),  # the new offer
    ]
    assert finals(out) == {"c1": ("accepted", "s1"), "c2": ("offered", "s2")}


# --- the simulator: nothing kept, live data untouched ------------------------------------------------

KEPT = [User, Case, CaseType, Skill, Offer, CaseRouting, RoutingProfile, RoutingProfileSkill, RoutingSettings]

BUSY_DAY = scenario(
    settings={"offer_timeout_minutes": 15, "max_offers_per_minute": 2},
    staff=[staff("s1", "chaser", "made-up-skill"), staff("s2", "chaser", presence="offline")],
    cases=[case("c1", "chaser"), case("c2", "made-up-skill", priority="urgent"), case("c3", "chaser")],
    events=[
        ev("09:05", "accept", case="c1", staff="s1"),
        ev("09:06", "presence", staff="s2", presence="available"),
        ev("09:07", "assign", case="c3", staff="s2"),
        ev("09:08", "add_case", case=case("c4", "chaser", ready="09:08")),
        ev("09:09", "status_change", case="c1", skills=["reviewer"]),
        ev("09:10", "close", case="c2"),
        ev("09:11", "capacity", staff="s1", capacity=5),
        ev("09:40", "tick"),
    ],
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in KEPT}


def test_a_simulation_keeps_nothing():
    RoutingSettings.objects.create(pk=1, offer_timeout_minutes=60, max_offers_per_minute=10)
    before = _counts()
    out = play(BUSY_DAY)
    assert len(out["log"]) > 8
    assert _counts() == before
    assert not Skill.objects.filter(code__in=["made-up-skill", "reviewer"]).exists()
    assert RoutingSettings.objects.values_list("offer_timeout_minutes", "max_offers_per_minute").get() == (60, 10)


def test_live_staff_and_cases_are_neither_offered_nor_changed_and_live_settings_are_the_defaults():
    chaser = SkillFactory(code="chaser")
    live_person = RoutingProfileFactory(skills=[chaser], skill_ids=[chaser.pk], available=True)
    live_case = CaseFactory()
    CaseRouting.objects.create(
        case=live_case, state=CaseRouting.State.AWAITING, skill_ids=[chaser.pk], waiting_since="2020-01-01T00:00Z"
    )
    RoutingSettings.objects.create(pk=1, offer_timeout_minutes=45)
    out = play(scenario(staff=[staff("s1", "chaser")], cases=[case("c1", "chaser")], events=[ev("09:50", "tick")]))
    # The live case (waiting since 2020) is not offered to s1, nor c1 to the live person (who would
    # come first in the stable order); the offer lapses after the live 45 minutes.
    assert out["log"] == [
        entry("09:00", "offered", "c1", "s1"),
        entry("09:45", "timed_out", "c1", "s1"),
        entry("09:45", "offered", "c1", "s1"),
    ]
    live_person.refresh_from_db()
    assert (live_person.load, live_person.last_offered_at) == (0, None)
    assert CaseRouting.objects.get(pk=live_case.pk).state == CaseRouting.State.AWAITING
    assert not Offer.objects.exists()


def test_the_step_hook_sees_every_step_inside_the_run():
    steps = []

    def hook(step):
        steps.append((step.kind, step.at, len(step.log), Offer.objects.filter(status="pending").count()))

    out = play(BUSY_DAY, on_step=hook)
    kinds = [kind for kind, *_ in steps]
    assert kinds.count("ready") == 1  # c1, c2 and c3 are all ready at 09:00
    assert kinds.count("expiry") >= 1
    assert [k for k in kinds if k not in ("ready", "expiry")] == [e["type"] for e in BUSY_DAY["events"]]
    assert sum(n for _, _, n, _ in steps) == len(out["log"])
    assert [at for _, at, _, _ in steps] == sorted(at for _, at, _, _ in steps)


# --- the command ---------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_prints_the_result_as_json(tmp_path):
    stdout = StringIO()
    call_command("routing_simulate", str(_write(tmp_path, json.dumps(BUSY_DAY))), stdout=stdout)
    assert json.loads(stdout.getvalue()) == play(BUSY_DAY)


def test_the_command_reads_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", StringIO(json.dumps(BUSY_DAY)))
    stdout = StringIO()
    call_command("routing_simulate", "-", stdout=stdout)
    assert json.loads(stdout.getvalue())["final"] == play(BUSY_DAY)["final"]


def test_an_empty_scenario_prints_an_empty_result(tmp_path):
    stdout = StringIO()
    call_command("routing_simulate", str(_write(tmp_path, '{"staff": [], "cases": [], "events": []}')), stdout=stdout)
    assert json.loads(stdout.getvalue()) == {"log": [], "final": {"cases": {}, "staff": {}}, "ignored": []}


def _bad(**changes):
    data = json.loads(json.dumps(BUSY_DAY))
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return json.dumps(data)


_DELETE = object()

BAD_SCENARIOS = {
    "malformed_json": (
        '{"staff": [\n  {"id": "s1"\n]}',
        "The scenario is not valid JSON: Expecting ',' delimiter at line 3, column 1.",
    ),
    "not_an_object": ("[]", "The scenario must be a JSON object with staff, cases and events."),
    "unknown_top_level_field": (
        _bad(staf=[]),
        'The scenario has an unknown field "staf" (expected settings, staff, cases, events).',
    ),
    "no_events": (_bad(events=_DELETE), 'The scenario has no "events" list.'),
    "bad_setting": (
        _bad(settings__offer_timeout_minutes=0),
        "settings.offer_timeout_minutes must be a whole number of at least 1, not 0.",
    ),
    "staff_without_skills": (_bad(staff__0__skills=_DELETE), 'staff[0] ("s1") is missing "skills".'),
    "staff_without_id": (_bad(staff__1__id=_DELETE), 'staff[1] is missing "id".'),
    "bad_presence": (
        _bad(staff__1__presence="away"),
        'staff[1] ("s2") presence "away" is not one of available, busy, offline.',
    ),
    "bad_capacity": (
        _bad(staff__0__capacity=0),
        'staff[0] ("s1") capacity must be a whole number from 1 to 1000, not 0.',
    ),
    "duplicate_staff": (_bad(staff__1__id="s1"), 'The staff id "s1" is used more than once.'),
    "case_without_ready_at": (_bad(cases__2__ready_at=_DELETE), 'cases[2] ("c3") is missing "ready_at".'),
    "bad_time": (
        _bad(cases__0__ready_at="Monday 9am"),
        'cases[0] ("c1") ready_at "Monday 9am" is not an ISO 8601 date and time, e.g. 2025-01-06T09:00:00Z.',
    ),
    "bad_priority": (_bad(cases__0__priority="high"), 'cases[0] ("c1") priority "high" is not normal or urgent.'),
    "unknown_event_type": (
        _bad(events__1__type="reassign"),
        'events[1] has an unknown type "reassign"; the types are tick, accept, decline, presence, assign, release, '
        "status_change, close, add_case, capacity.",
    ),
    "unknown_staff": (
        _bad(events__0__staff="s9"),
        f'events[0] (accept at {t("09:05")}) names staff "s9", who is not in the scenario.',
    ),
    "unknown_case": (
        _bad(events__0__case="c9"),
        f'events[0] (accept at {t("09:05")}) names case "c9", which is not in the scenario.',
    ),
    "case_before_it_arrives": (
        _bad(events__2__case="c4"),
        f'events[2] (assign at {t("09:07")}) names case "c4", which only arrives at {t("09:08")}.',
    ),
    "missing_event_field": (_bad(events__0__staff=_DELETE), f'events[0] (accept at {t("09:05")}) is missing "staff".'),
    "event_presence": (
        _bad(events__1__presence="lunch"),
        f'events[1] (presence at {t("09:06")}) presence "lunch" is not one of available, busy, offline.',
    ),
    "event_field_of_another_type": (
        _bad(events__7__case="c1"),
        f'events[7] (tick at {t("09:40")}) has an unknown field "case" (expected at, type).',
    ),
    "out_of_order": (
        _bad(events__3__at=t("09:01")),
        f"events[3] (add_case at {t('09:01')}) comes before events[2] at {t('09:07')}: "
        "events must be in chronological order.",
    ),
    "duplicate_case": (
        _bad(events__3__case__id="c1"),
        'The case id "c1" is used more than once.',
    ),
}


@pytest.mark.parametrize("text, message", BAD_SCENARIOS.values(), ids=BAD_SCENARIOS.keys())
def test_a_bad_scenario_is_refused_with_one_sentence_and_status_2(tmp_path, text, message):
    before = _counts()
    with pytest.raises(CommandError) as raised:
        call_command("routing_simulate", str(_write(tmp_path, text)), stdout=StringIO())
    assert (raised.value.returncode, str(raised.value)) == (2, message)
    assert _counts() == before


def test_a_missing_file_is_refused_with_status_2(tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("routing_simulate", str(tmp_path / "nowhere.json"))
    assert raised.value.returncode == 2
    assert str(raised.value) == f"There is no file at {tmp_path / 'nowhere.json'}."


def test_from_the_shell_bad_input_exits_2_with_the_sentence_on_stderr(tmp_path):
    path = _write(tmp_path, BAD_SCENARIOS["unknown_staff"][0])
    # The scenario is checked before the database is touched, so the test settings' default is enough.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "routing_simulate", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-1] == f"CommandError: {BAD_SCENARIOS['unknown_staff'][1]}"
