"""The rental-assistance timeouts, with frozen time: an application sent back to draft closes as
timed out 14 days later unless resubmitted; one waiting for its landlord closes after 21 days;
each reminds the applicant 3 days before; each closure is on the feed and in the audit trail;
switched off per programme; a timeout sweep run twice closes once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pghistory.models import Events

from casework.models import Case, CaseActivity, Clock, SlaRule, SweepRun, Workflow
from casework.services import cases as case_services
from casework.services.clocks import timeout_rules_install
from casework.services.sweeps import clock_messages_send, clocks_sweep
from communications.models import Message
from core.models import User
from core.services import user_create
from tests.casework.factories import CaseTypeFactory, tenant_case

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SENT_BACK = datetime.datetime(2026, 11, 23, 10, tzinfo=LONDON)


def days_after(days: float) -> datetime.datetime:
    return SENT_BACK + datetime.timedelta(days=days)


def sweep(moment: datetime.datetime, kind: str = "timeout"):
    with time_machine.travel(moment, tick=False):
        return clocks_sweep(kind=kind)


@pytest.fixture
def programme(db):
    case_type = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    timeout_rules_install(case_type)
    return case_type


@pytest.fixture
def tenant_user(db) -> User:
    return user_create(actor=None, email="tina@test.example", kind=User.Kind.TENANT)


@pytest.fixture
def sent_back(programme, caseworker, tenant_user):
    case = tenant_case(status="chaser", applicant=tenant_user)
    with time_machine.travel(SENT_BACK, tick=False):
        case_services.case_send_back_to_draft(actor=caseworker, case=case, reason="Send your tenancy agreement")
    return Case.objects.get(pk=case.pk)


def test_every_tenant_programme_starts_with_both_timeouts_and_their_reminders(programme):
    rules = {rule.status: rule for rule in SlaRule.objects.filter(case_type=programme, kind="timeout")}
    assert set(rules) == {"draft", "application_match"}
    assert (rules["draft"].target_label, rules["draft"].start_on_creation) == ("14 days (calendar)", False)
    assert rules["application_match"].target_label == "21 days (calendar)"
    for rule in rules.values():
        ladder = {rung.kind: rung for rung in rule.rungs.all()}
        assert ladder["amber"].notify_applicant and ladder["amber"].offset_amount == 3
        assert ladder["exceeded"].close_case
    assert timeout_rules_install(programme) == []  # installed once


def test_a_fresh_draft_is_not_timed(programme, tenant_user):
    case = case_services.application_start(actor=tenant_user, case_type=programme)
    assert case.status == "draft"
    assert not Clock.objects.filter(case=case).exists()


def test_sent_back_to_draft_reminds_at_11_days_and_closes_at_14(sent_back):
    clock = Clock.objects.get(case=sent_back, rule__status="draft")
    assert clock.target_at == days_after(14)
    assert clock.warn_at == days_after(11)

    assert sweep(days_after(11) - datetime.timedelta(minutes=1)).fired == 0
    assert sweep(days_after(11)).fired == 1
    reminder = clock.milestones.get(rung__kind="amber")
    assert reminder.messages_pending
    assert clock_messages_send(milestone_ids=[reminder.pk]) == 1
    assert clock_messages_send(milestone_ids=[reminder.pk]) == 0  # a repeated job sends nothing more
    message = Message.objects.get()
    assert (message.channel, message.regarding_id) == ("email", sent_back.pk)
    assert "within 3 days" in message.body
    reminder.refresh_from_db()
    assert not reminder.messages_pending

    assert sweep(days_after(14), kind="sla").fired == 0  # the SLA sweep leaves timeouts alone
    assert sweep(days_after(14) - datetime.timedelta(minutes=1)).fired == 0
    run = sweep(days_after(14))
    assert (run.fired, run.cases_changed) == (1, 1)
    case = Case.objects.get(pk=sent_back.pk)
    assert (case.status, case.closure_stage, case.status_before_close) == ("closed", "timed_out", "draft")
    assert case.closed_at == days_after(14)
    entry = case.activities.get(kind=CaseActivity.Kind.STATUS_CHANGED, to_status="closed")
    assert (entry.summary, entry.from_status) == ("Timed out: Draft → Closed (Timed out)", "draft")
    assert "14 days (calendar) passed" in entry.reason
    closing = Events.objects.tracks(case).filter(pgh_data__status="closed").get()
    assert closing.pgh_context["action"] == "timeout_sweep"
    assert closing.pgh_context["user"] is None
    assert not Clock.objects.filter(case=case).exclude(state="stopped").exists()

    assert sweep(days_after(20)).fired == 0
    assert Case.objects.get(pk=case.pk).activities.filter(to_status="closed").count() == 1


def test_resubmitting_in_time_stops_the_draft_timeout(sent_back, tenant_user):
    with time_machine.travel(days_after(5), tick=False):
        case_services.case_submit(actor=tenant_user, case=sent_back, signed_name="Tina Tenant")
    draft_clock = Clock.objects.get(case=sent_back, rule__status="draft")
    assert draft_clock.state == "stopped"
    assert sweep(days_after(15)).fired == 0
    assert Case.objects.get(pk=sent_back.pk).status == "application_match"
    # Now waiting for the landlord: 21 days from the resubmission.
    match_clock = Clock.objects.get(case=sent_back, rule__status="application_match")
    assert match_clock.target_at == days_after(26)


def test_waiting_for_the_landlord_closes_after_21_days_and_can_be_switched_off(programme, tenant_user):
    waiting = tenant_case(applicant=tenant_user)
    switched_off = tenant_case(applicant=tenant_user)
    with time_machine.travel(SENT_BACK, tick=False):
        case_services.case_submit(actor=tenant_user, case=waiting, signed_name="Tina Tenant")
        rule = SlaRule.objects.get(case_type=programme, status="application_match")
        rule.is_active = False
        rule.save()
        case_services.case_submit(actor=tenant_user, case=switched_off, signed_name="Tina Tenant")
        rule.is_active = True
        rule.save()
    assert not Clock.objects.filter(case=switched_off).exists()
    assert sweep(days_after(18)).fired == 1  # the reminder
    assert sweep(days_after(21)).fired == 1
    assert Case.objects.get(pk=waiting.pk).closure_stage == "timed_out"
    assert Case.objects.get(pk=switched_off.pk).status == "application_match"


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_the_timeout_sweep_through_a_real_worker_reminds_then_closes_once(caseworker, tenant_user):
    """Beat's job on a real worker over Redis: the reminder (sent by the job the sweep queues)
    and the closure each happen once, however often the sweep runs."""
    import time

    from celery.contrib.testing.worker import start_worker

    from casework import tasks as jobs
    from config.celery import app as celery_app

    case_type = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    timeout_rules_install(case_type)
    case = tenant_case(status="chaser", applicant=tenant_user)
    sent_back = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    with time_machine.travel(sent_back, tick=False):
        case_services.case_send_back_to_draft(actor=caseworker, case=case, reason="Send your payslips")

    def sweep_until(done, what: str) -> None:
        for _ in range(3):
            jobs.timeout_sweep.delay()
        deadline = time.monotonic() + 90  # generous: a loaded CI machine is slow, a hang still fails
        while not done():
            assert time.monotonic() < deadline, f"the worker never {what}"
            time.sleep(0.2)
        time.sleep(1)  # a repeat would have run by now

    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        # The worker runs in this process, so it shares the travelled clock.
        with time_machine.travel(sent_back + datetime.timedelta(days=12), tick=True):
            sweep_until(lambda: Message.objects.filter(regarding_id=case.pk).exists(), "sent the reminder")
            assert Case.objects.get(pk=case.pk).status == "draft"
        with time_machine.travel(sent_back + datetime.timedelta(days=15), tick=True):
            sweep_until(lambda: Case.objects.filter(pk=case.pk, closure_stage="timed_out").exists(), "closed it")
    assert Case.objects.get(pk=case.pk).activities.filter(to_status="closed").count() == 1
    assert Message.objects.filter(regarding_id=case.pk).count() == 1
    assert sum(run.fired for run in SweepRun.objects.filter(kind="timeout")) == 2
