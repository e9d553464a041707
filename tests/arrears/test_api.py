"""The arrears staff API, against the real database: the account list's filters and ordering, an
account with its arrangement, NOSP, court case and eviction, the explanation, and every write going
through the services (re-classifying the account, refusals as 400/403/404/409 in the error shape)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.labels import action_label
from arrears.models import (
    ActionDiaryEntry,
    Arrangement,
    CourtCase,
    Eviction,
    Nosp,
    PatchOfficer,
    PauseReason,
    RentAccount,
)
from arrears.services import diary as diary_services
from communications.models import Message
from tests.arrears.factories import NOW, TODAY, RentAccountFactory, classified_in_arrears, diary, post
from tests.casework.factories import PatchFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wednesday")]

API = "/api/v1/arrears"


@pytest.fixture
def staff(client, caseworker):
    client.force_login(caseworker)
    return client


def api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


def send(client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


# --- the account list ------------------------------------------------------------------------------


def test_a_row_shows_balances_pause_classification_and_the_legal_dates(staff):
    account = classified_in_arrears("250")
    row = staff.get(f"{API}/accounts/").json()["results"][0]

    assert row["id"] == account.pk and row["reference"] == account.reference
    assert row["kind"] == "rent"
    assert row["tenancy_reference"] == account.tenancy.reference
    assert row["patch"] == account.patch.code
    assert (row["balance"], row["collectable_arrears"]) == ("250.00", "250.00")
    assert (row["weekly_gross_rent"], row["weeks_owed"]) == ("100.00", "2.5")
    assert row["is_paused"] is False and row["paused_until"] is None and row["pause_reason"] is None
    assert row["classification"] == "send_letter_one"
    assert row["recommended_action"] == "Send Letter One"
    assert row["classification_reason"] == account.classification_reason != ""
    assert row["in_scope"] is True
    for name in ("nosp_served_on", "court_date", "eviction_date", "last_payment_on", "last_action_at"):
        assert row[name] is None
    assert row["arrangement_state"] == ""


def test_a_service_charge_accounts_nosp_step_is_its_letter_before_action(staff):
    account = RentAccountFactory(kind="service_charge")
    RentAccount.objects.filter(pk=account.pk).update(classification="send_nosp", in_scope=True)
    row = staff.get(f"{API}/accounts/").json()["results"][0]
    assert row["recommended_action"] == action_label("send_nosp", "service_charge") == "Send letter before action"


@pytest.fixture
def worktray(make_staff):
    """Accounts that differ in one thing each, named by what filters them."""
    east = PatchFactory(code="E01")
    west = PatchFactory(code="W01")
    officer = make_staff(email="officer@test.example")
    PatchOfficer.objects.create(patch=east, officer=officer)
    other = PauseReason.objects.get(label="Other")
    big = classified_in_arrears("900", reference="BIG", patch=east)
    small = classified_in_arrears("7", reference="SMALL", patch=west)
    unassigned = classified_in_arrears("250", reference="NOPATCH", patch=None)
    RentAccountFactory(reference="LEASE", kind="service_charge", patch=east)  # owes nothing: out of scope
    paused = classified_in_arrears("300", reference="PAUSED", patch=west)
    diary_services.account_pause(
        actor=officer, account=paused, until=TODAY + datetime.timedelta(days=5), reason=other, comment="Wait."
    )
    ends_today = classified_in_arrears("300", reference="ENDSTODAY", patch=west)
    with time_machine.travel(NOW - datetime.timedelta(days=3), tick=False):
        # Paused until today, three days ago: no longer paused ("paused until today" is not).
        diary_services.account_pause(actor=officer, account=ends_today, until=TODAY, reason=other, comment="Wait.")
    RentAccount.objects.filter(pk=big.pk).update(court_date=NOW + datetime.timedelta(days=20))
    RentAccount.objects.filter(pk=small.pk).update(court_date=NOW + datetime.timedelta(days=10))
    RentAccount.objects.filter(pk=unassigned.pk).update(eviction_date=NOW + datetime.timedelta(days=3))
    return {"officer": officer}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["BIG", "ENDSTODAY", "LEASE", "NOPATCH", "PAUSED", "SMALL"]),
        ({"kind": "service_charge"}, ["LEASE"]),
        ({"kind": "rent", "patch": "e01"}, ["BIG"]),
        ({"patch": "unassigned"}, ["NOPATCH"]),
        ({"classification": "send_first_sms"}, ["SMALL"]),
        ({"classification": "send_letter_one"}, ["BIG", "NOPATCH"]),
        ({"classification": ["send_first_sms", "no_action"]}, ["ENDSTODAY", "PAUSED", "SMALL"]),
        ({"paused": "true"}, ["PAUSED"]),
        ({"paused": "false"}, ["BIG", "ENDSTODAY", "LEASE", "NOPATCH", "SMALL"]),
        ({"in_scope": "false"}, ["LEASE"]),
        ({"in_scope": "true", "paused": "false", "patch": "W01"}, ["ENDSTODAY", "SMALL"]),
        # Ties (PAUSED and ENDSTODAY owe the same) keep the order they were made in, either way.
        ({"ordering": "balance", "in_scope": "true"}, ["SMALL", "NOPATCH", "PAUSED", "ENDSTODAY", "BIG"]),
        ({"ordering": "-balance", "in_scope": "true"}, ["BIG", "PAUSED", "ENDSTODAY", "NOPATCH", "SMALL"]),
        # Accounts without the date come last, whichever way.
        ({"ordering": "court_date", "kind": "rent"}, ["SMALL", "BIG", "NOPATCH", "PAUSED", "ENDSTODAY"]),
        ({"ordering": "-court_date", "kind": "rent"}, ["BIG", "SMALL", "NOPATCH", "PAUSED", "ENDSTODAY"]),
        ({"ordering": "-eviction_date", "kind": "rent"}, ["NOPATCH", "BIG", "SMALL", "PAUSED", "ENDSTODAY"]),
        ({"ordering": "-reference"}, ["SMALL", "PAUSED", "NOPATCH", "LEASE", "ENDSTODAY", "BIG"]),
    ],
)
def test_the_list_filters_and_orders(staff, worktray, params, expected):
    assert references(staff.get(f"{API}/accounts/", params)) == expected


def test_officer_filter_gives_the_accounts_on_the_patches_they_work(staff, worktray):
    got = references(staff.get(f"{API}/accounts/", {"officer": worktray["officer"].pk, "ordering": "reference"}))
    assert got == ["BIG", "LEASE"]
    assert references(staff.get(f"{API}/accounts/", {"officer": worktray["officer"].pk + 999})) == []


def test_the_paused_row_shows_its_reason(staff, worktray):
    row = staff.get(f"{API}/accounts/", {"paused": "true"}).json()["results"][0]
    assert row["is_paused"] is True
    assert row["paused_until"] == str(TODAY + datetime.timedelta(days=5))
    assert row["pause_reason"]["label"] == "Other"
    ends_today = staff.get(f"{API}/accounts/", {"ordering": "reference"}).json()["results"][1]
    assert ends_today["reference"] == "ENDSTODAY" and ends_today["is_paused"] is False


@pytest.mark.parametrize(("params", "field"), [({"kind": "council_tax"}, "kind"), ({"ordering": "tenant"}, "ordering")])
def test_a_bad_filter_is_a_400_naming_it(staff, params, field):
    error = api_error(staff.get(f"{API}/accounts/", params), 400, "validation_error")
    assert field in error["fields"]


def test_the_list_is_paginated_and_takes_a_fixed_number_of_queries(staff, make_staff):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = staff.get(f"{API}/accounts/", {"ordering": "-balance"})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    reason = PauseReason.objects.get(label="Promise of payment")
    officer = make_staff(email="officer@test.example")

    def accounts(n: int, offset: int) -> None:
        for i in range(n):
            account = classified_in_arrears(str(100 + i + offset))
            PatchOfficer.objects.create(patch=account.patch, officer=officer)
            if i % 2:
                RentAccount.objects.filter(pk=account.pk).update(
                    paused_until=TODAY + datetime.timedelta(days=3), pause_reason=reason
                )

    accounts(3, 0)
    few, count = queries()
    assert count == 3
    accounts(27, 3)
    many, count = queries()
    assert count == 30
    assert many == few
    # The session and user, the count and the page.
    assert many <= 4
    body = staff.get(f"{API}/accounts/").json()
    assert set(body) == {"count", "next", "previous", "results"} and len(body["results"]) == 30


# --- one account ----------------------------------------------------------------------------------------


def test_the_account_shows_its_arrangement_and_latest_nosp_court_case_and_eviction(staff, caseworker):
    account = classified_in_arrears("600")
    send(staff, f"{API}/accounts/{account.pk}/nosps/", {"served_on": "2026-10-01"})
    older = send(staff, f"{API}/accounts/{account.pk}/court-cases/", {"court_date": "2026-11-02T10:00:00Z"})
    court = send(staff, f"{API}/accounts/{account.pk}/court-cases/", {"court_date": "2026-11-09T10:00:00Z"})
    assert older.status_code == court.status_code == 201
    outcome = send(
        staff,
        f"{API}/court-cases/{court.json()['id']}/outcome/",
        {"outcome_code": "SOT", "terms": True, "balance_on_outcome_date": "600.00"},
    )
    assert outcome.status_code == 200, outcome.content
    made = send(
        staff,
        f"{API}/accounts/{account.pk}/arrangements/",
        {
            "kind": "formal",
            "frequency": "weekly",
            "instalment_amount": "10.00",
            "start_date": "2026-11-23",
            "court_case": court.json()["id"],
        },
    )
    assert made.status_code == 201, made.content

    body = staff.get(f"{API}/accounts/{account.pk}/").json()

    assert body["reference"] == account.reference
    assert body["weekly_rent"] == "100.00" and body["pause_comment"] == ""
    assert body["current_arrangement"]["id"] == made.json()["id"]
    assert body["current_arrangement"]["state"] == "live" and body["current_arrangement"]["kind"] == "formal"
    assert body["arrangement_state"] == "live"
    nosp = body["latest_nosp"]
    # Active 3 months after service, then valid 52 weeks more (the default rule set, §4).
    assert (nosp["served_on"], nosp["expires_on"]) == ("2026-10-01", "2027-01-01")
    assert nosp["valid_until"] == str(datetime.date(2027, 1, 1) + datetime.timedelta(weeks=52))
    assert nosp["in_cooling_off"] is True and nosp["valid"] is True
    assert body["latest_court_case"]["id"] == court.json()["id"]
    assert body["latest_court_case"]["outcome_code"] == "SOT"
    assert body["latest_court_case"]["outcome_meaning"] == "Suspension on terms"
    assert body["latest_court_case"]["created_by"]["email"] == caseworker.email
    assert body["latest_eviction"] is None
    assert body["court_outcome_code"] == "SOT" and body["nosp_served_on"] == "2026-10-01"


def test_an_account_with_nothing_recorded_has_nulls(staff):
    account = RentAccountFactory()
    body = staff.get(f"{API}/accounts/{account.pk}/").json()
    assert body["current_arrangement"] is None and body["latest_nosp"] is None
    assert body["latest_court_case"] is None and body["latest_eviction"] is None
    assert body["classification"] == "" and body["recommended_action"] == ""


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/{id}/",
        "/accounts/{id}/explanation/",
        "/accounts/{id}/diary/",
        "/accounts/{id}/transactions/",
        "/accounts/{id}/arrangements/",
        "/arrangements/{id}/",
        "/court-cases/{id}/",
    ],
)
def test_what_does_not_exist_is_a_404(staff, url):
    api_error(staff.get(API + url.format(id=987654)), 404, "not_found")


def test_the_explanation_gives_every_rule_up_to_the_one_that_fires(staff):
    account = classified_in_arrears("250")
    body = staff.get(f"{API}/accounts/{account.pk}/explanation/").json()
    assert body["account"] == account.pk
    assert body["classification"] == body["rule"] == "send_letter_one"
    assert body["recommended_action"] == "Send Letter One"
    steps = body["explanation"]
    assert len(steps) > 1
    assert steps[-1]["rule"] == "send_letter_one" and steps[-1]["fired"] is True
    assert not any(step["fired"] for step in steps[:-1])
    assert all(set(step) == {"rule", "fired", "reason"} and step["reason"] for step in steps)


def test_reclassify_brings_the_stored_classification_up_to_date(staff):
    account = classified_in_arrears("250")
    diary(account, "IC1", at=NOW - datetime.timedelta(hours=1))  # written behind the services' back
    assert RentAccount.objects.get(pk=account.pk).classification == "send_letter_one"

    response = send(staff, f"{API}/accounts/{account.pk}/reclassify/")

    assert response.status_code == 200
    assert response.json()["classification"] != "send_letter_one"
    assert response.json()["last_communication_code"] == "IC1"
    assert RentAccount.objects.get(pk=account.pk).classification == response.json()["classification"]


# --- transactions and the diary ---------------------------------------------------------------------


def test_transactions_newest_first_and_filtered_by_date(staff):
    account = RentAccountFactory()
    post(account, "100", on=datetime.date(2026, 11, 2))
    post(account, "-40", on=datetime.date(2026, 11, 6))
    post(account, "100", on=datetime.date(2026, 11, 9))
    other = RentAccountFactory()
    post(other, "5", on=datetime.date(2026, 11, 9))

    body = staff.get(f"{API}/accounts/{account.pk}/transactions/").json()
    assert body["count"] == 3
    assert [(t["posted_on"], t["amount"]) for t in body["results"]] == [
        ("2026-11-09", "100.00"),
        ("2026-11-06", "-40.00"),
        ("2026-11-02", "100.00"),
    ]
    assert body["results"][1]["category"] == "payment" and body["results"][1]["type"] == "RPY"

    url = f"{API}/accounts/{account.pk}/transactions/"
    window = staff.get(url, {"posted_on_after": "2026-11-03", "posted_on_before": "2026-11-06"})
    assert [t["posted_on"] for t in window.json()["results"]] == ["2026-11-06"]
    assert staff.get(url, {"posted_on_before": "2026-11-06"}).json()["count"] == 2
    error = api_error(staff.get(url, {"posted_on_after": "soon"}), 400, "validation_error")
    assert "posted_on" in error["fields"]


def test_the_diary_newest_first(staff):
    account = RentAccountFactory()
    diary(account, "C", at=NOW - datetime.timedelta(days=2), comment="first")
    diary(account, "VIU", at=NOW - datetime.timedelta(days=1), comment="second")
    results = staff.get(f"{API}/accounts/{account.pk}/diary/").json()["results"]
    assert [(e["code"], e["comment"]) for e in results] == [("VIU", "second"), ("C", "first")]
    assert results[0]["code_description"] == "Unsuccessful visit" and results[0]["by"] == "Arrears system"


def test_a_diary_entry_reclassifies_the_account_in_the_response(staff, caseworker):
    account = classified_in_arrears("7")
    assert account.classification == "send_first_sms"

    response = send(staff, f"{API}/accounts/{account.pk}/diary/", {"code": "gms", "comment": "Texted by hand."})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["comment"], body["source"]) == ("GMS", "Texted by hand.", "staff")
    assert body["created_by"]["email"] == caseworker.email
    # A text was sent: the first-text recommendation goes at once.
    assert body["account"]["classification"] == "no_action"
    assert body["account"]["last_communication_code"] == "GMS"
    assert RentAccount.objects.get(pk=account.pk).classification == "no_action"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "ZZZ"}, "code"),
        ({"code": "IC1"}, "code"),  # the system writes it, not people
        ({}, "code"),
        ({"code": "C", "occurred_at": "2026-11-18T11:00:00Z"}, "occurred_at"),  # in the future
        ({"code": "C", "occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_a_bad_diary_entry_is_a_400_naming_the_field(staff, data, field):
    account = classified_in_arrears("250")
    error = api_error(send(staff, f"{API}/accounts/{account.pk}/diary/", data), 400, "validation_error")
    assert field in error["fields"]
    assert not ActionDiaryEntry.objects.filter(account=account).exists()


# --- pausing, failed letters, sending ------------------------------------------------------------------


def test_pause_and_unpause(staff):
    account = classified_in_arrears("250")
    reason = PauseReason.objects.get(label="Promise of payment")

    paused = send(
        staff,
        f"{API}/accounts/{account.pk}/pause/",
        {"until": "2026-11-21", "reason": reason.pk, "comment": "Pays Friday."},
    )
    assert paused.status_code == 200, paused.content
    body = paused.json()
    assert body["is_paused"] is True and body["paused_until"] == "2026-11-21"
    assert body["pause_reason"] == {"id": reason.pk, "label": "Promise of payment"}
    assert body["pause_comment"] == "Pays Friday."
    assert body["classification"] == "no_action"
    assert ActionDiaryEntry.objects.filter(account=account, code="POP").exists()

    unpaused = send(staff, f"{API}/accounts/{account.pk}/unpause/", {"comment": "Did not pay."})
    assert unpaused.status_code == 200
    assert unpaused.json()["is_paused"] is False and unpaused.json()["classification"] == "send_letter_one"

    error = api_error(send(staff, f"{API}/accounts/{account.pk}/unpause/"), 409, "conflict")
    assert "not paused" in error["message"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"until": str(TODAY), "comment": "x"}, "until"),  # "paused until today" is not paused
        ({"until": str(TODAY - datetime.timedelta(days=1)), "comment": "x"}, "until"),
        ({"until": str(TODAY + datetime.timedelta(days=2)), "comment": " "}, "comment"),
        ({"until": str(TODAY + datetime.timedelta(days=2)), "comment": "x", "reason": 999999}, "reason"),
    ],
)
def test_a_bad_pause_is_a_400_naming_the_field(staff, data, field):
    account = classified_in_arrears("250")
    data = {"reason": PauseReason.objects.get(label="Other").pk, **data}
    error = api_error(send(staff, f"{API}/accounts/{account.pk}/pause/", data), 400, "validation_error")
    assert field in error["fields"]
    assert RentAccount.objects.get(pk=account.pk).paused_until is None


def test_failed_letter_review_without_a_failed_letter_is_a_409(staff):
    account = classified_in_arrears("250")
    api_error(send(staff, f"{API}/accounts/{account.pk}/failed-letter-review/"), 409, "conflict")


def test_send_recommended_sends_once_and_the_second_call_is_a_409(staff, caseworker):
    account = classified_in_arrears("250")
    url = f"{API}/accounts/{account.pk}/send-recommended/"

    first = send(staff, url, {"classification": "send_letter_one"})

    assert first.status_code == 200, first.content
    assert first.json()["result"] == "sent"
    assert first.json()["account"]["classification"] != "send_letter_one"
    assert first.json()["account"]["last_communication_code"] == "IC1"
    entry = ActionDiaryEntry.objects.get(account=account, code="IC1")
    assert entry.created_by == caseworker and entry.message_id is not None

    api_error(send(staff, url), 409, "conflict")
    api_error(send(staff, url, {"classification": "send_letter_one"}), 409, "conflict")
    letters = Message.objects.filter(
        regarding_type=ContentType.objects.get_for_model(RentAccount), regarding_id=account.pk
    )
    assert list(letters.values_list("pk", flat=True)) == [entry.message_id]
    assert ActionDiaryEntry.objects.filter(account=account, code="IC1").count() == 1


def test_send_recommended_refuses_when_what_was_shown_has_changed(staff):
    account = classified_in_arrears("250")
    error = api_error(
        send(staff, f"{API}/accounts/{account.pk}/send-recommended/", {"classification": "send_letter_two"}),
        409,
        "conflict",
    )
    assert "changed" in error["message"]
    assert not ActionDiaryEntry.objects.filter(account=account, code="IC1").exists()


# --- arrangements -------------------------------------------------------------------------------------------


def test_make_and_cancel_an_informal_arrangement(staff):
    account = classified_in_arrears("300")
    made = send(
        staff,
        f"{API}/accounts/{account.pk}/arrangements/",
        {"kind": "informal", "frequency": "weekly", "instalment_amount": "20.00", "start_date": "2026-11-20"},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["kind"], body["state"], body["starting_balance"]) == ("informal", "live", "300.00")
    assert body["account"]["arrangement_state"] == "live"
    assert [h["state"] for h in body["history"]] == ["live"]

    listed = staff.get(f"{API}/accounts/{account.pk}/arrangements/").json()
    assert [a["id"] for a in listed["results"]] == [body["id"]]

    cancelled = send(staff, f"{API}/arrangements/{body['id']}/cancel/", {"reason": "Tenant moved out."})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["state"] == "cancelled" and cancelled.json()["is_active"] is False
    assert cancelled.json()["account"]["arrangement_state"] == "cancelled"

    detail = staff.get(f"{API}/arrangements/{body['id']}/").json()
    assert [h["state"] for h in detail["history"]] == ["cancelled", "live"]
    assert "Tenant moved out." in detail["history"][0]["description"]

    api_error(send(staff, f"{API}/arrangements/{body['id']}/cancel/", {"reason": "Again."}), 409, "conflict")
    assert Arrangement.objects.get(pk=body["id"]).state == "cancelled"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"instalment_amount": "0"}, "instalment_amount"),
        ({"frequency": "yearly"}, "frequency"),
        ({"frequency": "unsupported_legacy"}, "frequency"),
        ({"start_date": None}, "start_date"),
        ({"kind": "formal"}, "court_case"),
        ({"lump_sum_amount": "50"}, "lump_sum_date"),
        ({"lump_sum_amount": "-5", "lump_sum_date": "2026-12-01"}, "lump_sum_amount"),
    ],
)
def test_a_bad_arrangement_is_a_400_naming_the_field(staff, data, field):
    account = classified_in_arrears("300")
    data = {"kind": "informal", "frequency": "weekly", "instalment_amount": "5", "start_date": "2026-11-20", **data}
    data = {name: value for name, value in data.items() if value is not None}
    error = api_error(send(staff, f"{API}/accounts/{account.pk}/arrangements/", data), 400, "validation_error")
    assert field in error["fields"]
    assert not Arrangement.objects.filter(account=account).exists()


def test_a_cancellation_needs_a_reason(staff):
    account = classified_in_arrears("300")
    made = send(
        staff,
        f"{API}/accounts/{account.pk}/arrangements/",
        {"kind": "informal", "frequency": "monthly", "instalment_amount": "50", "start_date": "2026-11-30"},
    ).json()
    error = api_error(
        send(staff, f"{API}/arrangements/{made['id']}/cancel/", {"reason": "  "}), 400, "validation_error"
    )
    assert "reason" in error["fields"]


# --- NOSPs, court cases and evictions ---------------------------------------------------------------------


def test_record_a_nosp(staff):
    account = classified_in_arrears("600")
    response = send(staff, f"{API}/accounts/{account.pk}/nosps/", {"served_on": "2026-11-08"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["served_on"] == "2026-11-08" and body["expires_on"] == "2027-02-08"
    assert body["account"]["nosp_served_on"] == "2026-11-08"
    assert body["account"]["classification"] == "no_action"  # in its cooling-off period
    # One served long ago: past its cooling-off period and no longer valid (3 months + 52 weeks).
    old = send(staff, f"{API}/accounts/{account.pk}/nosps/", {"served_on": "2025-06-01"}).json()
    assert (old["expires_on"], old["in_cooling_off"], old["valid"]) == ("2025-09-01", False, False)
    listed = staff.get(f"{API}/accounts/{account.pk}/nosps/").json()["results"]
    assert [n["id"] for n in listed] == [old["id"], body["id"]]

    error = api_error(
        send(staff, f"{API}/accounts/{account.pk}/nosps/", {"served_on": "2026-11-19"}), 400, "validation_error"
    )
    assert "served_on" in error["fields"]
    assert Nosp.objects.filter(account=account).count() == 2


def test_record_a_court_case_and_its_outcome(staff):
    account = classified_in_arrears("600")
    future = send(staff, f"{API}/accounts/{account.pk}/court-cases/", {"court_date": "2026-12-01T10:00:00Z"})
    assert future.status_code == 201, future.content
    assert future.json()["account"]["court_date"] == "2026-12-01T10:00:00Z"
    # Nothing is recommended while a hearing is coming up.
    assert future.json()["account"]["classification"] == "no_action"
    error = api_error(
        send(staff, f"{API}/court-cases/{future.json()['id']}/outcome/", {"outcome_code": "OPD"}), 409, "conflict"
    )
    assert "not happened" in error["message"]

    past = send(staff, f"{API}/accounts/{account.pk}/court-cases/", {"court_date": "2026-11-10T10:00:00Z"}).json()
    assert send(staff, f"{API}/court-cases/{past['id']}/outcome/", {"outcome_code": "SOT"}).status_code == 400
    recorded = send(staff, f"{API}/court-cases/{past['id']}/outcome/", {"outcome_code": "opd"})
    assert recorded.status_code == 200, recorded.content
    body = recorded.json()
    assert (body["outcome_code"], body["outcome_meaning"]) == ("OPD", "Outright possession with date")
    assert body["account"]["court_outcome_code"] == "OPD"
    # An unknown code is kept: it still means an outcome is recorded.
    unknown = send(staff, f"{API}/court-cases/{past['id']}/outcome/", {"outcome_code": "XYZ"}).json()
    assert (unknown["outcome_code"], unknown["outcome_meaning"]) == ("XYZ", None)

    listed = staff.get(f"{API}/accounts/{account.pk}/court-cases/").json()["results"]
    assert [c["id"] for c in listed] == [past["id"], future.json()["id"]]
    assert staff.get(f"{API}/court-cases/{past['id']}/").json()["outcome_code"] == "XYZ"
    assert CourtCase.objects.filter(account=account).count() == 2

    missing = api_error(send(staff, f"{API}/accounts/{account.pk}/court-cases/", {}), 400, "validation_error")
    assert "court_date" in missing["fields"]


def test_record_an_eviction(staff):
    account = classified_in_arrears("250")
    response = send(staff, f"{API}/accounts/{account.pk}/evictions/", {"date": "2026-12-03T09:30:00Z"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["date"] == "2026-12-03T09:30:00Z"
    assert body["account"]["eviction_date"] == "2026-12-03T09:30:00Z"
    assert body["account"]["classification"] == "no_action"  # any eviction stops the ladder
    assert Eviction.objects.filter(account=account).count() == 1
    assert staff.get(f"{API}/accounts/{account.pk}/").json()["latest_eviction"]["id"] == body["id"]
    assert [e["id"] for e in staff.get(f"{API}/accounts/{account.pk}/evictions/").json()["results"]] == [body["id"]]
    error = api_error(send(staff, f"{API}/accounts/{account.pk}/evictions/", {"date": "soon"}), 400, "validation_error")
    assert "date" in error["fields"]


# --- reference data ---------------------------------------------------------------------------------------


def test_reference_data(staff):
    codes = staff.get(f"{API}/action-codes/", {"user_accessible": "true"}).json()
    assert {"C", "GMS", "VIM"} <= {c["code"] for c in codes}
    assert "IC1" not in {c["code"] for c in codes}
    assert all(c["user_accessible"] for c in codes)
    communications = staff.get(f"{API}/action-codes/", {"is_communication": "true"}).json()
    assert "IC1" in {c["code"] for c in communications} and "VIU" not in {c["code"] for c in communications}

    reasons = staff.get(f"{API}/pause-reasons/").json()
    assert {"label": "Promise of payment", "code": "POP"}.items() <= next(
        r for r in reasons if r["label"] == "Promise of payment"
    ).items()

    outcomes = {o["code"]: o for o in staff.get(f"{API}/court-outcomes/").json()}
    assert outcomes["OPD"]["calls_for_possession_warrant"] is True and outcomes["SOT"]["can_carry_terms"] is True

    payments = staff.get(f"{API}/transaction-types/", {"category": "payment"}).json()
    assert "RPY" in {t["code"] for t in payments} and "DRR" not in {t["code"] for t in payments}


# --- who may -------------------------------------------------------------------------------------------------


def _urls(account_id: int) -> list[tuple[str, str]]:
    return [
        ("get", f"{API}/accounts/"),
        ("get", f"{API}/accounts/{account_id}/"),
        ("get", f"{API}/accounts/{account_id}/explanation/"),
        ("get", f"{API}/accounts/{account_id}/diary/"),
        ("post", f"{API}/accounts/{account_id}/diary/"),
        ("post", f"{API}/accounts/{account_id}/pause/"),
        ("post", f"{API}/accounts/{account_id}/reclassify/"),
        ("post", f"{API}/accounts/{account_id}/send-recommended/"),
        ("post", f"{API}/accounts/{account_id}/arrangements/"),
        ("post", f"{API}/accounts/{account_id}/nosps/"),
        ("get", f"{API}/action-codes/"),
    ]


def test_applicants_get_403(client, applicant):
    account = classified_in_arrears("250")
    client.force_login(applicant)
    for method, url in _urls(account.pk):
        response = getattr(client, method)(url, {"code": "C"} if method == "post" else None)
        api_error(response, 403, "permission_denied")
    assert not ActionDiaryEntry.objects.filter(account=account).exists()


def test_anonymous_visitors_are_refused(client):
    account = classified_in_arrears("250")
    for method, url in _urls(account.pk):
        response = getattr(client, method)(url)
        assert response.status_code in (401, 403), url
        api_error(response, response.status_code, "not_authenticated")


# --- the schema --------------------------------------------------------------------------------------------


def test_the_schema_documents_the_arrears_api_without_warnings(tmp_path):
    out = tmp_path / "schema.json"
    # --fail-on-warn: any warning (an undocumented body, an enum name collision) fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    schema = json.loads(out.read_text())
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/arrears/accounts/", "get"),
        ("/api/v1/arrears/accounts/{id}/", "get"),
        ("/api/v1/arrears/accounts/{id}/explanation/", "get"),
        ("/api/v1/arrears/accounts/{id}/send-recommended/", "post"),
        ("/api/v1/arrears/accounts/{account_id}/diary/", "post"),
        ("/api/v1/arrears/accounts/{account_id}/transactions/", "get"),
        ("/api/v1/arrears/arrangements/{id}/cancel/", "post"),
        ("/api/v1/arrears/court-cases/{id}/outcome/", "post"),
        ("/api/v1/arrears/pause-reasons/", "get"),
    ]:
        assert method in paths[path], path
        operation = paths[path][method]
        assert operation["responses"]["200" if method == "get" or "diary" not in path else "201"]["content"]
        if method == "post" and path.endswith(("diary/", "outcome/", "cancel/")):
            assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    listing = paths["/api/v1/arrears/accounts/"]["get"]
    assert {"kind", "patch", "classification", "paused", "in_scope", "officer", "ordering", "page"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert "409" in paths["/api/v1/arrears/accounts/{id}/send-recommended/"]["post"]["responses"]
    row = schema["components"]["schemas"]["Account"]["properties"]
    assert {"recommended_action", "weeks_owed", "collectable_arrears", "pause_reason"} <= set(row)
