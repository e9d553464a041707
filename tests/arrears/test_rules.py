"""The arrears rules (arrears.rules) against ../shared/arrears-rules.md: every rule fires on its
own case and is blocked by each of its conditions, the date boundaries of §10, the escalation
ladder of §7.1, the explanation, the settings, and invariants over arbitrary facts. No database."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from arrears.rules import (
    RULE_ORDER,
    RULES,
    Classification,
    Facts,
    Outcome,
    RuleSettings,
    RuleSettingsError,
    Step,
    classify,
    nosp_dates,
)

TZ = ZoneInfo("Europe/London")
UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=TZ)  # a Friday, in GMT
TODAY = NOW.date()
C = Classification
D = Decimal


def ago(**period: int) -> datetime.date:
    return TODAY - relativedelta(**period)


def ahead(**period: int) -> datetime.date:
    return TODAY + relativedelta(**period)


def at(day: datetime.date, hour: int = 10, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=TZ)


def only(rule: Classification) -> RuleSettings:
    return RuleSettings(enabled_rules=frozenset({rule}))


def verdict(facts: Facts, rule: Classification, now: datetime.datetime = NOW) -> Step:
    """The rule's own verdict, whatever the rules before it say: only it is switched on."""
    outcome = classify(facts, now=now, settings=only(rule), explain=True)
    return next(step for step in outcome.explanation if step.rule == rule.value)


def classification(facts: Facts, now: datetime.datetime = NOW, **kwargs) -> Classification:
    return classify(facts, now=now, **kwargs).classification


# ------------------------------------------------------------------------------------------------
# One case per rule, where that rule (and no earlier one) fires
# ------------------------------------------------------------------------------------------------

RENT = {"weekly_gross_rent": D("100"), "payments_this_week_total": D("0")}
COURT_BREACH = {
    "court_date": at(ago(days=100)),
    "court_outcome_code": "SOT",
    "court_outcome_has_terms": True,
    "agreement_type": "formal",
    "agreement_state": "breached",
    "agreement_start_at": ago(days=90),
}
INFORMAL_BREACH = {"agreement_type": "informal", "agreement_state": "breached", "agreement_start_at": ago(days=60)}

CASES: dict[Classification, dict] = {
    C.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT: {"court_date": at(ago(days=30)), "court_outcome_code": "OPD"},
    C.REVIEW_FAILED_LETTER: {
        "latest_letter_status": "validation-failed",
        "paused_until": ahead(days=10),
        "eviction_date": ago(days=10),
        "court_date": at(ahead(days=5)),
    },
    C.SEND_FIRST_SMS: {"collectable_arrears": D("7"), **RENT},
    C.SEND_LETTER_ONE: {"collectable_arrears": D("150"), **RENT},
    C.SEND_LETTER_TWO: {
        "collectable_arrears": D("150"),
        **RENT,
        "last_communication_code": "IC1",
        "last_communication_at": at(ago(days=20)),
    },
    C.UPDATE_COURT_OUTCOME: {"court_date": at(ago(days=1))},
    C.COURT_BREACH_VISIT: {
        **COURT_BREACH,
        "last_communication_code": "CBL",
        "last_communication_at": at(ago(days=10)),
    },
    C.SEND_NOSP: {
        "collectable_arrears": D("600"),
        **RENT,
        "last_communication_code": "IC2",
        "last_communication_at": at(ago(days=10)),
    },
    C.COURT_BREACH_NO_PAYMENT: {
        **COURT_BREACH,
        "last_communication_code": "CBV",
        "last_communication_at": at(ago(days=10)),
        "last_payment_at": ago(days=10),
    },
    C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER: {
        **INFORMAL_BREACH,
        "last_communication_code": "IC1",
        "last_communication_at": at(ago(days=30)),
    },
    C.INFORMAL_BREACHED_AFTER_LETTER: {
        **INFORMAL_BREACH,
        "last_communication_code": "BLI",
        "last_communication_at": at(ago(days=10)),
    },
    C.ADDRESS_COURT_AGREEMENT_BREACH: {**COURT_BREACH},
    C.SEND_COURT_WARNING_LETTER: {"collectable_arrears": D("600"), **RENT, "nosp_served_at": ago(months=4)},
    C.APPLY_FOR_COURT_DATE: {
        "collectable_arrears": D("600"),
        **RENT,
        "nosp_served_at": ago(months=5),
        "last_communication_code": "IC4",
        "last_communication_at": at(ago(days=20)),
    },
    C.CHECK_DATA: {"court_date": at(ago(years=1)), "court_outcome_code": "SOT"},
}


def case(rule: Classification, **changes) -> Facts:
    return Facts(**{**CASES[rule], **changes})


def test_rule_order_is_section_7():
    assert tuple(rule.classification for rule in RULES) == RULE_ORDER
    assert set(RULE_ORDER) == set(Classification) - {C.NO_ACTION}
    assert [rule.value for rule in RULE_ORDER] == [
        "apply_for_outright_possession_warrant",
        "review_failed_letter",
        "send_first_sms",
        "send_letter_one",
        "send_letter_two",
        "update_court_outcome",
        "court_breach_visit",
        "send_nosp",
        "court_breach_no_payment",
        "send_informal_agreement_breach_letter",
        "informal_breached_after_letter",
        "address_court_agreement_breach",
        "send_court_warning_letter",
        "apply_for_court_date",
        "check_data",
    ]


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULE_ORDER)


@pytest.mark.parametrize("rule", RULE_ORDER, ids=lambda rule: rule.value)
def test_rule_fires_on_its_case(rule):
    outcome = classify(case(rule), now=NOW)
    assert outcome.classification == rule
    assert outcome.rule == rule.value
    assert outcome.explanation == (Step(rule.value, True, outcome.explanation[0].reason),)
    assert outcome.explanation[0].reason.endswith(".")


@pytest.mark.parametrize("rule", RULE_ORDER, ids=lambda rule: rule.value)
def test_rule_explained_fires_after_every_earlier_rule_is_blocked(rule):
    outcome = classify(case(rule), now=NOW, explain=True)
    position = RULE_ORDER.index(rule)
    assert [step.rule for step in outcome.explanation] == [r.value for r in RULE_ORDER[: position + 1]]
    assert [step.fired for step in outcome.explanation] == [False] * position + [True]
    assert all(step.reason.startswith("Blocked: ") for step in outcome.explanation[:-1])


# ------------------------------------------------------------------------------------------------
# Each blocking condition, one by one
# ------------------------------------------------------------------------------------------------

PREVENTERS = [
    ("eviction in the past", {"eviction_date": ago(days=400)}, "there is an eviction date"),
    ("eviction to come", {"eviction_date": at(ahead(days=20))}, "there is an eviction date"),
    ("paused", {"paused_until": ahead(days=10)}, f"the case is paused until {ahead(days=10).isoformat()}"),
    ("future court date", {"court_date": at(ahead(days=5))}, "is in the future"),
]
PREVENTED_RULES = [rule for rule in RULE_ORDER if rule not in (C.REVIEW_FAILED_LETTER, C.CHECK_DATA)]

NO_ARREARS = ("arrears unknown", {"collectable_arrears": None}, "the collectable arrears are not known")
NO_RENT = ("rent unknown", {"weekly_gross_rent": None}, "the weekly gross rent is not known")
LIVE_AGREEMENT = (
    "live agreement",
    {"agreement_type": "informal", "agreement_state": "live", "agreement_start_at": ago(days=20)},
    "the latest agreement is live, which counts as active",
)
BREACHED_AGREEMENT = (
    "breached agreement is still active (§12.4)",
    INFORMAL_BREACH,
    "the latest agreement is breached, which counts as active",
)
OLD_NOSP = ("any NOSP ever served (§12.1)", {"nosp_served_at": ago(years=3)}, "a NOSP was served on")
VALID_NOSP = ("valid NOSP", {"nosp_served_at": ago(months=2)}, "is valid until")


def comm(code: str | None, when: datetime.date | datetime.datetime | None) -> dict:
    return {"last_communication_code": code, "last_communication_at": when}


BLOCKERS: dict[Classification, list[tuple[str, dict, str]]] = {
    C.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT: [
        LIVE_AGREEMENT,
        ("no court date", {"court_date": None}, "there is no court date"),
        ("hearing over 3 months ago", {"court_date": at(ago(months=3, days=1))}, "is more than 3 months ago"),
        ("warrant applied for", comm("WPA", at(ago(days=2))), "is the warrant-applied code"),
        ("suspended, not outright", {"court_outcome_code": "SOT"}, "the court outcome SOT is not one of OPD, OPF"),
        ("no outcome", {"court_outcome_code": None}, "there is no court outcome"),
    ],
    C.REVIEW_FAILED_LETTER: [
        ("no letter", {"latest_letter_status": None}, "no letter has failed"),
        ("letter sent", {"latest_letter_status": "sent"}, "the latest letter's status sent is not a failure"),
    ],
    C.SEND_FIRST_SMS: [
        NO_ARREARS,
        ("court date in the past", {"court_date": at(ago(days=30))}, "there is a court date"),
        OLD_NOSP,
        LIVE_AGREEMENT,
        BREACHED_AGREEMENT,
        ("arrears at the ceiling", {"collectable_arrears": D("10")}, "collectable arrears £10.00 are not below £10.00"),
        ("SMS 3 days ago", comm("GAT", at(ago(days=3))), "the last communication GAT on"),
        ("SMS 6 days ago", comm("SMS", ago(days=6)), "is less than 7 days old"),
        ("letter 2 months ago (§12.3)", comm("IC1", ago(months=2)), "is less than 3 months old"),
        ("visit 1 month ago (§12.3)", comm("CBL", ago(months=1)), "is less than 3 months old"),
        ("arrears below the floor", {"collectable_arrears": D("4.99")}, "collectable arrears £4.99 are below £5.00"),
    ],
    C.SEND_LETTER_ONE: [
        NO_ARREARS,
        NO_RENT,
        OLD_NOSP,
        LIVE_AGREEMENT,
        BREACHED_AGREEMENT,
        ("letter 1 in the last 3 months", comm("IC1", ago(months=1)), "is less than 3 months old"),
        ("letter 2 in the last 3 months", comm("ZR2", ago(months=1)), "is less than 3 months old"),
        ("court warning in the last 3 months", comm("IC4", ago(months=2)), "is less than 3 months old"),
        ("under £10 after grace", {"collectable_arrears": D("109.99")}, "are below £10.00"),
        ("court date", {"court_date": at(ago(days=30)), "court_outcome_code": "ADT"}, "there is a court date"),
    ],
    C.SEND_LETTER_TWO: [
        NO_ARREARS,
        NO_RENT,
        LIVE_AGREEMENT,
        OLD_NOSP,
        ("last communication not letter 1", comm("GAT", ago(days=20)), "is not a Letter 1 (IC1, S01)"),
        ("no communication", comm(None, None), "there is no last communication; it must be a Letter 1"),
        ("letter 1 too recent", comm("IC1", ago(days=10)), "is less than 14 days old"),
        ("letter 1 too old", comm("S01", ago(months=4)), "is at least 3 months old"),
        ("under £10 after grace", {"collectable_arrears": D("105")}, "are below £10.00"),
        ("court date", {"court_date": at(ago(days=30)), "court_outcome_code": "ADT"}, "there is a court date"),
    ],
    C.UPDATE_COURT_OUTCOME: [
        ("no court date", {"court_date": None}, "there is no court date"),
        (
            "court breach agreement",
            {"agreement_type": "formal", "agreement_state": "breached", "agreement_start_at": TODAY},
            "the latest agreement is a breached formal agreement made on or after the hearing",
        ),
        ("outcome recorded", {"court_outcome_code": "ADT"}, "the court outcome ADT is recorded"),
    ],
    C.COURT_BREACH_VISIT: [
        ("no court date", {"court_date": None}, "there is no court date"),
        ("agreement live", {"agreement_state": "live"}, "the latest agreement is live, not breached"),
        ("agreement informal", {"agreement_type": "informal"}, "is not a formal (court) agreement"),
        ("no start date", {"agreement_start_at": None}, "the breached agreement has no start date"),
        ("started before the hearing", {"agreement_start_at": ago(days=101)}, "before the court date"),
        ("last communication is the visit", comm("CBV", ago(days=10)), "is not the court breach letter (CBL)"),
        ("letter too recent", comm("CBL", ago(days=3)), "is less than 7 days old"),
        ("letter too old", comm("CBL", ago(months=4)), "is at least 3 months old"),
        ("letter has no date", comm("CBL", None), "CBL (no date) has no date"),
    ],
    C.SEND_NOSP: [
        NO_ARREARS,
        NO_RENT,
        LIVE_AGREEMENT,
        VALID_NOSP,
        (
            "warrant active",
            {"court_date": at(ago(years=1)), "court_outcome_code": "AGP"},
            "the court warrant is active (outcome AGP",
        ),
        ("outcome missing", {"court_date": at(ago(days=5))}, "the outcome of the hearing on"),
        (
            "last communication not letter 2",
            comm("IC1", ago(days=10)),
            "no NOSP has ever been served and the last communication IC1",
        ),
        ("letter 2 too old", comm("IC2", ago(months=4)), "is at least 3 months old"),
        ("letter 2 too recent", comm("IC2", ago(days=3)), "is less than 7 days old"),
        ("under 4 weeks' rent after grace", {"collectable_arrears": D("450")}, "below 4 weeks' gross rent (£400.00)"),
    ],
    C.COURT_BREACH_NO_PAYMENT: [
        ("no court date", {"court_date": None}, "there is no court date"),
        ("agreement informal", {"agreement_type": "informal"}, "is not a formal (court) agreement"),
        ("paid 5 days ago", {"last_payment_at": ago(days=5)}, "was 5 days ago, less than 8 days"),
        ("never paid (§12.6)", {"last_payment_at": None}, "no payment has ever been recorded"),
        ("last communication is the letter", comm("CBL", ago(days=10)), "is not the court breach visit (CBV)"),
        ("visit too recent", comm("CBV", ago(days=3)), "is less than 7 days old"),
        ("visit has no date", comm("CBV", None), "CBV (no date) has no date"),
    ],
    C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER: [
        VALID_NOSP,
        ("breach letter sent", comm("BLI", ago(days=30)), "is a breach letter or visit"),
        ("court breach letter sent", comm("CBL", ago(days=30)), "is a breach letter or visit"),
        ("court breach visit made", comm("CBV", ago(days=30)), "is a breach letter or visit"),
        ("recent communication", comm("IC1", ago(days=3)), "is less than 7 days old"),
        ("agreement live", {"agreement_state": "live"}, "the latest agreement is live, not breached"),
        ("agreement formal", {"agreement_type": "formal"}, "the breached agreement is formal, not informal"),
        ("no start date", {"agreement_start_at": None}, "the breached agreement has no start date"),
        (
            "no agreement",
            {"agreement_type": None, "agreement_state": None, "agreement_start_at": None},
            "there is no agreement",
        ),
    ],
    C.INFORMAL_BREACHED_AFTER_LETTER: [
        OLD_NOSP,
        ("last communication not the letter", comm("IC1", ago(days=10)), "is not the informal breach letter (BLI)"),
        ("letter too recent", comm("BLI", ago(days=3)), "is less than 7 days old"),
        ("agreement live", {"agreement_state": "live"}, "the latest agreement is live, not breached"),
    ],
    C.ADDRESS_COURT_AGREEMENT_BREACH: [
        ("letter sent", comm("CBL", ago(days=2)), "is the court breach letter or visit"),
        ("visit made", comm("CBV", ago(days=2)), "is the court breach letter or visit"),
        ("started before the hearing", {"agreement_start_at": ago(days=101)}, "before the court date"),
    ],
    C.SEND_COURT_WARNING_LETTER: [
        NO_ARREARS,
        NO_RENT,
        LIVE_AGREEMENT,
        ("warning letter sent", comm("IC4", ago(days=3)), "is the court warning letter"),
        (
            "court date in the past",
            {"court_date": at(ago(days=30)), "court_outcome_code": "ADT"},
            "is in the past",
        ),
        ("no NOSP", {"nosp_served_at": None}, "no NOSP has been served"),
        ("NOSP cooling off", {"nosp_served_at": ago(months=2)}, "is in its cooling-off period until"),
        ("NOSP expired", {"nosp_served_at": ago(years=2)}, "stopped being valid on"),
        ("under 4 weeks' rent after grace", {"collectable_arrears": D("499.99")}, "below 4 weeks' gross rent"),
    ],
    C.APPLY_FOR_COURT_DATE: [
        NO_ARREARS,
        NO_RENT,
        LIVE_AGREEMENT,
        ("no NOSP", {"nosp_served_at": None}, "no NOSP has been served"),
        ("no warning letter", comm("IC1", ago(days=20)), "is not the court warning letter (IC4)"),
        ("warning letter too recent", comm("IC4", ago(days=10)), "is less than 14 days old"),
        ("NOSP cooling off", {"nosp_served_at": ago(months=2)}, "is in its cooling-off period until"),
        ("NOSP expired", {"nosp_served_at": ago(years=2)}, "stopped being valid on"),
        (
            "hearing after the warning letter",
            {"court_date": at(ago(days=5)), "court_outcome_code": "ADT"},
            "is after the last communication IC4",
        ),
        ("under 4 weeks' rent after grace", {"collectable_arrears": D("450")}, "below 4 weeks' gross rent"),
    ],
    C.CHECK_DATA: [
        ("paused", {"paused_until": ahead(days=10)}, f"the case is paused until {ahead(days=10).isoformat()}"),
        (
            "warrant active with an agreement",
            {"agreement_type": "formal", "agreement_state": "live", "agreement_start_at": ago(days=300)},
            "the court data is consistent",
        ),
        ("warrant expired", {"court_date": at(ago(years=7))}, "the court data is consistent"),
        ("no warrant outcome", {"court_outcome_code": "ADT"}, "the court data is consistent"),
        (
            "terms with a formal agreement from the hearing",
            {
                "court_outcome_code": "ADT",
                "court_outcome_has_terms": True,
                "agreement_type": "formal",
                "agreement_state": "completed",
                "agreement_start_at": ago(years=1),
            },
            "the court data is consistent",
        ),
        (
            "terms struck out",
            {"court_outcome_code": "ADT", "court_outcome_has_terms": True, "court_strike_out_date": ago(days=1)},
            "the court data is consistent",
        ),
    ],
}
BLOCKER_PARAMS = [
    pytest.param(rule, changes, expected, id=f"{rule.value}: {name}")
    for rule in RULE_ORDER
    for name, changes, expected in BLOCKERS[rule]
] + [
    pytest.param(rule, changes, expected, id=f"{rule.value}: {name}")
    for rule in PREVENTED_RULES
    for name, changes, expected in PREVENTERS
]


@pytest.mark.parametrize(("rule", "changes", "expected"), BLOCKER_PARAMS)
def test_rule_is_blocked_by_each_condition(rule, changes, expected):
    facts = case(rule, **changes)
    step = verdict(facts, rule)
    assert not step.fired
    assert step.reason.startswith("Blocked: ")
    assert expected in step.reason
    assert step.reason.endswith(".")
    assert classification(facts) != rule


def test_every_rule_has_blockers():
    assert all(BLOCKERS[rule] for rule in RULE_ORDER)


# Cases a reader might expect to be blocked, and the spec says are not ----------------------------


@pytest.mark.parametrize(
    ("rule", "changes"),
    [
        pytest.param(C.SEND_FIRST_SMS, comm("GAT", ago(days=7)), id="sms: an SMS exactly 7 days ago (date)"),
        pytest.param(C.SEND_FIRST_SMS, comm("IC1", ago(months=3)), id="sms: a letter exactly 3 months ago"),
        pytest.param(C.SEND_FIRST_SMS, comm("GAT", None), id="sms: an SMS code with no date is not newer"),
        pytest.param(C.SEND_FIRST_SMS, {"collectable_arrears": D("9.99")}, id="sms: £9.99 raw arrears"),
        pytest.param(C.SEND_LETTER_ONE, comm("IC1", ago(months=3)), id="letter 1: letter 1 exactly 3 months ago"),
        pytest.param(C.SEND_LETTER_ONE, comm("GAT", ago(days=1)), id="letter 1: an SMS yesterday"),
        pytest.param(C.SEND_LETTER_TWO, comm("S01", ago(days=14)), id="letter 2: housing-system letter 1"),
        pytest.param(C.SEND_NOSP, {**comm(None, None), "nosp_served_at": ago(years=2)}, id="nosp: expired NOSP"),
        pytest.param(
            C.SEND_NOSP,
            {"court_date": at(ago(years=1)), "court_outcome_code": "ADT"},
            id="nosp: adjourned on terms keeps no warrant",
        ),
        pytest.param(
            C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER, {"agreement_type": None}, id="informal: untyped is not formal"
        ),
        pytest.param(C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER, comm(None, None), id="informal: never contacted"),
        pytest.param(
            C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER,
            {"nosp_served_at": ago(years=2)},
            id="informal: expired NOSP",
        ),
        pytest.param(
            C.APPLY_FOR_COURT_DATE,
            {"court_date": at(ago(days=30)), "court_outcome_code": "ADT"},
            id="court: hearing before the warning letter",
        ),
        pytest.param(
            C.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT, {"court_outcome_code": "OPF"}, id="warrant: possession forthwith"
        ),
        pytest.param(
            C.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT,
            {"court_date": ago(months=3)},
            id="warrant: hearing exactly 3 months ago",
        ),
        pytest.param(C.CHECK_DATA, {"eviction_date": ago(days=1)}, id="check data: ignores an eviction (§12.5)"),
        pytest.param(
            C.CHECK_DATA, {"court_date": at(ahead(days=3))}, id="check data: ignores a future court date (§12.5)"
        ),
        pytest.param(C.CHECK_DATA, {"court_date": None, "court_outcome_code": "ADT"}, id="check data: (b)"),
        pytest.param(
            C.CHECK_DATA,
            {"court_outcome_code": "ADT", "court_outcome_has_terms": True},
            id="check data: (c) terms and no agreement",
        ),
        pytest.param(
            C.CHECK_DATA,
            {
                "court_outcome_code": "ADT",
                "court_outcome_has_terms": True,
                "agreement_type": "formal",
                "agreement_state": "live",
                "agreement_start_at": ago(years=1, days=1),
            },
            id="check data: (c) formal agreement from before the hearing",
        ),
        pytest.param(
            C.CHECK_DATA,
            {
                "court_outcome_code": "ADT",
                "court_outcome_has_terms": True,
                "agreement_type": "informal",
                "agreement_state": "live",
                "agreement_start_at": ago(days=10),
            },
            id="check data: (c) only an informal agreement",
        ),
        pytest.param(
            C.CHECK_DATA,
            {"court_outcome_code": "ADT", "court_outcome_has_terms": True, "court_strike_out_date": ahead(days=1)},
            id="check data: struck out tomorrow is not yet expired",
        ),
    ],
)
def test_rule_still_fires(rule, changes):
    facts = case(rule, **changes)
    assert verdict(facts, rule).fired
    assert classification(facts) == rule


def test_review_failed_letter_ignores_every_blocker():
    """§12.5: a paused case with an eviction date and a future hearing still has its letter reviewed."""
    facts = case(C.REVIEW_FAILED_LETTER)
    assert classification(facts) == C.REVIEW_FAILED_LETTER
    assert classification(facts, settings=RuleSettings(failed_letter_statuses=("bounced",))) == C.NO_ACTION


def test_nosp_served_blocks_sms_and_letters_forever():
    """§12.1 and §7.1 step 10: once any NOSP was served, the next step is a new NOSP, never a letter."""
    facts = Facts(collectable_arrears=D("600"), **RENT, nosp_served_at=ago(years=10))
    explained = classify(facts, now=NOW, explain=True)
    assert explained.classification == C.SEND_NOSP
    for rule in (C.SEND_FIRST_SMS, C.SEND_LETTER_ONE, C.SEND_LETTER_TWO):
        assert "a NOSP was served on" in verdict(dataclasses.replace(facts, collectable_arrears=D("7")), rule).reason


def test_court_breach_no_payment_unreachable_when_never_paid():
    """§12.6: days since the last payment is unknown for a tenant who never paid, so it counts as 0."""
    facts = case(C.COURT_BREACH_NO_PAYMENT, last_payment_at=None)
    assert classification(facts) == C.NO_ACTION
    changed = RuleSettings(court_breach_no_payment_days=0)
    assert classification(facts, settings=changed) == C.COURT_BREACH_NO_PAYMENT


# ------------------------------------------------------------------------------------------------
# Grace (§3): one week's rent less this week's payments (negative), never below 0
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arrears", "payments", "expected", "grace"),
    [
        ("109.99", "0", C.NO_ACTION, "£100.00"),
        ("110", "0", C.SEND_LETTER_ONE, "£100.00"),
        ("79.99", "-30", C.NO_ACTION, "£70.00"),
        ("80", "-30", C.SEND_LETTER_ONE, "£70.00"),
        ("10", "-150", C.SEND_LETTER_ONE, "£0.00"),  # paid more than a week's rent: no grace left
        ("110", None, C.SEND_LETTER_ONE, "£100.00"),  # nothing paid this week
        ("130", "20", C.SEND_LETTER_ONE, "£120.00"),  # a charge posted this week adds to the grace
        ("129.99", "20", C.NO_ACTION, "£120.00"),
    ],
)
def test_grace_amount(arrears, payments, expected, grace):
    facts = Facts(
        collectable_arrears=D(arrears),
        weekly_gross_rent=D("100"),
        payments_this_week_total=None if payments is None else D(payments),
    )
    assert classification(facts) == expected
    assert f"less grace {grace}" in verdict(facts, C.SEND_LETTER_ONE).reason


def test_sms_uses_raw_arrears_without_grace():
    facts = Facts(collectable_arrears=D("5"), weekly_gross_rent=D("100"), payments_this_week_total=D("0"))
    assert classification(facts) == C.SEND_FIRST_SMS


# ------------------------------------------------------------------------------------------------
# Dates and boundaries (§10)
# ------------------------------------------------------------------------------------------------


def test_sms_seven_days_ago_timestamp_is_within_seven_days_but_bare_date_is_not():
    sms = case(C.SEND_FIRST_SMS)
    as_timestamp = dataclasses.replace(sms, **comm("GAT", NOW - datetime.timedelta(days=7)))
    as_date = dataclasses.replace(sms, **comm("GAT", ago(days=7)))
    assert classification(as_timestamp) == C.NO_ACTION
    assert classification(as_date) == C.SEND_FIRST_SMS


@pytest.mark.parametrize(
    ("sent", "fires"),
    [
        pytest.param(at(ago(days=14), 0, 0, 0), True, id="14 days ago at midnight"),
        pytest.param(at(ago(days=14), 0, 0, 1), False, id="one second after that midnight"),
        pytest.param(ago(days=14), True, id="14 days ago as a date"),
        pytest.param(ago(days=13), False, id="13 days ago as a date"),
        pytest.param(at(ago(days=15), 23, 59, 59), True, id="the evening before"),
    ],
)
def test_at_least_fourteen_days_is_measured_from_midnight(sent, fires):
    facts = case(C.SEND_LETTER_TWO, last_communication_at=sent)
    assert verdict(facts, C.SEND_LETTER_TWO).fired is fires


@pytest.mark.parametrize(
    ("now", "letter_one", "expected"),
    [
        # 3 months back from 31 May is 28 February (29 in a leap year), as relativedelta counts.
        (datetime.datetime(2026, 5, 31, 12, tzinfo=TZ), datetime.date(2026, 2, 28), C.SEND_LETTER_ONE),
        (datetime.datetime(2026, 5, 31, 12, tzinfo=TZ), datetime.date(2026, 3, 1), C.SEND_LETTER_TWO),
        (datetime.datetime(2028, 5, 31, 12, tzinfo=TZ), datetime.date(2028, 2, 29), C.SEND_LETTER_ONE),
        (datetime.datetime(2028, 5, 31, 12, tzinfo=TZ), datetime.date(2028, 3, 1), C.SEND_LETTER_TWO),
        (datetime.datetime(2026, 3, 31, 12, tzinfo=TZ), datetime.date(2025, 12, 31), C.SEND_LETTER_ONE),
        (datetime.datetime(2026, 3, 31, 12, tzinfo=TZ), datetime.date(2026, 1, 1), C.SEND_LETTER_TWO),
    ],
)
def test_three_month_window_across_month_ends(now, letter_one, expected):
    facts = Facts(collectable_arrears=D("150"), **RENT, **comm("IC1", letter_one))
    assert classification(facts, now=now) == expected


@pytest.mark.parametrize(
    ("paused_until", "paused"),
    [
        pytest.param(TODAY, False, id="until today (a date) is not paused"),
        pytest.param(ahead(days=1), True, id="until tomorrow"),
        pytest.param(at(TODAY, 23), True, id="until later today"),
        pytest.param(NOW, False, id="until this very instant"),
        pytest.param(ago(days=1), False, id="until yesterday"),
    ],
)
def test_paused_only_while_pause_until_is_in_the_future(paused_until, paused):
    facts = case(C.SEND_FIRST_SMS, paused_until=paused_until)
    assert classification(facts) == (C.NO_ACTION if paused else C.SEND_FIRST_SMS)


@pytest.mark.parametrize(
    ("court_date", "now", "expected"),
    [
        pytest.param(TODAY, NOW, C.UPDATE_COURT_OUTCOME, id="today as a date has passed by noon"),
        pytest.param(at(TODAY, 18), NOW, C.NO_ACTION, id="this evening is still in the future"),
        pytest.param(TODAY, at(TODAY, 0), C.UPDATE_COURT_OUTCOME, id="at midnight it is not yet future"),
        pytest.param(at(TODAY, 12), NOW, C.UPDATE_COURT_OUTCOME, id="at this very instant it is not future"),
        pytest.param(ahead(days=1), NOW, C.NO_ACTION, id="tomorrow"),
    ],
)
def test_court_date_future_is_judged_against_now(court_date, now, expected):
    assert classification(Facts(court_date=court_date), now=now) == expected


@pytest.mark.parametrize(
    ("start", "court", "court_breach"),
    [
        pytest.param(ago(days=30), at(ago(days=30), 10), True, id="start date on the hearing's day"),
        pytest.param(ago(days=31), at(ago(days=30), 10), False, id="start date the day before"),
        pytest.param(at(ago(days=30), 10), at(ago(days=30), 10), True, id="same timestamp"),
        pytest.param(at(ago(days=30), 9), at(ago(days=30), 10), False, id="earlier the same day, both timestamps"),
        pytest.param(ago(days=30), ago(days=30), True, id="both dates"),
    ],
)
def test_agreement_starting_on_the_court_date(start, court, court_breach):
    facts = Facts(
        court_date=court,
        court_outcome_code="SOT",
        court_outcome_has_terms=True,
        agreement_type="formal",
        agreement_state="breached",
        agreement_start_at=start,
    )
    # A court breach gets the breach letter; a formal agreement from before the hearing is a data problem.
    assert classification(facts) == (C.ADDRESS_COURT_AGREEMENT_BREACH if court_breach else C.CHECK_DATA)


class TestNospLifecycle:
    """§4: expires = served + 3 months; valid until = expires + 52 weeks."""

    served = datetime.date(2026, 1, 31)

    def test_dates(self):
        dates = nosp_dates(self.served, RuleSettings())
        assert dates is not None
        assert (dates.served, dates.expires, dates.valid_until) == (
            datetime.date(2026, 1, 31),
            datetime.date(2026, 4, 30),
            datetime.date(2027, 4, 29),
        )

    def test_not_served(self):
        assert nosp_dates(None, RuleSettings()) is None

    @pytest.mark.parametrize(
        ("now", "cooling_off", "active", "valid"),
        [
            (datetime.datetime(2026, 4, 29, 23, 59, 59, tzinfo=TZ), True, False, True),
            (datetime.datetime(2026, 4, 30, 0, 0, 0, tzinfo=TZ), False, False, True),  # the instant of expiry
            (datetime.datetime(2026, 4, 30, 0, 0, 1, tzinfo=TZ), False, True, True),
            (datetime.datetime(2027, 4, 28, 23, 59, 59, tzinfo=TZ), False, True, True),
            (datetime.datetime(2027, 4, 29, 0, 0, 0, tzinfo=TZ), False, False, False),
        ],
    )
    def test_edges(self, now, cooling_off, active, valid):
        dates = nosp_dates(self.served, RuleSettings())
        assert dates is not None
        assert (dates.in_cooling_off(now), dates.is_active(now), dates.is_valid(now)) == (cooling_off, active, valid)

    def test_a_timestamp_moves_in_local_time_across_the_clock_change(self):
        served = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # 09:00 GMT
        dates = nosp_dates(served, RuleSettings())
        assert dates is not None
        assert dates.expires == datetime.datetime(2026, 4, 15, 9, 0, tzinfo=TZ)  # 09:00 BST
        assert dates.expires.utcoffset() == datetime.timedelta(hours=1)

    def test_settings_change_the_periods(self):
        dates = nosp_dates(self.served, RuleSettings(nosp_active_after_months=1, nosp_valid_for_weeks=4))
        assert dates is not None
        assert (dates.expires, dates.valid_until) == (datetime.date(2026, 2, 28), datetime.date(2026, 3, 28))

    @pytest.mark.parametrize(
        ("served", "expected"),
        [
            pytest.param(ago(months=3), C.SEND_COURT_WARNING_LETTER, id="expired at midnight: active by noon"),
            pytest.param(ago(months=3, days=-1), C.NO_ACTION, id="expires tomorrow: cooling off"),
            pytest.param(ago(months=3, weeks=52), C.SEND_NOSP, id="validity ended at midnight: a new NOSP"),
            pytest.param(ago(months=3, weeks=52, days=-1), C.SEND_COURT_WARNING_LETTER, id="valid until tomorrow"),
        ],
    )
    def test_classification_at_the_edges(self, served, expected):
        facts = Facts(collectable_arrears=D("600"), **RENT, nosp_served_at=served)
        assert classification(facts) == expected

    def test_not_yet_active_at_the_instant_of_expiry(self):
        facts = Facts(collectable_arrears=D("600"), **RENT, nosp_served_at=ago(months=3))
        assert classification(facts, now=at(TODAY, 0)) == C.NO_ACTION


@pytest.mark.parametrize(
    ("court_date", "warrant_active"),
    [
        pytest.param(ago(years=6, days=-1), True, id="6 years less a day"),
        pytest.param(ago(years=6), False, id="exactly 6 years"),
        pytest.param(at(ago(years=6), 0, 0, 1), True, id="a second after the 6-year midnight"),
    ],
)
def test_warrant_six_year_life(court_date, warrant_active):
    facts = Facts(court_date=court_date, court_outcome_code="AGP")
    assert classification(facts) == (C.CHECK_DATA if warrant_active else C.NO_ACTION)


def test_suspension_on_terms_ends_after_the_warrant_life():
    """§5: a SOT case with terms reaches end of life at court date + 6 years, so it no longer asks
    for an agreement (and its warrant is no longer active)."""
    live = Facts(court_date=ago(years=6, days=-1), court_outcome_code="SOT", court_outcome_has_terms=True)
    ended = dataclasses.replace(live, court_date=ago(years=6))
    assert classification(live) == C.CHECK_DATA
    assert classification(ended) == C.NO_ACTION


class TestDaylightSaving:
    def test_threshold_is_local_midnight_before_the_clocks_went_forward(self):
        """Clocks went forward on 29 March 2026. Seven days before 1 April (BST) is midnight GMT on
        25 March, i.e. 00:00 UTC, not 23:00 UTC as an offset taken from `now` would make it."""
        now = datetime.datetime(2026, 4, 1, 12, tzinfo=TZ)
        sms = Facts(collectable_arrears=D("7"), **RENT)
        on_threshold = dataclasses.replace(sms, **comm("GAT", datetime.datetime(2026, 3, 25, 0, 0, tzinfo=UTC)))
        after_it = dataclasses.replace(sms, **comm("GAT", datetime.datetime(2026, 3, 25, 0, 0, 1, tzinfo=UTC)))
        assert classification(on_threshold, now=now) == C.SEND_FIRST_SMS
        assert classification(after_it, now=now) == C.NO_ACTION

    def test_today_is_the_local_date(self):
        """At 23:30 UTC on 30 June it is already 1 July in London."""
        now = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
        sms = Facts(collectable_arrears=D("7"), **RENT)
        assert classification(dataclasses.replace(sms, **comm("GAT", datetime.date(2026, 6, 24))), now=now) == (
            C.SEND_FIRST_SMS
        )
        assert classification(dataclasses.replace(sms, paused_until=datetime.date(2026, 7, 1)), now=now) == (
            C.SEND_FIRST_SMS
        )

    def test_days_since_payment_counts_local_days(self):
        now = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 1 July 00:30 BST
        court_breach = Facts(
            court_date=datetime.date(2026, 1, 5),
            court_outcome_code="SOT",
            court_outcome_has_terms=True,
            agreement_type="formal",
            agreement_state="breached",
            agreement_start_at=datetime.date(2026, 2, 1),
            **comm("CBV", datetime.date(2026, 6, 20)),
        )
        # 23 June to 1 July is 8 days (by UTC dates it would be 7).
        paid = dataclasses.replace(court_breach, last_payment_at=datetime.datetime(2026, 6, 23, 12, tzinfo=UTC))
        assert classification(paid, now=now) == C.COURT_BREACH_NO_PAYMENT
        later = dataclasses.replace(court_breach, last_payment_at=datetime.date(2026, 6, 24))
        assert classification(later, now=now) == C.NO_ACTION

    def test_naive_datetimes_are_local_time(self):
        now = datetime.datetime(2026, 7, 8, 12, tzinfo=TZ)
        sms = Facts(collectable_arrears=D("7"), **RENT)
        # Midnight of 1 July in London is 23:00 UTC on 30 June.
        assert classification(
            dataclasses.replace(sms, **comm("GAT", datetime.datetime(2026, 7, 1, 0, 0))), now=now
        ) == (C.SEND_FIRST_SMS)
        assert classification(
            dataclasses.replace(sms, **comm("GAT", datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC))), now=now
        ) == (C.NO_ACTION)


# ------------------------------------------------------------------------------------------------
# The escalation ladder (§7.1), stepping time forward
# ------------------------------------------------------------------------------------------------


def test_escalation_ladder_walk_through():
    facts = {"collectable_arrears": D("7"), **RENT}
    day = datetime.timedelta(days=1)

    def expect(when: datetime.datetime, expected: Classification) -> None:
        assert classify(Facts(**facts), now=when).classification == expected, when

    def record(code: str, when: datetime.datetime) -> None:
        facts.update(last_communication_code=code, last_communication_at=when)

    start = datetime.datetime(2026, 1, 5, 10, tzinfo=TZ)
    expect(start, C.SEND_FIRST_SMS)  # 1. £5 to under £10
    record("GAT", start)
    expect(start + 3 * day, C.NO_ACTION)  # an SMS holds back another for 7 days

    letter_one = start + 14 * day
    facts["collectable_arrears"] = D("150")
    expect(letter_one, C.SEND_LETTER_ONE)  # 2. £10 or more after a week's grace
    record("IC1", letter_one)
    expect(letter_one + 7 * day, C.NO_ACTION)
    expect(letter_one + 14 * day, C.NO_ACTION)  # sent at 10:00, so 14 days are up only at the next midnight

    letter_two = letter_one + 15 * day
    expect(letter_two, C.SEND_LETTER_TWO)  # 3. 14 days to 3 months after Letter 1
    record("IC2", letter_two)
    facts["collectable_arrears"] = D("600")
    expect(letter_two + 3 * day, C.NO_ACTION)

    nosp = letter_two + 8 * day
    expect(nosp, C.SEND_NOSP)  # 4. 7 days to 3 months after Letter 2, 4 weeks' rent
    facts["nosp_served_at"] = nosp.date()  # served outside the system, recorded as a date
    expect(nosp + 30 * day, C.NO_ACTION)  # cooling off; no letters once a NOSP is served

    warning = datetime.datetime.combine(nosp.date() + relativedelta(months=3, days=1), start.timetz())
    expect(warning, C.SEND_COURT_WARNING_LETTER)  # 5. NOSP active
    record("IC4", warning)
    expect(warning + 7 * day, C.NO_ACTION)

    application = warning + 15 * day
    expect(application, C.APPLY_FOR_COURT_DATE)  # 6. 14 days after the warning letter

    hearing = application + 40 * day
    facts["court_date"] = hearing
    expect(application + day, C.NO_ACTION)  # 7. nothing until the hearing
    expect(hearing + day, C.UPDATE_COURT_OUTCOME)
    facts["court_outcome_code"] = "OPD"
    expect(hearing + 2 * day, C.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT)
    record("WPA", hearing + 3 * day)
    expect(hearing + 4 * day, C.NO_ACTION)


def test_court_breach_ladder():
    """§7.1 step 8: breach letter, then a visit 7 days to 3 months later, then no payment."""
    facts = dict(COURT_BREACH)
    day = datetime.timedelta(days=1)
    expect_at = NOW
    assert classification(Facts(**facts), now=expect_at) == C.ADDRESS_COURT_AGREEMENT_BREACH
    facts.update(comm("CBL", NOW))
    assert classification(Facts(**facts), now=NOW + 3 * day) == C.NO_ACTION
    assert classification(Facts(**facts), now=NOW + 8 * day) == C.COURT_BREACH_VISIT
    facts.update(comm("CBV", NOW + 8 * day), last_payment_at=NOW.date())
    assert classification(Facts(**facts), now=NOW + 12 * day) == C.NO_ACTION
    assert classification(Facts(**facts), now=NOW + 16 * day) == C.COURT_BREACH_NO_PAYMENT


def test_informal_breach_ladder():
    """§7.1 step 9: the breach letter, then a week later "still breached"."""
    facts = dict(INFORMAL_BREACH)
    assert classification(Facts(**facts)) == C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER
    facts.update(comm("BLI", NOW))
    assert classification(Facts(**facts), now=NOW + datetime.timedelta(days=3)) == C.NO_ACTION
    assert classification(Facts(**facts), now=NOW + datetime.timedelta(days=8)) == C.INFORMAL_BREACHED_AFTER_LETTER


# ------------------------------------------------------------------------------------------------
# Explanations
# ------------------------------------------------------------------------------------------------


def test_explain_gives_one_step_per_rule_with_the_blocking_values():
    facts = Facts(paused_until=datetime.date(2026, 11, 30), collectable_arrears=D("7"), **RENT)
    outcome = classify(facts, now=NOW, explain=True)
    assert outcome.classification == C.NO_ACTION
    assert [step.rule for step in outcome.explanation] == [rule.value for rule in RULE_ORDER] + ["no_action"]
    assert outcome.explanation[-1] == Step("no_action", True, "No rule fired.")
    reasons = {step.rule: step.reason for step in outcome.explanation}
    assert reasons["send_first_sms"] == "Blocked: the case is paused until 2026-11-30."
    assert reasons["check_data"] == "Blocked: the case is paused until 2026-11-30."
    assert reasons["review_failed_letter"] == "Blocked: no letter has failed."


def test_explain_names_the_last_communication_and_its_age():
    facts = Facts(collectable_arrears=D("150"), **RENT, **comm("IC1", datetime.date(2026, 10, 1)))
    outcome = classify(facts, now=NOW, explain=True)
    assert outcome.classification == C.SEND_LETTER_TWO
    reasons = {step.rule: step.reason for step in outcome.explanation}
    assert reasons["send_letter_one"] == "Blocked: the last communication IC1 on 2026-10-01 is less than 3 months old."
    assert reasons["send_first_sms"] == "Blocked: collectable arrears £150.00 are not below £10.00."
    assert len(outcome.explanation) == RULE_ORDER.index(C.SEND_LETTER_TWO) + 1
    assert "at least 14 days old" in outcome.explanation[-1].reason


def test_fired_reason_lists_the_values():
    outcome = classify(case(C.SEND_FIRST_SMS), now=NOW)
    (step,) = outcome.explanation
    assert step.rule == "send_first_sms"
    assert step.fired
    for clause in ("collectable arrears are £7.00", "below £10.00", "at least £5.00", "there is no court date"):
        assert clause in step.reason
    assert step.reason[0].isupper()


def test_no_action_without_explain_is_one_step():
    outcome = classify(Facts(), now=NOW)
    assert outcome == Outcome(C.NO_ACTION, "no_action", (Step("no_action", True, "No rule fired."),))


def test_explain_does_not_change_the_answer():
    for rule in RULE_ORDER:
        quiet = classify(case(rule), now=NOW)
        explained = classify(case(rule), now=NOW, explain=True)
        assert (quiet.classification, quiet.rule) == (explained.classification, explained.rule)
        assert quiet.explanation[-1] == explained.explanation[-1]


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        classify(Facts(), now=datetime.datetime(2026, 11, 20, 12))


# ------------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULE_ORDER, ids=lambda rule: rule.value)
def test_disabled_rule_never_fires(rule):
    enabled = frozenset(RULE_ORDER) - {rule}
    outcome = classify(case(rule), now=NOW, settings=RuleSettings(enabled_rules=enabled), explain=True)
    assert outcome.classification != rule
    step = next(step for step in outcome.explanation if step.rule == rule.value)
    assert step == Step(rule.value, False, "Switched off in the rule settings.")


def test_disabling_a_rule_lets_a_later_one_fire():
    facts = Facts(latest_letter_status="validation-failed", court_date=ago(years=1), court_outcome_code="SOT")
    assert classification(facts) == C.REVIEW_FAILED_LETTER
    enabled = frozenset(RULE_ORDER) - {C.REVIEW_FAILED_LETTER}
    assert classification(facts, settings=RuleSettings(enabled_rules=enabled)) == C.CHECK_DATA


def test_nothing_enabled_is_no_action():
    outcome = classify(case(C.SEND_FIRST_SMS), now=NOW, settings=RuleSettings(enabled_rules=frozenset()), explain=True)
    assert outcome.classification == C.NO_ACTION
    assert len(outcome.explanation) == len(RULE_ORDER) + 1


def test_settings_change_thresholds_and_codes():
    three_pounds = Facts(collectable_arrears=D("3"), **RENT)
    assert classification(three_pounds) == C.NO_ACTION
    assert classification(three_pounds, settings=RuleSettings.from_overrides({"sms_arrears_min": "2.50"})) == (
        C.SEND_FIRST_SMS
    )
    leasehold = RuleSettings.from_overrides(
        {"letter_one_codes": ["ll1"], "letter_one_or_later_codes": ["LL1", "LL2"], "letter_two_codes": ["LL2"]}
    )
    after_letter_one = Facts(collectable_arrears=D("150"), **RENT, **comm("LL1", ago(days=20)))
    assert classification(after_letter_one, settings=leasehold) == C.SEND_LETTER_TWO
    assert classification(after_letter_one) == C.SEND_LETTER_ONE
    no_grace = RuleSettings(grace_weeks=0)
    assert classification(Facts(collectable_arrears=D("10"), **RENT), settings=no_grace) == C.SEND_LETTER_ONE


class TestRuleSettings:
    def test_defaults_reproduce_the_spec(self):
        settings = RuleSettings()
        assert settings.sms_arrears_min == D("5")
        assert settings.sms_arrears_below == D("10")
        assert settings.letter_arrears_min == D("10")
        assert settings.nosp_arrears_weeks == 4
        assert settings.letter_one_or_later_codes == ("IC1", "S01", "IC2", "S02", "ZR2", "ZL2", "ZT2", "S0A", "IC4")
        assert settings.warrant_active_outcomes == ("AGP", "AND", "AAH", "ADH", "SOT", "SOE")
        assert settings.enabled_rules == frozenset(RULE_ORDER)
        assert settings.overrides() == {}
        assert RuleSettings.from_overrides({}) == settings

    def test_overrides_round_trip_through_json(self):
        settings = RuleSettings.from_overrides(
            {
                "sms_arrears_min": "2.50",
                "letter_arrears_min": 20,
                "nosp_valid_for_weeks": 26,
                "sms_codes": [" gat ", "SMS"],
                "court_warning_letter_code": "ic9",
                "failed_letter_statuses": ["validation-failed", "bounced"],
                "enabled_rules": ["send_nosp", "send_letter_one"],
            }
        )
        stored = json.loads(json.dumps(settings.overrides()))
        assert stored == {
            "sms_arrears_min": "2.50",
            "letter_arrears_min": "20",
            "nosp_valid_for_weeks": 26,
            "sms_codes": ["GAT", "SMS"],
            "court_warning_letter_code": "IC9",
            "failed_letter_statuses": ["validation-failed", "bounced"],
            "enabled_rules": ["send_letter_one", "send_nosp"],
        }
        assert RuleSettings.from_overrides(stored) == settings

    def test_a_value_equal_to_the_default_is_not_an_override(self):
        assert RuleSettings.from_overrides({"sms_arrears_min": "5.00", "grace_weeks": 1}).overrides() == {}

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"sms_arrears_minimum": 5}, "sms_arrears_minimum", "is not a rule setting"),
            ({"sms_arrears_min": "five"}, "sms_arrears_min", "expected an amount of money"),
            ({"sms_arrears_min": True}, "sms_arrears_min", "expected an amount of money"),
            ({"sms_arrears_min": None}, "sms_arrears_min", "expected an amount of money"),
            ({"sms_arrears_min": "NaN"}, "sms_arrears_min", "expected an amount of money"),
            ({"letter_arrears_min": "-1"}, "letter_arrears_min", "must not be negative"),
            ({"sms_arrears_min": "10"}, "sms_arrears_min", "must be less than sms_arrears_below (£10.00)"),
            ({"sms_arrears_below": 4}, "sms_arrears_min", "must be less than sms_arrears_below (£4.00)"),
            ({"grace_weeks": -1}, "grace_weeks", "must not be negative"),
            ({"letter_two_after_days": "14"}, "letter_two_after_days", "expected a whole number"),
            ({"letter_two_after_days": 14.5}, "letter_two_after_days", "expected a whole number"),
            ({"nosp_valid_for_weeks": False}, "nosp_valid_for_weeks", "expected a whole number"),
            ({"sms_codes": "GAT"}, "sms_codes", "expected a list of non-empty codes"),
            ({"sms_codes": ["GAT", 7]}, "sms_codes", "expected a list of non-empty codes"),
            ({"sms_codes": ["GAT", " "]}, "sms_codes", "expected a list of non-empty codes"),
            ({"warrant_applied_code": ""}, "warrant_applied_code", "expected a non-empty code"),
            ({"warrant_applied_code": ["WPA"]}, "warrant_applied_code", "expected a non-empty code"),
            ({"enabled_rules": ["send_letter_three"]}, "enabled_rules", "'send_letter_three' is not a rule"),
            ({"enabled_rules": ["no_action"]}, "enabled_rules", "'no_action' is not a rule"),
            ({"enabled_rules": "send_nosp"}, "enabled_rules", "expected a list of rule names"),
        ],
    )
    def test_from_overrides_names_the_field(self, overrides, field, message):
        with pytest.raises(RuleSettingsError) as raised:
            RuleSettings.from_overrides(overrides)
        assert raised.value.field == field
        assert message in raised.value.message
        assert str(raised.value).startswith(f"{field}: ")

    def test_not_a_mapping(self):
        with pytest.raises(RuleSettingsError) as raised:
            RuleSettings.from_overrides(["sms_arrears_min"])  # type: ignore[arg-type]
        assert raised.value.field == "overrides"

    def test_direct_construction_is_checked_too(self):
        with pytest.raises(RuleSettingsError, match="grace_weeks"):
            RuleSettings(grace_weeks=-2)

    def test_field_help_has_one_sentence_per_field(self):
        help_texts = RuleSettings.field_help()
        assert list(help_texts) == [field.name for field in dataclasses.fields(RuleSettings)]
        assert all(text.endswith(".") and text[0].isupper() for text in help_texts.values())


# ------------------------------------------------------------------------------------------------
# Invariants over arbitrary facts
# ------------------------------------------------------------------------------------------------

CODES = ["GAT", "GMS", "SMS", "IC1", "S01", "IC2", "S02", "ZR2", "S0A", "IC4", "CBL", "CBV", "BLI", "WPA", "XYZ", ""]
OUTCOMES = ["AGP", "AND", "AAH", "ADH", "ADT", "SOT", "SOE", "OPD", "OPF", "STO", "WIT", "XX"]
START, END = datetime.datetime(2016, 1, 1), datetime.datetime(2036, 12, 31)
zones = st.sampled_from([None, TZ, UTC])
money = st.none() | st.decimals(min_value=-2000, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
moments = st.none() | st.dates(min_value=START.date(), max_value=END.date()) | st.datetimes(START, END, timezones=zones)
nows = st.datetimes(
    datetime.datetime(2020, 1, 1), datetime.datetime(2032, 12, 31), timezones=st.sampled_from([TZ, UTC])
)
facts_strategy = st.builds(
    Facts,
    balance=money,
    collectable_arrears=money,
    weekly_gross_rent=money,
    payments_this_week_total=money,
    last_communication_code=st.none() | st.sampled_from(CODES) | st.text(max_size=4),
    last_communication_at=moments,
    nosp_served_at=moments,
    paused_until=moments,
    eviction_date=moments,
    last_payment_at=moments,
    court_date=moments,
    court_outcome_code=st.none() | st.sampled_from(OUTCOMES),
    court_outcome_has_terms=st.none() | st.booleans(),
    court_strike_out_date=moments,
    agreement_type=st.none() | st.sampled_from(["informal", "formal"]),
    agreement_state=st.none() | st.sampled_from(["live", "breached", "cancelled", "completed"]),
    agreement_start_at=moments,
    latest_letter_status=st.none() | st.sampled_from(["validation-failed", "sent", "downloaded"]),
)
ONLY_UNBLOCKABLE = {C.REVIEW_FAILED_LETTER, C.CHECK_DATA, C.NO_ACTION}
PROPERTY = hypothesis_settings(max_examples=300, deadline=None)


@PROPERTY
@given(facts=facts_strategy, now=nows, explain=st.booleans())
def test_classify_never_raises_and_returns_one_classification(facts, now, explain):
    outcome = classify(facts, now=now, explain=explain)
    assert isinstance(outcome.classification, Classification)
    assert outcome.rule == outcome.classification.value
    last = outcome.explanation[-1]
    assert last.fired
    assert last.rule == outcome.rule
    assert all(not step.fired for step in outcome.explanation[:-1])
    if explain:
        order = [rule.value for rule in RULE_ORDER] + ["no_action"]
        assert [step.rule for step in outcome.explanation] == order[: len(outcome.explanation)]
        assert classify(facts, now=now).classification == outcome.classification
    else:
        assert len(outcome.explanation) == 1


@PROPERTY
@given(facts=facts_strategy, now=nows, hours=st.integers(min_value=1, max_value=24 * 400))
def test_paused_facts_only_get_a_failed_letter_review(facts, now, hours):
    # In UTC: Python adds a timedelta to a zoned datetime in wall-clock time, which across a clock
    # change (or from a local time that does not exist) need not move the instant at all.
    paused = dataclasses.replace(facts, paused_until=now.astimezone(UTC) + datetime.timedelta(hours=hours))
    assert classify(paused, now=now).classification in {C.REVIEW_FAILED_LETTER, C.NO_ACTION}


@PROPERTY
@given(facts=facts_strategy, now=nows, eviction=moments.filter(lambda value: value is not None))
def test_any_eviction_date_blocks_all_but_the_unblockable_rules(facts, now, eviction):
    evicted = dataclasses.replace(facts, eviction_date=eviction)
    assert classify(evicted, now=now).classification in ONLY_UNBLOCKABLE


@PROPERTY
@given(facts=facts_strategy, now=nows, hours=st.integers(min_value=1, max_value=24 * 400))
def test_future_court_date_blocks_all_but_the_unblockable_rules(facts, now, hours):
    upcoming = dataclasses.replace(facts, court_date=now.astimezone(UTC) + datetime.timedelta(hours=hours))
    assert classify(upcoming, now=now).classification in ONLY_UNBLOCKABLE
