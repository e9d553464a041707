"""SLA clocks on the default calendar (Monday to Friday 09:00-17:00, England and Wales), with
frozen time: the ladder amber → exceeded → follow-on each fires once, pauses while the case
waits, resumes, stops when the case closes, and moves when its rule or calendar changes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework.models import Case, CaseActivity, Clock, ClosureDay, Notification, SlaRule, SlaRung, Workflow
from casework.selectors.calendars import default_calendar
from casework.services import cases as case_services
from casework.services.clocks import clocks_recalculate
from casework.services.sweeps import clocks_sweep
from tests.casework.factories import CaseTypeFactory, ContactFactory, TeamFactory, team_member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in the week of Monday 23 November 2026, London time."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def support_rule(db):
    """Support cases: 2 working days, amber 4 working hours before, a follow-on 1 working day
    after; on hold (waiting on the person) pauses the clock."""
    rule = SlaRule.objects.create(
        name="Resolve within 2 working days",
        case_type=CaseTypeFactory(workflow=Workflow.SUPPORT),
        target_amount=2,
        target_unit="working_days",
        pause_statuses=["on_hold"],
    )
    SlaRung.objects.create(rule=rule, kind="amber", offset_amount=4, offset_unit="working_hours", notify_owner=True)
    SlaRung.objects.create(
        rule=rule, kind="exceeded", raise_priority=True, add_escalation_skill=True, notify_team_leads=True
    )
    SlaRung.objects.create(rule=rule, kind="follow_on", offset_amount=1, offset_unit="working_days", notify_owner=True)
    return rule


@pytest.fixture
def opened(support_rule, caseworker):
    """A support case opened by the caseworker on Monday at 10:00 and started at once."""
    with time_machine.travel(at(23, 10), tick=False):
        case = case_services.case_create(
            actor=caseworker, case_type=support_rule.case_type, contact=ContactFactory(), description="Help"
        )
        case_services.case_transition(actor=caseworker, case=case, transition="start_work")
    return Case.objects.get(pk=case.pk)


def sweep(moment: datetime.datetime):
    with time_machine.travel(moment, tick=False):
        return clocks_sweep(kind="sla")


def test_a_case_clock_starts_with_the_case_and_knows_its_amber_and_target(opened, support_rule):
    clock = Clock.objects.get(case=opened)
    assert clock.rule == support_rule
    assert clock.state == Clock.State.RUNNING
    assert clock.target_at == at(25, 10)  # two working days on
    assert clock.warn_at == at(24, 14)  # four working hours before that
    assert clock.budget == datetime.timedelta(hours=16)
    assert (clock.elapsed, clock.remaining) == (datetime.timedelta(0), datetime.timedelta(hours=16))
    due = dict(clock.milestones.values_list("rung__kind", "due_at"))
    assert due == {"amber": at(24, 14), "exceeded": at(25, 10), "follow_on": at(26, 10)}


def test_amber_then_exceeded_then_follow_on_each_fire_once(opened, caseworker, supervisor):
    team = TeamFactory()
    team_member(team, caseworker)
    lead = team_member(team, supervisor)
    lead.is_lead = True
    lead.save()

    assert sweep(at(24, 13, 59)).fired == 0
    run = sweep(at(24, 14))
    assert (run.fired, run.error, run.finished_at is not None) == (1, "", True)
    assert sweep(at(24, 16)).fired == 0  # swept again: nothing new
    assert list(Notification.objects.filter(kind="sla").values_list("recipient", flat=True)) == [caseworker.pk]
    case = Case.objects.get(pk=opened.pk)
    assert (case.priority, case.is_escalated) == ("normal", False)

    assert sweep(at(25, 10)).fired == 1
    case = Case.objects.get(pk=opened.pk)
    assert (case.priority, case.is_escalated) == ("urgent", True)
    clock = Clock.objects.get(case=opened)
    assert clock.breached_at == at(25, 10)
    assert set(Notification.objects.filter(kind="sla").values_list("recipient", flat=True)) == {
        caseworker.pk,
        supervisor.pk,
    }

    assert sweep(at(26, 9, 59)).fired == 0
    assert sweep(at(26, 10)).fired == 1
    assert sweep(at(30, 10)).fired == 0
    fired = list(
        clock.milestones.filter(fired_at__isnull=False).order_by("due_at").values_list("rung__kind", flat=True)
    )
    assert fired == ["amber", "exceeded", "follow_on"]
    feed = list(
        CaseActivity.objects.filter(case=opened, kind=CaseActivity.Kind.SLA)
        .order_by("at")
        .values_list("summary", flat=True)
    )
    assert feed == [
        "Amber warning: Resolve within 2 working days — told the owner",
        "Target exceeded: Resolve within 2 working days — made urgent; escalated; told the team leads",
        "Follow-on escalation: Resolve within 2 working days — told the owner",
    ]


def test_a_sweep_that_is_late_fires_every_rung_that_came_due_once(opened):
    assert sweep(at(30, 12)).fired == 3
    assert sweep(at(30, 12)).fired == 0


def test_waiting_on_the_person_pauses_the_clock_and_resuming_counts_on(opened, caseworker):
    # Running Monday 10-17 (7h) and Tuesday 9-12 (3h): 10 of 16 hours used when put on hold.
    with time_machine.travel(at(24, 12), tick=False):
        case_services.case_transition(
            actor=caseworker, case=opened, transition="put_on_hold", reason="Waiting for their GP letter"
        )
    clock = Clock.objects.get(case=opened)
    assert clock.state == Clock.State.PAUSED
    assert (clock.elapsed, clock.remaining) == (datetime.timedelta(hours=10), datetime.timedelta(hours=6))
    assert clock.target_at is None and clock.warn_at is None  # unknown until it resumes
    assert sweep(at(26, 11)).fired == 0  # the old deadlines have passed, but nothing is due while paused

    with time_machine.travel(at(26, 12), tick=False):
        case_services.case_transition(actor=caseworker, case=Case.objects.get(pk=opened.pk), transition="start_work")
    clock.refresh_from_db()
    assert clock.state == Clock.State.RUNNING
    assert clock.warn_at == at(26, 14)  # 2 more working hours
    assert clock.target_at == at(27, 10)  # 6 more: Thursday 12-17, then Friday 9-10
    assert clock.pauses.get().ended_at == at(26, 12)
    assert sweep(at(26, 14)).fired == 1
    assert sweep(at(27, 10)).fired == 1


def test_closing_the_case_stops_its_clocks_and_nothing_more_fires(opened, caseworker):
    with time_machine.travel(at(24, 9), tick=False):
        case_services.case_transition(actor=caseworker, case=opened, transition="resolve", reason="Sorted")
    clock = Clock.objects.get(case=opened)
    assert clock.state == Clock.State.STOPPED
    assert clock.stopped_at == at(24, 9)
    assert clock.elapsed == datetime.timedelta(hours=7)
    assert clock.breached_at is None
    assert not clock.milestones.filter(due_at__isnull=False).exists()
    assert sweep(at(30, 12)).fired == 0


def test_changing_the_rule_or_the_calendar_moves_open_clocks(opened, support_rule):
    support_rule.target_amount = 3
    support_rule.save()
    clocks_recalculate(rule_id=support_rule.pk)
    clock = Clock.objects.get(case=opened)
    assert clock.target_at == at(26, 10)

    calendar = default_calendar()
    ClosureDay.objects.create(calendar=calendar, day=datetime.date(2026, 11, 24), reason="Office move")
    clocks_recalculate(calendar_id=calendar.pk)
    clock.refresh_from_db()
    assert clock.target_at == at(27, 10)  # Tuesday no longer counts

    support_rule.is_active = False
    support_rule.save()
    clocks_recalculate(rule_id=support_rule.pk)
    clock.refresh_from_db()
    assert clock.state == Clock.State.STOPPED


def test_a_sweep_that_crashes_keeps_whole_chunks_and_the_next_run_does_the_rest(support_rule, caseworker, monkeypatch):
    from casework.services import sweeps

    with time_machine.travel(at(23, 10), tick=False):
        cases = [
            case_services.case_create(actor=caseworker, case_type=support_rule.case_type, contact=ContactFactory())
            for _ in range(5)
        ]
    real_act, calls = sweeps._act, []

    def dies_on_the_second_chunk(fired, now):
        calls.append(len(fired))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_act(fired, now)

    monkeypatch.setattr(sweeps, "_act", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError), time_machine.travel(at(24, 14), tick=False):
        clocks_sweep(kind="sla", chunk=2)
    assert Clock.objects.filter(milestones__fired_at__isnull=False).count() == 2
    assert CaseActivity.objects.filter(kind="sla").count() == 2
    run = sweeps.SweepRun.objects.get()
    assert (run.fired, run.error) == (2, "RuntimeError: worker lost")

    monkeypatch.setattr(sweeps, "_act", real_act)
    assert sweep(at(24, 14)).fired == 3
    assert sweep(at(24, 14)).fired == 0
    assert CaseActivity.objects.filter(kind="sla").count() == 5
    assert {c.pk for c in cases} == set(CaseActivity.objects.filter(kind="sla").values_list("case", flat=True))


def test_a_task_rule_times_the_task_until_it_is_done(caseworker):
    from casework.services import tasks as task_services

    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    rule = SlaRule.objects.create(
        name="Call back within 4 working hours",
        case_type=case_type,
        applies_to="task",
        task_kind="callback",
        target_amount=4,
        target_unit="working_hours",
    )
    SlaRung.objects.create(rule=rule, kind="exceeded", notify_owner=True)
    with time_machine.travel(at(23, 15), tick=False):
        case = case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory())
        task = task_services.task_create(
            actor=caseworker, case=case, kind="callback", subject="Ring back", assignee=caseworker
        )
    clock = Clock.objects.get(task=task)
    assert clock.target_at == at(24, 11)
    with time_machine.travel(at(24, 10), tick=False):
        task_services.task_complete(actor=caseworker, task=task)
    clock.refresh_from_db()
    assert (clock.state, clock.elapsed, clock.breached_at) == ("stopped", datetime.timedelta(hours=3), None)
