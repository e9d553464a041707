"""`manage.py arrears_classify` and the facts JSON it reads (arrears.facts_json): output in input
order, --explain, --now, and every kind of bad input exiting with status 2 and a sentence naming
the record and the field. The rules come from the stored rule set, as in the nightly run."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from arrears import rules
from arrears.facts_json import FIELDS, FactsError, load_records, parse_records
from arrears.models import RuleSet

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/London")
MAIN = Path(__file__).resolve().parents[2]
BAD_BALANCE = [
    {"id": "A-15", "collectable_arrears": 7, "weekly_gross_rent": 100},
    {"id": "A-16"},
    {"id": "A-17", "balance": "abc"},
]
BAD_BALANCE_MESSAGE = 'record 3 (id "A-17"): field "balance": expected a number or null, got "abc".'
SMS_AFTER_AN_SMS = {"id": 1, "collectable_arrears": 7, "weekly_gross_rent": 100, "last_communication_code": "GAT"}


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "facts.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def run(*args: str) -> list[dict]:
    """The command's JSON output."""
    out = io.StringIO()
    call_command("arrears_classify", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def fails(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("arrears_classify", *args, stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 2
    assert out.getvalue() == ""
    return str(raised.value)


def classifications(tmp_path: Path, records: list[dict], *args: str) -> list[str]:
    return [row["classification"] for row in run("--facts", write(tmp_path, records), *args)]


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------


def test_output_is_in_input_order(tmp_path):
    records = [
        {"id": "c", "court_date": "2026-11-19T10:00:00"},
        {"id": 7, "collectable_arrears": 7, "weekly_gross_rent": 100},
        {"id": "a"},
        {"id": "b", "collectable_arrears": 150.5, "weekly_gross_rent": 100, "payments_this_week_total": -20},
    ]
    output = run("--facts", write(tmp_path, records), "--now", "2026-11-20T12:00:00")
    assert [row["id"] for row in output] == ["c", 7, "a", "b"]
    assert [row["classification"] for row in output] == [
        "update_court_outcome",
        "send_first_sms",
        "no_action",
        "send_letter_one",
    ]
    assert [row["rule"] for row in output] == [row["classification"] for row in output]
    for row in output:
        assert list(row) == ["id", "classification", "rule", "explanation"]
        (step,) = row["explanation"]
        assert step["rule"] == row["rule"]
        assert step["fired"] is True
    assert output[2]["explanation"] == [{"rule": "no_action", "fired": True, "reason": "No rule fired."}]
    assert "less grace £80.00" in output[3]["explanation"][0]["reason"]


def test_empty_array_prints_an_empty_array(tmp_path):
    assert run("--facts", write(tmp_path, []), "--now", "2026-11-20") == []


def test_explain_gives_every_rule_up_to_the_one_that_fired(tmp_path):
    records = [
        {"id": "sms", "collectable_arrears": 7, "weekly_gross_rent": 100},
        {"id": "paused", "collectable_arrears": 7, "weekly_gross_rent": 100, "paused_until": "2026-11-30"},
    ]
    sms, paused = run("--facts", write(tmp_path, records), "--now", "2026-11-20T12:00", "--explain")
    assert [step["rule"] for step in sms["explanation"]] == [
        "apply_for_outright_possession_warrant",
        "review_failed_letter",
        "send_first_sms",
    ]
    assert [step["fired"] for step in sms["explanation"]] == [False, False, True]
    assert sms["explanation"][0]["reason"] == "Blocked: there is no court date."
    assert [step["rule"] for step in paused["explanation"]] == [rule.value for rule in rules.RULE_ORDER] + ["no_action"]
    assert paused["explanation"][2]["reason"] == "Blocked: the case is paused until 2026-11-30."


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param("2026-11-20", "send_first_sms", id="a date is local midnight"),
        pytest.param("2026-11-19T23:59:59", "no_action", id="a naive datetime is local time"),
        pytest.param("2026-11-20T00:00:00", "send_first_sms", id="local midnight"),
        pytest.param("2026-11-20T00:00:00+00:00", "send_first_sms", id="with an offset"),
        pytest.param("2026-11-19T23:30:00-01:00", "send_first_sms", id="with another offset"),
        pytest.param("2026-11-19T23:30:00Z", "no_action", id="Z for UTC"),
    ],
)
def test_now_accepts_a_date_or_a_datetime(tmp_path, now, expected):
    records = [{**SMS_AFTER_AN_SMS, "last_communication_at": "2026-11-13"}]
    assert classifications(tmp_path, records, "--now", now) == [expected]


def test_now_with_an_offset_counts_days_in_local_time(tmp_path):
    """23:30 UTC on 7 July is 00:30 on 8 July in London: the SMS of 1 July is 7 days old."""
    records = [{**SMS_AFTER_AN_SMS, "last_communication_at": "2026-07-01"}]
    assert classifications(tmp_path, records, "--now", "2026-07-07T23:30:00+00:00") == ["send_first_sms"]
    assert classifications(tmp_path, records, "--now", "2026-07-07T22:30:00+00:00") == ["no_action"]


def test_now_defaults_to_the_current_time(tmp_path):
    records = [{**SMS_AFTER_AN_SMS, "last_communication_at": "2026-11-13"}]
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=TZ), tick=False):
        assert classifications(tmp_path, records) == ["send_first_sms"]
    with time_machine.travel(datetime.datetime(2026, 11, 19, 9, tzinfo=TZ), tick=False):
        assert classifications(tmp_path, records) == ["no_action"]


def test_the_supervisors_stored_rule_set_decides(tmp_path):
    records = [{"id": 1, "collectable_arrears": 7, "weekly_gross_rent": 100}]
    assert classifications(tmp_path, records, "--now", "2026-11-20") == ["send_first_sms"]
    RuleSet.objects.filter(kind="rent").update(overrides={"sms_arrears_min": "8"})
    assert classifications(tmp_path, records, "--now", "2026-11-20") == ["no_action"]


def test_kind_chooses_the_service_charge_rule_set(tmp_path):
    # Service-charge accounts have no text-message rule (ADR 0013).
    records = [{"id": 1, "collectable_arrears": 7, "weekly_gross_rent": 100}]
    assert classifications(tmp_path, records, "--now", "2026-11-20", "--kind", "service_charge") == ["no_action"]


def test_facts_from_standard_input(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps([{"id": "x", "collectable_arrears": 7}])))
    assert [row["classification"] for row in run("--facts", "-", "--now", "2026-11-20")] == ["send_first_sms"]


# ------------------------------------------------------------------------------------------------
# Bad input: status 2, one sentence naming the record and the field, nothing on stdout
# ------------------------------------------------------------------------------------------------


def one(**fields: object) -> list[dict]:
    return [{"id": "A-1", **fields}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(BAD_BALANCE, BAD_BALANCE_MESSAGE, id="wrong type"),
        pytest.param({"id": 1}, "the facts must be a JSON array of objects, got an object.", id="not an array"),
        pytest.param('"facts"', 'the facts must be a JSON array of objects, got "facts".', id="a string"),
        pytest.param([[1]], "record 1: expected an object, got an array.", id="record not an object"),
        pytest.param(
            [{"id": "a"}, {"balance": 1}],
            'record 2: field "id": is required (a string or an integer).',
            id="missing id",
        ),
        pytest.param(
            [{"id": None}], 'record 1: field "id": expected a non-empty string or an integer, got null.', id="null id"
        ),
        pytest.param(
            [{"id": True}], 'record 1: field "id": expected a non-empty string or an integer, got true.', id="bool id"
        ),
        pytest.param(
            [{"id": 1.5}], 'record 1: field "id": expected a non-empty string or an integer, got 1.5.', id="float id"
        ),
        pytest.param(
            [{"id": ""}], 'record 1: field "id": expected a non-empty string or an integer, got "".', id="empty id"
        ),
        pytest.param(
            [{"id": 9, "balanse": 1}],
            'record 1 (id 9): field "balanse": unknown field; the allowed fields are id, balance, collectable_arrears,',
            id="unknown field",
        ),
        pytest.param(
            one(collectable_arrears="7"),
            'record 1 (id "A-1"): field "collectable_arrears": expected a number or null, got "7".',
            id="number as a string",
        ),
        pytest.param(
            one(weekly_gross_rent=True),
            'record 1 (id "A-1"): field "weekly_gross_rent": expected a number or null, got true.',
            id="boolean for a number",
        ),
        pytest.param(
            one(last_communication_code=5),
            'record 1 (id "A-1"): field "last_communication_code": expected a string or null, got 5.',
            id="number for a code",
        ),
        pytest.param(
            one(court_outcome_has_terms="yes"),
            'record 1 (id "A-1"): field "court_outcome_has_terms": expected true, false or null, got "yes".',
            id="string for a flag",
        ),
        pytest.param(
            one(agreement_type="court"),
            'record 1 (id "A-1"): field "agreement_type": expected one of informal, formal or null, got "court".',
            id="agreement type",
        ),
        pytest.param(
            one(agreement_state="ended"),
            'record 1 (id "A-1"): field "agreement_state": expected one of live, breached, cancelled, completed or '
            'null, got "ended".',
            id="agreement state",
        ),
        pytest.param("[{", "the facts are not valid JSON: Expecting", id="invalid JSON"),
        pytest.param('[{"id": 1, "balance": NaN}]', "the facts are not valid JSON: NaN is not a number.", id="NaN"),
    ],
)
def test_bad_records_exit_2_naming_the_record_and_field(tmp_path, data, message):
    assert message in fails("--facts", write(tmp_path, data), "--now", "2026-11-20")


@pytest.mark.parametrize(
    "value",
    [
        "2026-13-01",
        "2026-02-30",
        "yesterday",
        "21/11/2026",
        "2026-11-21T25:00:00",
        "2026-W47-6",
        "20261121",
        "2026-11-21T09:30:00+0100",
        "",
        20261121,
        True,
        ["2026-11-21"],
    ],
)
def test_bad_dates_exit_2(tmp_path, value):
    message = fails("--facts", write(tmp_path, one(court_date=value)), "--now", "2026-11-20")
    assert message.startswith(
        'record 1 (id "A-1"): field "court_date": expected an ISO date ("2026-11-21") or date and time '
        '("2026-11-21T09:30:00") or null, got '
    )
    assert json.dumps(value) in message


def test_missing_file_exits_2(tmp_path):
    assert fails("--facts", str(tmp_path / "nowhere.json")) == f"There is no file at {tmp_path / 'nowhere.json'}."


def test_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "facts.json"
    path.write_bytes(b"\xff\xfe[]")
    assert "cannot be read" in fails("--facts", str(path))


@pytest.mark.parametrize("now", ["yesterday", "2026-11-31", "1732104000", "2026-11-20 noon"])
def test_bad_now_exits_2(tmp_path, now):
    message = fails("--facts", write(tmp_path, []), "--now", now)
    assert message == (
        f'--now: expected an ISO date ("2026-11-21") or date and time ("2026-11-21T09:30:00"), got "{now}".'
    )


# ------------------------------------------------------------------------------------------------
# Through the command line: the exit status and stderr
# ------------------------------------------------------------------------------------------------


def manage_py(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, reading the rule sets of this test database (installed,
    and committed, when it was migrated)."""
    from django.db import connection

    database = f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "manage.py", "arrears_classify", *args],
        cwd=MAIN,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_exits_2_with_the_message_on_stderr(tmp_path):
    result = manage_py("--facts", write(tmp_path, BAD_BALANCE), "--now", "2026-11-20")
    assert result.returncode == 2, result.stderr
    assert BAD_BALANCE_MESSAGE in result.stderr
    assert result.stdout == ""


def test_manage_py_exits_2_for_a_missing_facts_option():
    result = manage_py("--now", "2026-11-20")
    assert result.returncode == 2
    assert "--facts" in result.stderr
    assert result.stdout == ""


def test_manage_py_prints_json(tmp_path):
    result = manage_py("--facts", write(tmp_path, BAD_BALANCE[:2]), "--now", "2026-11-20", "--explain")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert [row["classification"] for row in output] == ["send_first_sms", "no_action"]
    assert len(output[1]["explanation"]) == len(rules.RULE_ORDER) + 1


# ------------------------------------------------------------------------------------------------
# The facts format itself
# ------------------------------------------------------------------------------------------------


class TestFactsJson:
    def test_values_are_converted(self):
        ((record_id, facts),) = load_records(
            json.dumps(
                [
                    {
                        "id": 42,
                        "collectable_arrears": 0.1,
                        "weekly_gross_rent": 100,
                        "payments_this_week_total": -12.34,
                        "last_communication_code": " ic1 ",
                        "court_outcome_code": "",
                        "last_communication_at": "2026-11-21T09:30:00",
                        "court_date": "2026-11-21T09:30:00+01:00",
                        "nosp_served_at": "2026-11-21",
                        "eviction_date": "2026-11-21T09:30:00Z",
                        "court_outcome_has_terms": False,
                        "agreement_type": "formal",
                        "agreement_state": "breached",
                        "latest_letter_status": " validation-failed ",
                        "paused_until": None,
                    }
                ]
            )
        )
        assert record_id == 42
        assert facts.collectable_arrears == Decimal("0.1")
        assert str(facts.collectable_arrears) == "0.1"
        assert facts.weekly_gross_rent == Decimal("100")
        assert facts.payments_this_week_total == Decimal("-12.34")
        assert facts.last_communication_code == "IC1"
        assert facts.court_outcome_code is None
        assert facts.last_communication_at == datetime.datetime(2026, 11, 21, 9, 30)  # naive stays naive
        assert facts.court_date == datetime.datetime(
            2026, 11, 21, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
        )
        assert facts.eviction_date == datetime.datetime(2026, 11, 21, 9, 30, tzinfo=datetime.UTC)
        assert facts.nosp_served_at == datetime.date(2026, 11, 21)
        assert type(facts.nosp_served_at) is datetime.date
        assert facts.court_outcome_has_terms is False
        assert (facts.agreement_type, facts.agreement_state) == ("formal", "breached")
        assert facts.latest_letter_status == "validation-failed"
        assert facts.paused_until is None
        assert facts.balance is None  # missing means unknown

    def test_parse_records_takes_floats_from_the_standard_parser(self):
        ((_, facts),) = parse_records(json.loads('[{"id": "x", "balance": 10.10}]'))
        assert facts.balance == Decimal("10.1")

    def test_allowed_fields_are_the_facts_fields(self):
        assert ("id", *(field for field in rules.Facts.__dataclass_fields__)) == FIELDS

    def test_error_is_a_value_error(self):
        with pytest.raises(ValueError, match="record 1"):
            parse_records([{}])
        assert issubclass(FactsError, ValueError)
