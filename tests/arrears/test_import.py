"""Importing accounts and transactions from a housing system's CSV export (arrears.services.imports),
through `manage.py arrears_import` and the admin's "Import from CSV" page: header errors write
nothing, every bad row is rejected with its line, column and reason while the others go in,
re-importing changes nothing, a conflicting duplicate is refused, a dry run writes nothing, the
import is batch-based, and only supervisors may import."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from pghistory.models import Events

from arrears.models import ImportRun, RentAccount, Transaction
from arrears.services.imports import ImportReport, import_csv
from core import errors
from core.audit import events_for
from tests.arrears.factories import RentAccountFactory, post
from tests.casework.factories import PatchFactory, TenancyFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC)  # a Wednesday
DATA = Path(__file__).parent / "data"
MAIN = Path(__file__).resolve().parents[2]
ACCOUNTS_HEADER = (
    "reference,kind,tenancy_reference,patch_code,weekly_rent,weekly_service_charge,weekly_other_charges,terminated"
)
TRANSACTIONS_HEADER = "account_reference,external_id,type_code,posted_on,amount,description"
IMPORT_PAGE = "/admin/arrears/rentaccount/import/"
NOT_A_KIND = "“council_tax” is not a kind of account: say rent or service_charge."
NEGATIVE = "The weekly_service_charge cannot be negative (it is -5)."
TOO_LONG = "The reference has 23 characters; at most 20 fit."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tenancies():
    """The tenancies and patch the sample files name."""
    patch = PatchFactory(code="E01")
    return {
        ref: TenancyFactory(reference=ref, property__patch=patch) for ref in ("TEN-900001", "TEN-900002", "TEN-900003")
    }


@pytest.fixture
def accounts(tenancies):
    """The sample accounts, imported."""
    _import_file("accounts.csv")
    return {a.reference: a for a in RentAccount.objects.filter(reference__startswith="RA9000")}


def _import_file(name: str, **kwargs) -> ImportReport:
    with (DATA / name).open(newline="", encoding="utf-8-sig") as handle:
        return import_csv(actor=None, file=handle, name=name, **kwargs)


def _import(text: str, *, actor=None, name: str = "export.csv", **kwargs) -> ImportReport:
    return import_csv(actor=actor, file=io.StringIO(text, newline=""), name=name, **kwargs)


def _problems(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(r.line, r.field, r.message) for r in report.rejections]


def _write(tmp_path: Path, text: str, name: str = "export.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _command(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("arrears_import", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


# --- the header --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        (
            "reference,kind,weekly_rent\nRA1,rent,1\n",
            "The accounts file's header is missing the required column “tenancy_reference”.",
        ),
        (
            "reference,kind,tenancy_reference,colour,size\n",
            "The accounts file's header has columns we do not know: “colour” and “size”.",
        ),
        (
            "account_reference,external_id,type_code,amount,memo\n",
            "The transactions file's header is missing the required column “posted_on” and has a column we do "
            "not know: “memo”.",
        ),
        ("reference,Reference,kind,tenancy_reference\n", "The header names “reference” more than once."),
        ("name,address\nA,B\n", "The header does not say whether this is an accounts file"),
    ],
)
def test_a_bad_header_is_refused_with_a_sentence_naming_the_columns_and_nothing_is_written(text, message, tenancies):
    with pytest.raises(errors.ValidationError) as raised:
        _import(text)
    assert message in raised.value.message
    assert raised.value.fields["file"] == [raised.value.message]
    assert not ImportRun.objects.exists()
    assert not RentAccount.objects.exists()


def test_the_kind_can_be_given_and_then_the_header_must_match_it(tenancies):
    with pytest.raises(errors.ValidationError) as raised:
        _import(f"{ACCOUNTS_HEADER}\n", kind="transactions")
    assert "The transactions file's header is missing the required columns “account_reference”" in str(raised.value)


def test_the_command_exits_2_for_a_bad_header_and_writes_nothing(tenancies):
    out, error = _command(str(DATA / "accounts_bad_header.csv"))
    assert error is not None and error.returncode == 2
    assert "accounts_bad_header.csv: The accounts file's header has a column we do not know: “colour”." in str(error)
    assert out == ""
    assert not ImportRun.objects.exists() and not RentAccount.objects.exists()


def test_the_command_exits_2_for_a_missing_file_or_one_that_is_not_utf8(tmp_path):
    _out, error = _command(str(tmp_path / "nowhere.csv"))
    assert error.returncode == 2 and "There is no file at" in str(error)
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{TRANSACTIONS_HEADER}\nRA1,T1,DRR,2026-11-02,1.00,Caf\xe9\n".encode("latin-1"))
    _out, error = _command(str(path))
    assert error.returncode == 2
    assert "is not UTF-8 text (line 2): save it as CSV (UTF-8)." in str(error)
    assert not ImportRun.objects.exists()


# --- accounts ----------------------------------------------------------------------------------


def test_accounts_are_created_from_a_file_with_a_bom_and_columns_in_any_case(tenancies):
    report = _import_file("accounts.csv")

    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    rent = RentAccount.objects.get(reference="RA900001")
    assert (rent.kind, rent.tenancy, rent.patch.code) == ("rent", tenancies["TEN-900001"], "E01")
    assert (rent.weekly_rent, rent.weekly_service_charge, rent.weekly_other_charges) == (
        Decimal("100.00"),
        Decimal("5.00"),
        Decimal("0.00"),
    )
    assert rent.weekly_gross_rent == Decimal("105.00") and not rent.is_terminated
    leasehold = RentAccount.objects.get(reference="RA900002")
    assert (leasehold.kind, leasehold.patch, leasehold.weekly_service_charge) == (
        "service_charge",
        None,
        Decimal("25.50"),
    )
    # Tenancy references and patch codes are matched without regard to case.
    lower = RentAccount.objects.get(reference="RA900003")
    assert (lower.tenancy, lower.patch.code) == (tenancies["TEN-900003"], "E01")
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.kind, run.file_name, run.started_by, run.created, run.rejected, run.report) == (
        "accounts",
        "accounts.csv",
        None,
        3,
        0,
        [],
    )
    assert run.finished_at == NOW


def test_importing_accounts_again_changes_nothing_and_a_changed_value_is_an_audited_update(tenancies, supervisor):
    _import_file("accounts.csv")
    account = RentAccount.objects.get(reference="RA900001")
    events = events_for(account).count()

    again = _import_file("accounts.csv")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert events_for(account).count() == events

    changed = _import(
        f"{ACCOUNTS_HEADER}\nRA900001,rent,TEN-900001,,110.00,5.00,0,yes\nRA900002,service_charge,TEN-900002,,0,25.50,,no\n",
        actor=supervisor,
    )
    assert changed.counts == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    account.refresh_from_db()
    assert (account.weekly_rent, account.patch, account.is_terminated) == (Decimal("110.00"), None, True)
    assert account.updated_by == supervisor
    update = events_for(account).get(pgh_label="update")
    assert update.pgh_context["action"] == "arrears_import"
    assert update.pgh_context["import_run"] == changed.run_id
    assert update.pgh_context["user"] == supervisor.pk
    assert update.pgh_diff["weekly_rent"] == [100.0, 110.0]


def test_a_column_left_out_leaves_the_stored_value_alone(accounts):
    report = _import("reference,kind,tenancy_reference,weekly_rent\nRA900001,rent,TEN-900001,120\n")
    assert report.counts["updated"] == 1
    account = RentAccount.objects.get(reference="RA900001")
    assert account.weekly_rent == Decimal("120.00")
    assert (account.weekly_service_charge, account.patch.code) == (Decimal("5.00"), "E01")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (",rent,TEN-900001,,1,,,", "reference", "The reference is empty."),
        (
            "RA1,council_tax,TEN-900001,,1,,,",
            "kind",
            "“council_tax” is not a kind of account: say rent or service_charge.",
        ),
        ("RA1,,TEN-900001,,1,,,", "kind", "The kind is empty."),
        ("RA1,rent,TEN-404,,1,,,", "tenancy_reference", "There is no tenancy “TEN-404”."),
        ("RA1,rent,,,1,,,", "tenancy_reference", "The tenancy_reference is empty."),
        ("RA1,rent,TEN-900001,Z99,1,,,", "patch_code", "There is no patch “Z99”."),
        ("RA1,rent,TEN-900001,,abc,,,", "weekly_rent", "“abc” is not an amount of money (write it like 123.45)."),
        (
            "RA1,rent,TEN-900001,,1,-5,,",
            "weekly_service_charge",
            "The weekly_service_charge cannot be negative (it is -5).",
        ),
        ("RA1,rent,TEN-900001,,1,,1.234,", "weekly_other_charges", "“1.234” has more than two decimal places."),
        ("RA1,rent,TEN-900001,,1,,,maybe", "terminated", "“maybe” is not true or false (or yes or no)."),
        ("RA1,rent,TEN-900001,,1,,,,extra", "row", "The row has 9 values but the header has 8 columns."),
        (
            "RA123456789012345678901,rent,TEN-900001,,1,,,",
            "reference",
            "The reference has 23 characters; at most 20 fit.",
        ),
    ],
)
def test_every_bad_account_value_is_named_and_the_good_rows_are_imported(tenancies, row, field, message):
    text = f"{ACCOUNTS_HEADER}\nRA900003,rent,TEN-900003,,95,,,\n{row}\n"
    report = _import(text)
    assert _problems(report) == [(3, field, message)]
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert list(RentAccount.objects.values_list("reference", flat=True)) == ["RA900003"]
    assert ImportRun.objects.get(pk=report.run_id).report == [{"line": 3, "field": field, "message": message}]


def test_a_row_with_several_bad_values_names_each_and_counts_once(tenancies):
    report = _import(f"{ACCOUNTS_HEADER}\nRA1,flat,TEN-900001,Z99,x,,,\n")
    assert [field for _line, field, _message in _problems(report)] == ["kind", "patch_code", "weekly_rent"]
    assert report.rejected == 1 and report.problems == 3


def test_an_account_cannot_change_kind_or_tenancy_and_a_tenancy_has_one_account_of_each_kind(accounts, tenancies):
    report = _import(
        f"{ACCOUNTS_HEADER}\n"
        "RA900001,service_charge,TEN-900001,,1,,,\n"
        "RA900002,service_charge,TEN-900003,,1,,,\n"
        "RA900009,rent,TEN-900001,,1,,,\n"
        "RA900010,service_charge,TEN-900003,,1,,,\n"
    )
    assert _problems(report) == [
        (2, "kind", "Account RA900001 is a rent account: an import cannot change an account's kind."),
        (
            3,
            "tenancy_reference",
            "Account RA900002 belongs to tenancy TEN-900002: an import cannot move an account to another tenancy.",
        ),
        (
            4,
            "tenancy_reference",
            "Tenancy TEN-900001 already has a rent account, RA900001: a tenancy has one account of each kind.",
        ),
    ]
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    assert RentAccount.objects.get(reference="RA900001").kind == "rent"
    assert RentAccount.objects.get(reference="RA900010").tenancy == tenancies["TEN-900003"]


def test_an_account_given_twice_in_a_file_counts_once_or_is_rejected_when_the_details_differ(tenancies):
    report = _import(
        f"{ACCOUNTS_HEADER}\n"
        "RA900001,rent,TEN-900001,,100,,,\n"
        "RA900001,rent,TEN-900001,,100.00,,,\n"
        "RA900001,rent,TEN-900001,,101,,,\n",
        batch_size=1,
    )
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 1}
    assert _problems(report) == [(4, "reference", "Account RA900001 is already on line 2 with different details.")]
    assert RentAccount.objects.get(reference="RA900001").weekly_rent == Decimal("100.00")


# --- transactions ------------------------------------------------------------------------------


def test_transactions_are_created_once_and_importing_them_again_reports_every_row_unchanged(accounts):
    report = _import_file("transactions.csv")
    assert report.kind == "transactions"
    assert report.counts == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    payment = Transaction.objects.get(external_id="T-1003")
    assert (payment.account.reference, payment.type_id, payment.posted_on, payment.amount, payment.description) == (
        "RA900001",
        "RPY",
        datetime.date(2026, 11, 10),
        Decimal("-50.00"),
        "Payment, thank you",
    )
    stored = list(Transaction.objects.order_by("pk").values())

    again = _import_file("transactions.csv")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert list(Transaction.objects.order_by("pk").values()) == stored
    assert ImportRun.objects.get(pk=again.run_id).unchanged == 4


def test_every_bad_transaction_value_is_named_and_the_good_rows_are_imported(accounts):
    report = _import_file("transactions_bad.csv")
    assert _problems(report) == [
        (3, "account_reference", "There is no account “RA999999”."),
        (4, "type_code", "There is no transaction type “XYZ”."),
        (5, "posted_on", "“2026-02-30” is not a date in the calendar."),
        (6, "posted_on", "“16.11.2026” is not a date: write it as YYYY-MM-DD or DD/MM/YYYY."),
        (7, "posted_on", "01/01/2030 is in the future: only transactions already posted are imported."),
        (8, "amount", "“ten pounds” is not an amount of money (write it like 123.45)."),
        (9, "amount", "“10.005” has more than two decimal places."),
        (10, "external_id", "The external_id is empty."),
        (11, "row", "The row has 4 values but the header has 6 columns."),
    ]
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 9}
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["T-1004"]


def test_the_same_external_id_with_another_amount_date_or_type_is_rejected_and_the_stored_row_kept(accounts):
    _import_file("transactions.csv")
    before = Transaction.objects.get(external_id="T-1001")

    report = _import(
        f"{TRANSACTIONS_HEADER}\n"
        "RA900001,T-1001,DRR,2026-11-02,110.00,Rent week 45\n"
        "RA900001,T-1002,DRR,2026-11-08,105.00,Rent week 46\n"
        "RA900001,T-1003,DOC,2026-11-10,-50.00,\n"
        "RA900001,T-1005,DRR,2026-11-16,105.00,new\n"
        # The same external id on another account is another transaction.
        "RA900003,T-1001,DRR,2026-11-02,95.10,\n"
    )
    assert _problems(report) == [
        (
            2,
            "amount",
            "Transaction T-1001 on account RA900001 was already imported with a different amount (105.00, not 110.00):"
            " an import never changes a transaction.",
        ),
        (
            3,
            "posted_on",
            "Transaction T-1002 on account RA900001 was already imported with a different date (2026-11-09, not "
            "2026-11-08): an import never changes a transaction.",
        ),
        (
            4,
            "type_code",
            "Transaction T-1003 on account RA900001 was already imported with a different type (RPY, not DOC): an "
            "import never changes a transaction.",
        ),
    ]
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    after = Transaction.objects.get(external_id="T-1001", account__reference="RA900001")
    assert (after.pk, after.amount, after.posted_on, after.type_id) == (
        before.pk,
        before.amount,
        before.posted_on,
        before.type_id,
    )


def test_a_transaction_repeated_in_one_file_counts_once_or_is_rejected_when_it_differs(accounts):
    report = _import(
        f"{TRANSACTIONS_HEADER}\n"
        "RA900001,T-1,DRR,2026-11-02,105.00,\n"
        "RA900001,T-1,DRR,02/11/2026,105,\n"
        "RA900001,T-1,DRR,2026-11-02,-105.00,\n"
    )
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 1}
    assert _problems(report) == [
        (
            4,
            "amount",
            "Transaction T-1 on account RA900001 is already on line 2 of this file with a different amount "
            "(105.00, not -105.00).",
        )
    ]
    assert Transaction.objects.get().amount == Decimal("105.00")


def test_a_row_the_csv_reader_cannot_read_is_rejected_and_the_rest_imported(accounts):
    huge = "x" * 200_000
    report = _import(
        f'{TRANSACTIONS_HEADER}\nRA900001,T-1,DRR,2026-11-02,1.00,"{huge}"\nRA900001,T-2,DRR,2026-11-02,1.00,\n'
    )
    assert _problems(report) == [(2, "row", "The row cannot be read as CSV: field larger than field limit (131072).")]
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["T-2"]


# --- dry run, classification, batches, who may import ------------------------------------------


def test_a_dry_run_checks_and_counts_but_writes_nothing(tenancies):
    before = Events.objects.count()
    report = _import_file("accounts.csv", dry_run=True)
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert report.run_id is None and "Dry run: nothing was written." in report.summary()
    assert not RentAccount.objects.exists() and not ImportRun.objects.exists()
    assert Events.objects.count() == before

    _import_file("accounts.csv")
    transactions = _import_file("transactions_bad.csv", dry_run=True)
    assert transactions.counts == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 9}
    assert not Transaction.objects.exists()
    assert ImportRun.objects.count() == 1  # the real accounts import only


def test_the_command_imports_without_classifying_and_classify_reclassifies_the_accounts_touched(accounts, tmp_path):
    untouched = RentAccountFactory()
    post(untouched, "500", on=datetime.date(2026, 11, 2))
    _import_file("transactions.csv")
    assert set(RentAccount.objects.values_list("classification", flat=True)) == {""}

    out, error = _command(
        _write(tmp_path, f"{TRANSACTIONS_HEADER}\nRA900001,T-1004,DRR,2026-11-16,400.00,arrears\n"), "--classify"
    )
    assert error is None, out
    assert "1 account re-classified." in out
    account = RentAccount.objects.get(reference="RA900001")
    assert account.balance == Decimal("560.00") and account.in_scope
    assert account.classification not in ("", "no_action")
    untouched.refresh_from_db()
    assert untouched.classification == ""
    assert ImportRun.objects.latest("id").classified == 1


def test_twenty_thousand_transactions_are_imported_in_batches_with_a_bounded_number_of_queries(
    accounts, django_assert_max_num_queries
):
    references = list(accounts)
    lines = [TRANSACTIONS_HEADER]
    for n in range(20_000):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300)
        lines.append(f"{references[n % 3]},G{n},{'DRR' if n % 2 else 'RPY'},{day:%Y-%m-%d},{n % 97 + 1}.25,row {n}")
    text = "\n".join(lines) + "\n"

    # Four batches of 5,000: each is a savepoint, the lock, one account lookup, one look at what is
    # already stored and one insert; then the run's record. Per-row queries would be thousands.
    with django_assert_max_num_queries(40):
        report = _import(text)
    assert report.counts == {"created": 20_000, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Transaction.objects.count() == 20_000

    with django_assert_max_num_queries(40):
        again = _import(text)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 20_000, "rejected": 0}


def test_accounts_are_imported_in_batches_too(tenancies, django_assert_max_num_queries):
    many = [TenancyFactory() for _ in range(24)]
    text = ACCOUNTS_HEADER + "\n" + "".join(f"RB{n},rent,{t.reference},E01,{n}.50,,,\n" for n, t in enumerate(many))
    with django_assert_max_num_queries(6 * 7 + 6):  # six batches of four
        report = _import(text, batch_size=4)
    assert report.created == 24
    edited = text.replace(".50,", ".75,")
    with django_assert_max_num_queries(6 * 7 + 6):
        report = _import(edited, batch_size=4)
    assert report.updated == 24
    assert RentAccount.objects.get(reference="RB3").weekly_rent == Decimal("3.75")


def test_only_supervisors_and_the_system_may_import(caseworker, supervisor, tenancies):
    with pytest.raises(errors.PermissionDenied):
        _import(f"{ACCOUNTS_HEADER}\n", actor=caseworker)
    report = _import(f"{ACCOUNTS_HEADER}\nRA900001,rent,TEN-900001,,1,,,\n", actor=supervisor)
    assert ImportRun.objects.get(pk=report.run_id).started_by == supervisor


def test_the_report_keeps_the_first_thousand_problems_and_counts_them_all(accounts):
    lines = [TRANSACTIONS_HEADER, *(f"RA404,T{n},DRR,2026-11-02,1.00," for n in range(1_200))]
    report = _import("\n".join(lines) + "\n")
    assert report.rejected == 1_200 and report.more_problems == 200
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.rejected, len(run.report)) == (1_200, 1_000)
    assert run.report[0] == {"line": 2, "field": "account_reference", "message": "There is no account “RA404”."}


# --- the command's exit statuses ---------------------------------------------------------------


def test_the_command_exits_0_when_every_row_is_imported_and_1_when_some_are_rejected(accounts):
    out, error = _command(str(DATA / "transactions.csv"))
    assert error is None
    assert out.splitlines() == [
        "Imported transactions from transactions.csv: 4 rows, 4 created, 0 updated, 0 unchanged, 0 rejected."
    ]

    out, error = _command(str(DATA / "transactions_bad.csv"), "--kind", "transactions")
    assert error is not None and error.returncode == 1
    assert str(error) == "9 rows were rejected; see above."
    lines = out.splitlines()
    assert lines[0] == (
        "Imported transactions from transactions_bad.csv: 10 rows, 1 created, 0 updated, 0 unchanged, 9 rejected."
    )
    assert lines[1] == "  line 3, account_reference: There is no account “RA999999”."
    assert len(lines) == 10


def test_the_command_prints_the_first_twenty_problems_and_how_many_more(accounts, tmp_path):
    lines = [TRANSACTIONS_HEADER, *(f"RA404,T{n},DRR,2026-11-02,1.00," for n in range(25))]
    out, error = _command(_write(tmp_path, "\n".join(lines)), "--dry-run")
    assert error.returncode == 1
    printed = out.splitlines()
    assert len(printed) == 1 + 20 + 1
    assert printed[-1] == "  … and 5 more."
    assert "Dry run: nothing was written." in printed[0]
    assert ImportRun.objects.count() == 1  # the accounts' import


def _manage_py(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, against this test database (it sees only committed rows:
    these runs are dry runs or refused, so they leave nothing behind)."""
    from django.db import connection

    database = f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "manage.py", "arrears_import", *args],
        cwd=MAIN,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_exit_statuses_for_the_scheduler(tmp_path):
    refused = _manage_py(str(DATA / "accounts_bad_header.csv"))
    assert refused.returncode == 2, refused.stderr
    assert "has a column we do not know: “colour”" in refused.stderr
    assert refused.stdout == ""

    # In its own process the accounts do not exist, so every row is rejected.
    rejected = _manage_py(str(DATA / "transactions.csv"), "--dry-run")
    assert rejected.returncode == 1, rejected.stderr
    assert "4 rejected. Dry run: nothing was written." in rejected.stdout
    assert "4 rows were rejected; see above." in rejected.stderr

    empty = _manage_py(_write(tmp_path, f"{TRANSACTIONS_HEADER}\n"), "--dry-run")
    assert empty.returncode == 0, empty.stderr
    assert "0 rows" in empty.stdout


# --- the admin page ----------------------------------------------------------------------------


def _upload(text: str | bytes, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_supervisors_find_the_import_page_from_the_accounts_list(client, supervisor):
    client.force_login(supervisor)
    changelist = client.get("/admin/arrears/rentaccount/").content.decode()
    assert f'href="{IMPORT_PAGE}"' in changelist and "Import from CSV" in changelist
    page = client.get(IMPORT_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_file">CSV file</label>' in html
    assert 'aria-describedby="id_file_helptext"' in html
    assert '<label for="id_dry_run">Check only</label>' in html
    assert 'id="site-name"' in html  # the admin's own layout


def test_a_supervisor_imports_a_file_and_sees_the_counts_and_the_rejected_rows(client, supervisor, accounts):
    client.force_login(supervisor)
    response = client.post(IMPORT_PAGE, {"file": _upload((DATA / "transactions_bad.csv").read_text())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "What was imported" in html
    assert "10 rows, 1 created, 0 updated, 0 unchanged, 9 rejected." in html
    assert "<td>3</td><td>account_reference</td><td>There is no account “RA999999”.</td>" in html
    run = ImportRun.objects.get(started_by=supervisor)
    assert run.kind == "transactions" and run.rejected == 9
    assert f'href="/admin/arrears/importrun/{run.pk}/change/"' in html
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["T-1004"]

    record = client.get(f"/admin/arrears/importrun/{run.pk}/change/")
    assert record.status_code == 200
    assert "There is no account “RA999999”." in record.content.decode()
    assert client.get("/admin/arrears/importrun/").status_code == 200


def test_a_dry_run_from_the_page_changes_nothing(client, supervisor, tenancies):
    client.force_login(supervisor)
    response = client.post(
        IMPORT_PAGE, {"file": _upload((DATA / "accounts.csv").read_bytes(), "accounts.csv"), "dry_run": "on"}
    )
    html = response.content.decode()
    assert "checked only: nothing was changed" in html and "3 created" in html
    assert not RentAccount.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_upload(b"PK\x03\x04\x14\x00\x06\x00", "accounts.xlsx"), "“accounts.xlsx” is not a CSV file"),
        (_upload("reference,kind\n".encode("utf-16"), "accounts.csv"), "“accounts.csv” is not UTF-8 text"),
        (_upload(b"reference,kind,tenancy_reference\nRA1,rent,Caf\xe9\n"), "“export.csv” is not UTF-8 text"),
        (_upload(b"", "empty.csv"), "The submitted file is empty."),
        (_upload("name,address\n"), "The header does not say whether this is an accounts file"),
    ],
    ids=["spreadsheet", "utf16", "latin1", "empty", "header"],
)
def test_a_bad_upload_is_a_form_error_and_nothing_is_written(client, supervisor, upload, message):
    client.force_login(supervisor)
    response = client.post(IMPORT_PAGE, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and 'role="alert"' in html
    assert message in html
    assert '<a href="#id_file">' in html
    assert 'aria-invalid="true"' in html and "id_file_error" in html
    assert not ImportRun.objects.exists()


def test_caseworkers_get_403_and_visitors_are_sent_to_sign_in(client, caseworker, tenancies):
    assert client.get(IMPORT_PAGE).status_code == 302
    client.force_login(caseworker)
    assert client.get(IMPORT_PAGE).status_code == 403
    response = client.post(IMPORT_PAGE, {"file": _upload((DATA / "accounts.csv").read_bytes())})
    assert response.status_code == 403
    assert not RentAccount.objects.exists()


def test_classify_after_an_import_does_not_send_even_where_automation_is_on(accounts, tmp_path):
    from arrears.models import ActionDiaryEntry, AutomatedStep, RuleSet
    from arrears.services.classification import account_reclassify
    from casework.models import Patch

    RuleSet.objects.filter(kind="rent").update(automation_on=True)
    for step in AutomatedStep.objects.filter(rule_set__kind="rent"):
        step.is_on = True
        step.save()
        step.patches.set(Patch.objects.all())
    text = f"{TRANSACTIONS_HEADER}\nRA900001,T-1,DRR,2026-10-05,900.00,arrears\n"

    report = _import(text, classify=True)

    account = RentAccount.objects.get(reference="RA900001")
    assert report.classified == 1 and account.classification not in ("", "no_action")
    assert not ActionDiaryEntry.objects.filter(account=account).exists()
    account_reclassify(account)  # what a diary write or the nightly run would do: it sends
    assert ActionDiaryEntry.objects.filter(account=account).exists()


def test_a_stream_that_stops_being_utf8_half_way_keeps_the_batches_before_and_says_where(accounts):
    good = "".join(f"RA900001,T-{n},DRR,2026-11-02,1.00,row {n}\n" for n in range(400)).encode()
    data = f"{TRANSACTIONS_HEADER}\n".encode() + good + b"RA900001,T-X,DRR,2026-11-02,1.00,Caf\xe9\n"
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")

    report = import_csv(actor=None, file=stream, name="half.csv", batch_size=100)

    assert report.error.startswith("The file is not UTF-8 text at or after line ")
    assert 0 < report.created < 400 and Transaction.objects.count() == report.created
    run = ImportRun.objects.get(pk=report.run_id)
    assert run.error == report.error and run.created == report.created
