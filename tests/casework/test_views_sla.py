"""SLA badges and clocks on the staff pages: the worktray row and the case summary show on
track / amber / exceeded with the time to or since the target; the case's clocks section shows
each clock, its pauses and escalations; supervisors list the amber and exceeded cases."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework.models import Case, SlaRule, SlaRung, Workflow
from casework.services import cases as case_services
from casework.services.sweeps import clocks_sweep
from tests.casework.factories import CaseTypeFactory, ContactFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
OPENED = datetime.datetime(2026, 11, 23, 10, tzinfo=LONDON)  # a Monday


@pytest.fixture
def timed_case(caseworker):
    """A support case with a 2-working-day SLA, amber 4 working hours before, opened Monday 10:00
    and owned by the caseworker."""
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    rule = SlaRule.objects.create(
        name="Resolve in 2 working days", case_type=case_type, target_amount=2, target_unit="working_days"
    )
    SlaRung.objects.create(rule=rule, kind="amber", offset_amount=4, offset_unit="working_hours", notify_owner=True)
    SlaRung.objects.create(rule=rule, kind="exceeded", raise_priority=True)
    with time_machine.travel(OPENED, tick=False):
        return case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory())


@pytest.mark.parametrize(
    ("moment", "badge", "when"),
    [
        (datetime.datetime(2026, 11, 23, 12, tzinfo=LONDON), "On track", "due in 1 day"),
        (datetime.datetime(2026, 11, 24, 15, tzinfo=LONDON), "Amber", "due in 19 hours"),
        (datetime.datetime(2026, 11, 25, 13, tzinfo=LONDON), "Exceeded", "3 hours over"),
    ],
)
def test_the_worktray_and_the_case_show_the_sla_badge(client, caseworker, timed_case, moment, badge, when):
    client.force_login(caseworker)
    with time_machine.travel(moment, tick=False):
        worktray = client.get("/staff/").content.decode()
        page = client.get(f"/staff/cases/{timed_case.pk}/").content.decode()
    for html in (worktray, page):
        assert f">{badge}</strong>" in html
        assert when in html.replace("\xa0", " ")  # timesince keeps "19 hours" on one line


def test_the_clocks_section_shows_the_figures_pauses_and_escalations(client, caseworker, timed_case):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 14, tzinfo=LONDON), tick=False):
        clocks_sweep(kind="sla")
    client.force_login(caseworker)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 15, tzinfo=LONDON), tick=False):
        lazy = client.get(f"/staff/cases/{timed_case.pk}/").content.decode()
        assert "Show the SLA clocks, escalations and paths" in lazy
        html = client.get(
            f"/staff/cases/{timed_case.pk}/sections/clocks/", headers={"HX-Request": "true"}
        ).content.decode()
    assert "Resolve in 2 working days" in html
    assert "13h 00m / 3h 00m" in html  # Monday 10-17 and Tuesday 9-15 used; 3 working hours left
    assert "Escalations:" in html and "Amber warning" in html


def test_supervisors_list_amber_and_exceeded_cases(client, supervisor, caseworker, timed_case):
    client.force_login(supervisor)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 15, tzinfo=LONDON), tick=False):
        html = client.get("/staff/sla/").content.decode()
        assert timed_case.number in html and ">Amber</strong>" in html
        assert timed_case.number not in client.get("/staff/sla/?state=exceeded").content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 23, 11, tzinfo=LONDON), tick=False):
        assert timed_case.number not in client.get("/staff/sla/").content.decode()  # on track


def test_caseworkers_cannot_list_every_cases_sla(client, caseworker, timed_case):
    client.force_login(caseworker)
    assert client.get("/staff/sla/").status_code == 403


def test_a_paused_clock_says_it_waits(client, caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    rule = SlaRule.objects.create(
        name="Resolve", case_type=case_type, target_amount=2, target_unit="working_days", pause_statuses=["on_hold"]
    )
    SlaRung.objects.create(rule=rule, kind="exceeded", raise_priority=True)
    with time_machine.travel(OPENED, tick=False):
        case = case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory())
        case_services.case_transition(actor=caseworker, case=case, transition="start_work")
        case = Case.objects.get(pk=case.pk)
        case_services.case_transition(actor=caseworker, case=case, transition="put_on_hold", reason="Waiting")
    client.force_login(caseworker)
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert ">Paused</strong>" in html and "waiting on the applicant" in html
