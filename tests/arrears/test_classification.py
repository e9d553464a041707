"""The nightly run and per-account re-classification against the real database: facts derived
from transactions and the diary, arrangement breach checks, pausing, and letter automation that
sends each step once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from arrears.models import ActionDiaryEntry, Arrangement, AutomatedStep, PatchOfficer, PauseReason, RentAccount, RuleSet
from arrears.services import automation, legal
from arrears.services import diary as diary_services
from arrears.services.classification import account_explain, account_reclassify, accounts_classify, weekly_nudges_send
from casework.models import Task
from communications.models import Message
from core import errors
from tests.arrears.factories import MONDAY, NOW, TODAY, RentAccountFactory, account_in_arrears, diary, post
from tests.casework.factories import HouseholdFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wednesday")]


def letter_messages(account: RentAccount):
    return Message.objects.filter(
        regarding_type=ContentType.objects.get_for_model(RentAccount), regarding_id=account.pk
    ).order_by("id")


def automate(kind: str = "rent", classification: str = "send_letter_one", *, patches=()) -> AutomatedStep:
    RuleSet.objects.filter(kind=kind).update(automation_on=True)
    step = AutomatedStep.objects.get(rule_set__kind=kind, classification=classification)
    step.is_on = True
    step.save()
    step.patches.set(patches)
    return step


# --- derivation --------------------------------------------------------------------------------


def test_the_run_derives_balance_this_weeks_payments_collectable_arrears_and_last_payment():
    account = RentAccountFactory()
    post(account, "400", on=MONDAY - datetime.timedelta(days=14))
    post(account, "-50", on=MONDAY - datetime.timedelta(days=3))
    post(account, "100", on=MONDAY)  # this week's rent
    post(account, "-30", on=TODAY)  # this week's payment
    diary(account, "GMS", at=NOW - datetime.timedelta(days=2))
    diary(account, "VIU", at=NOW - datetime.timedelta(days=1))  # not a communication

    counts = accounts_classify()

    account.refresh_from_db()
    assert counts.classified == 1
    assert account.balance == Decimal("420.00")
    assert account.payments_this_week == Decimal("-30.00")
    # 420 less the absolute value of this week's net postings (100 - 30).
    assert account.collectable_arrears == Decimal("350.00")
    assert account.last_payment_on == TODAY
    assert (account.last_communication_code, account.last_action_code) == ("GMS", "VIU")
    assert account.in_scope is True
    # 350 less a week's grace (100 rent - 30 paid) is still over £10; a text does not hold letter 1 back.
    assert account.classification == "send_letter_one"


def test_letter_one_is_recommended_with_its_reason_and_stays_put_when_nothing_changes():
    account = account_in_arrears("250")
    accounts_classify()
    account.refresh_from_db()
    assert account.classification == "send_letter_one"
    assert account.classification_reason
    since = account.classification_since
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        counts = accounts_classify()
    account.refresh_from_db()
    assert counts.changed == 0
    assert account.classification_since == since


def test_accounts_out_of_scope_are_not_classified():
    secure = account_in_arrears("250")
    leasehold_rent = account_in_arrears("250", tenancy=TenancyFactory(tenure_type="assured"))
    in_credit = RentAccountFactory()
    post(in_credit, "-20", on=MONDAY - datetime.timedelta(days=10))

    accounts_classify()

    states = {a.pk: (a.in_scope, a.classification) for a in RentAccount.objects.all()}
    assert states[secure.pk] == (True, "send_letter_one")
    assert states[leasehold_rent.pk] == (False, "")
    assert states[in_credit.pk] == (False, "")  # §9: only a balance over the minimum is classified


def test_explain_gives_every_rule_up_to_the_one_that_fires():
    account = account_in_arrears("250")
    outcome = account_explain(account)
    assert outcome.classification == "send_letter_one"
    assert [step.rule for step in outcome.explanation][-1] == "send_letter_one"
    assert not any(step.fired for step in outcome.explanation[:-1])
    assert all(step.reason for step in outcome.explanation)


# --- the diary and pausing ------------------------------------------------------------------------


def test_a_diary_entry_reclassifies_the_account_at_once(caseworker):
    account = account_in_arrears("250")
    accounts_classify()
    diary_services.diary_add(actor=caseworker, account=account, code="C", comment="Spoke to the tenant.")
    account.refresh_from_db()
    # A phone call is a communication, but not a letter: letter 1 is still due.
    assert account.last_communication_code == "C"
    assert account.classification == "send_letter_one"
    entry = ActionDiaryEntry.objects.get(account=account, code="C")
    assert entry.created_by == caseworker and entry.source == "staff"


@pytest.mark.parametrize(
    ("code", "field"),
    [("IC1", "code"), ("ZZZ", "code")],
)
def test_system_codes_and_unknown_codes_are_refused_by_hand(caseworker, code, field):
    account = account_in_arrears()
    with pytest.raises(errors.ValidationError) as raised:
        diary_services.diary_add(actor=caseworker, account=account, code=code)
    assert field in raised.value.fields
    assert not ActionDiaryEntry.objects.filter(account=account).exists()


def test_a_backdated_entry_in_the_future_is_refused(caseworker):
    account = account_in_arrears()
    with pytest.raises(errors.ValidationError) as raised:
        diary_services.diary_add(
            actor=caseworker, account=account, code="C", occurred_at=NOW + datetime.timedelta(hours=1)
        )
    assert "occurred_at" in raised.value.fields


def test_pausing_holds_the_account_until_the_date_and_writes_the_reasons_code(caseworker):
    account = account_in_arrears("250")
    reason = PauseReason.objects.get(label="Promise of payment")
    diary_services.account_pause(
        actor=caseworker,
        account=account,
        until=TODAY + datetime.timedelta(days=3),
        reason=reason,
        comment="Pays Friday.",
    )
    account.refresh_from_db()
    assert account.is_paused() and account.classification == "no_action"
    entry = ActionDiaryEntry.objects.get(account=account, code="POP")
    assert "Paused to 21/11/2026" in entry.comment and "Pays Friday." in entry.comment

    # On the pause's last date the account is no longer paused ("paused until today" is not).
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        accounts_classify()
        account.refresh_from_db()
        assert not account.is_paused()
        assert account.classification == "send_letter_one"


@pytest.mark.parametrize(
    ("until", "comment", "field"),
    [
        (TODAY, "x", "until"),
        (TODAY - datetime.timedelta(days=1), "x", "until"),
        (TODAY + datetime.timedelta(days=1), " ", "comment"),
    ],
)
def test_a_pause_must_end_after_today_and_give_a_comment(caseworker, until, comment, field):
    account = account_in_arrears()
    reason = PauseReason.objects.get(label="Other")
    with pytest.raises(errors.ValidationError) as raised:
        diary_services.account_pause(actor=caseworker, account=account, until=until, reason=reason, comment=comment)
    assert field in raised.value.fields
    account.refresh_from_db()
    assert account.paused_until is None


def test_unpausing_early_returns_the_account_to_the_worktray(caseworker):
    account = account_in_arrears("250")
    reason = PauseReason.objects.get(label="Other")
    diary_services.account_pause(
        actor=caseworker, account=account, until=TODAY + datetime.timedelta(days=9), reason=reason, comment="Wait."
    )
    diary_services.account_unpause(actor=caseworker, account=account)
    account.refresh_from_db()
    assert account.paused_until is None and account.classification == "send_letter_one"
    with pytest.raises(errors.Conflict):
        diary_services.account_unpause(actor=caseworker, account=account)


# --- arrangements ------------------------------------------------------------------------------------


def test_an_informal_arrangement_breaches_when_instalments_are_missed_and_recovers_when_paid(caseworker):
    account = account_in_arrears("300")
    arrangement = legal.arrangement_create(
        actor=caseworker,
        account=account,
        kind="informal",
        frequency="weekly",
        instalment_amount=Decimal("20"),
        start_date=TODAY,
    )
    account.refresh_from_db()
    assert arrangement.starting_balance == Decimal("300.00")
    assert account.arrangement_state == "live" and account.classification == "no_action"
    assert ActionDiaryEntry.objects.filter(account=account, code="AGR").exists()

    # First instalment due 5 days (the tolerance) after the start; nothing paid by then.
    with time_machine.travel(NOW + datetime.timedelta(days=5), tick=False):
        accounts_classify()
    arrangement.refresh_from_db()
    account.refresh_from_db()
    assert arrangement.state == "breached" and arrangement.expected_balance == Decimal("280.00")
    assert account.classification == "send_informal_agreement_breach_letter"
    assert arrangement.history.first().state == "breached"

    post(account, "-40", on=TODAY + datetime.timedelta(days=6))
    with time_machine.travel(NOW + datetime.timedelta(days=6), tick=False):
        accounts_classify()
    arrangement.refresh_from_db()
    assert arrangement.state == "live"
    history = list(arrangement.history.values_list("state", flat=True))
    assert history == ["live", "breached", "live"]

    # Checking again with nothing changed writes no history row.
    with time_machine.travel(NOW + datetime.timedelta(days=6, hours=1), tick=False):
        accounts_classify()
    assert arrangement.history.count() == 3


def test_a_new_informal_arrangement_cancels_the_old_and_is_refused_while_a_court_one_is_active(caseworker):
    account = account_in_arrears("300")
    first = legal.arrangement_create(
        actor=caseworker,
        account=account,
        kind="informal",
        frequency="monthly",
        instalment_amount=Decimal("50"),
        start_date=TODAY,
    )
    legal.arrangement_create(
        actor=caseworker,
        account=account,
        kind="informal",
        frequency="weekly",
        instalment_amount=Decimal("15"),
        start_date=TODAY,
    )
    first.refresh_from_db()
    assert first.state == "cancelled"
    assert "New arrangement created" in first.history.first().description

    court = legal.court_case_record(actor=caseworker, account=account, court_date=NOW - datetime.timedelta(days=1))
    court = legal.court_outcome_record(
        actor=caseworker, court_case=court, outcome_code="SOT", terms=True, balance_on_outcome_date=Decimal("310")
    )
    formal = legal.arrangement_create(
        actor=caseworker,
        account=account,
        kind="formal",
        court_case=court,
        frequency="weekly",
        instalment_amount=Decimal("10"),
        start_date=TODAY,
    )
    assert formal.starting_balance == Decimal("310.00")
    assert Arrangement.objects.filter(account=account, state__in=["live", "breached"]).get() == formal
    with pytest.raises(errors.Conflict):
        legal.arrangement_create(
            actor=caseworker,
            account=account,
            kind="informal",
            frequency="weekly",
            instalment_amount=Decimal("5"),
            start_date=TODAY,
        )


def test_a_formal_arrangement_needs_its_court_case(caseworker):
    account = account_in_arrears("300")
    with pytest.raises(errors.ValidationError) as raised:
        legal.arrangement_create(
            actor=caseworker,
            account=account,
            kind="formal",
            frequency="weekly",
            instalment_amount=Decimal("5"),
            start_date=TODAY,
        )
    assert "court_case" in raised.value.fields


def test_court_outcomes_keep_unknown_codes_and_check_terms(caseworker):
    account = account_in_arrears("300")
    court = legal.court_case_record(actor=caseworker, account=account, court_date=NOW - datetime.timedelta(days=2))
    with pytest.raises(errors.ValidationError) as raised:
        legal.court_outcome_record(actor=caseworker, court_case=court, outcome_code="OPD", terms=True)
    assert "terms" in raised.value.fields
    with pytest.raises(errors.ValidationError):
        legal.court_outcome_record(actor=caseworker, court_case=court, outcome_code="SOT")
    legal.court_outcome_record(actor=caseworker, court_case=court, outcome_code="xyz")
    account.refresh_from_db()
    assert account.court_outcome_code == "XYZ"
    # An outcome is recorded, so "update court outcome" does not fire.
    assert account.classification != "update_court_outcome"


def test_a_hearing_in_the_future_cannot_have_an_outcome(caseworker):
    account = account_in_arrears("300")
    court = legal.court_case_record(actor=caseworker, account=account, court_date=NOW + datetime.timedelta(days=2))
    account.refresh_from_db()
    assert account.classification == "no_action"  # a future court date stops the ladder
    with pytest.raises(errors.Conflict):
        legal.court_outcome_record(actor=caseworker, court_case=court, outcome_code="OPD")


def test_the_nosp_ladder_from_service_to_court_warning(caseworker):
    account = account_in_arrears("600")  # six weeks' rent
    legal.nosp_record(actor=caseworker, account=account, served_on=TODAY - datetime.timedelta(days=10))
    account.refresh_from_db()
    assert account.nosp_served_on == TODAY - datetime.timedelta(days=10)
    # In its cooling-off period nothing is due; once active (3 months on) the warning letter is.
    assert account.classification == "no_action"
    with time_machine.travel(NOW + datetime.timedelta(days=95), tick=False):
        accounts_classify()
    account.refresh_from_db()
    assert account.classification == "send_court_warning_letter"


def test_an_eviction_stops_the_ladder(caseworker):
    account = account_in_arrears("250")
    legal.eviction_record(actor=caseworker, account=account, date=NOW - datetime.timedelta(days=400))
    account.refresh_from_db()
    assert account.classification == "no_action" and account.eviction_date is not None


# --- automation -------------------------------------------------------------------------------------


def test_nothing_is_sent_unless_the_master_switch_the_step_and_the_patch_all_allow_it():
    account = account_in_arrears("250")
    step = AutomatedStep.objects.get(rule_set__kind="rent", classification="send_letter_one")

    accounts_classify()  # everything off
    step.is_on = True
    step.save()
    accounts_classify()  # step on, master off
    RuleSet.objects.filter(kind="rent").update(automation_on=True)
    accounts_classify()  # on, but the patch is not on the allow-list
    assert not letter_messages(account).exists()

    step.patches.set([account.patch])
    counts = accounts_classify()
    assert counts.sent == 1
    message = letter_messages(account).get()
    entry = ActionDiaryEntry.objects.get(account=account, code="IC1")
    assert entry.message == message and entry.source == "system"
    account.refresh_from_db()
    assert account.classification == "no_action"  # re-classified in the same run (letter 1 sent)

    assert accounts_classify().sent == 0
    assert letter_messages(account).count() == 1


def test_a_crash_between_deciding_and_the_diary_write_leaves_nothing_and_the_rerun_sends_once(monkeypatch):
    account = account_in_arrears("250")
    automate(patches=[account.patch])
    real_write = automation.diary_write

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(automation, "diary_write", crash)
    with pytest.raises(RuntimeError):
        accounts_classify()
    assert not letter_messages(account).exists()
    assert not ActionDiaryEntry.objects.filter(account=account).exists()

    monkeypatch.setattr(automation, "diary_write", real_write)
    assert accounts_classify().sent == 1
    assert accounts_classify().sent == 0
    assert letter_messages(account).count() == 1
    assert ActionDiaryEntry.objects.filter(account=account, code="IC1").count() == 1


def test_a_decision_already_recorded_under_its_key_is_not_sent_again():
    account = account_in_arrears("250")
    step = automate(patches=[account.patch])
    accounts_classify()
    # The same decision again (the same account, step and last communication) finds the first.
    sent = automation.step_send(account.pk, step=step, last_communication_entry=None, now=NOW)
    assert sent == automation.ALREADY_SENT and letter_messages(account).count() == 1


def test_missing_letter_data_pauses_the_account_for_a_week_with_a_task(make_staff):
    account = account_in_arrears("250", tenancy=TenancyFactory(household=HouseholdFactory(head=False)))
    officer = PatchOfficer.objects.create(patch=account.patch, officer=make_staff(email="officer@test.example")).officer
    automate(patches=[account.patch])

    assert accounts_classify().sent == 0
    account.refresh_from_db()
    assert account.paused_until == TODAY + datetime.timedelta(days=7)
    assert account.pause_reason.label == "Missing data"
    entry = ActionDiaryEntry.objects.get(account=account, code="RMD")
    assert "Recipient's name" in entry.comment
    task = Task.objects.get(pk=entry.task_id)
    assert task.assignee == officer and "Recipient's name" in task.description
    assert letter_messages(account).get().status == Message.Status.BLOCKED

    # While paused nothing more happens; a week later, still missing, it pauses again.
    accounts_classify()
    assert ActionDiaryEntry.objects.filter(account=account, code="RMD").count() == 1
    with time_machine.travel(NOW + datetime.timedelta(days=7), tick=False):
        accounts_classify()
    assert ActionDiaryEntry.objects.filter(account=account, code="RMD").count() == 2
    assert letter_messages(account).count() == 1


def test_a_failed_letter_is_classified_for_review_until_someone_reviews_it(caseworker):
    account = account_in_arrears("250")
    automate(patches=[account.patch])
    accounts_classify()
    message = letter_messages(account).get()
    from communications.services import _fail

    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)
    _fail(message.pk, "validation-failed: address", source={Message.Status.SENT})

    account.refresh_from_db()
    assert account.classification == "review_failed_letter"
    assert ActionDiaryEntry.objects.filter(account=account, code="VFL").exists()

    diary_services.failed_letter_review(actor=caseworker, account=account)
    account.refresh_from_db()
    assert account.classification != "review_failed_letter"
    with pytest.raises(errors.Conflict):
        diary_services.failed_letter_review(actor=caseworker, account=account)


def test_the_weekly_nudge_texts_accounts_a_little_behind_once_a_week():
    account = account_in_arrears("7")
    automate(classification="send_first_sms", patches=[account.patch])
    accounts_classify()
    account.refresh_from_db()
    assert account.classification == "send_first_sms"
    assert not letter_messages(account).exists()  # texts go weekly, not nightly

    assert weekly_nudges_send() == 1
    message = letter_messages(account).get()
    assert message.channel == "sms"
    assert ActionDiaryEntry.objects.filter(account=account, code="GAT").count() == 1
    assert weekly_nudges_send() == 0


def test_reclassifying_one_account_sends_what_it_recommends():
    account = account_in_arrears("250")
    automate(patches=[account.patch])
    account_reclassify(account)
    assert letter_messages(account).count() == 1


def test_the_letter_button_sends_the_recommended_letter_once_even_with_automation_off(caseworker):
    account = account_in_arrears("250")
    accounts_classify()
    account.refresh_from_db()
    assert account.classification == "send_letter_one"

    assert automation.recommended_send(actor=caseworker, account=account) == automation.SENT

    account.refresh_from_db()
    entry = ActionDiaryEntry.objects.get(account=account, code="IC1")
    assert entry.created_by == caseworker and entry.source == "staff"
    assert letter_messages(account).count() == 1
    assert account.classification != "send_letter_one"
    # The page still showing Letter One: pressing again is refused, nothing sent twice.
    account.classification = "send_letter_one"
    with pytest.raises(errors.Conflict, match="changed"):
        automation.recommended_send(actor=caseworker, account=account)
    assert letter_messages(account).count() == 1


def test_the_letter_button_refuses_an_action_with_nothing_to_send(caseworker):
    account = account_in_arrears("3")
    accounts_classify()
    account.refresh_from_db()
    assert account.classification == "no_action"
    with pytest.raises(errors.Conflict, match="no letter or text"):
        automation.recommended_send(actor=caseworker, account=account)


@pytest.mark.django_db(transaction=True)
def test_the_nightly_run_on_parallel_workers_matches_one_batch_at_a_time(caseworker):
    """Outside a transaction the batches run on worker threads, each committing on its own
    connection: the result is the same as running them one by one."""
    accounts = [account_in_arrears(amount) for amount in ("250", "40", "900", "3", "125", "610", "75")]
    legal.nosp_record(actor=caseworker, account=accounts[2], served_on=TODAY - datetime.timedelta(days=40))

    parallel = accounts_classify(batch=2, workers=2)
    after_parallel = dict(RentAccount.objects.values_list("pk", "classification"))
    RentAccount.objects.update(classification="", in_scope=False)
    sequential = accounts_classify(batch=2, workers=1)

    assert parallel.classified == sequential.classified == len(accounts)
    assert dict(RentAccount.objects.values_list("pk", "classification")) == after_parallel
    assert {"send_letter_one", "no_action"} <= set(after_parallel.values())
