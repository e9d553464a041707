"""Payees: validation of the tax id and bank details, encryption at rest (the database column
never holds the plain number), masked display, who may change one, and the admin showing them
read-only and masked."""

from __future__ import annotations

import pytest
from django.db import connection

from core import errors
from core.audit import events_for
from core.models import User
from payments.models import Payee
from payments.services.payees import account_number_clean, payee_save, routing_number_clean, tax_id_clean
from tests.payments.factories import BANK
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def landlord() -> User:
    return make_applicant("lena@test.example", kind=User.Kind.LANDLORD, first_name="Lena", last_name="Lord")


@pytest.mark.parametrize("written", ["123456789", "12-3456789", "123-45-6789", " 12-3456789 "])
def test_a_tax_id_is_accepted_in_its_usual_forms_and_stored_as_digits(written):
    assert tax_id_clean(written) == "123456789"


@pytest.mark.parametrize("written", ["", "12345678", "1234567890", "12-345-6789", "12345678A", "1234-56789"])
def test_a_tax_id_that_is_not_9_digits_is_refused(written):
    with pytest.raises(errors.ValidationError) as refused:
        tax_id_clean(written)
    assert "tax_id" in refused.value.fields


@pytest.mark.parametrize(("written", "stored"), [("021000021", "021000021"), ("12-34-56", "123456")])
def test_routing_numbers_and_sort_codes(written, stored):
    assert routing_number_clean(written) == stored


@pytest.mark.parametrize("written", ["12345", "1234567", "12345678A", ""])
def test_bad_routing_numbers_are_refused(written):
    with pytest.raises(errors.ValidationError):
        routing_number_clean(written)


@pytest.mark.parametrize("written", ["123", "123456789012345678", "12ab", ""])
def test_bad_account_numbers_are_refused(written):
    with pytest.raises(errors.ValidationError):
        account_number_clean(written)


def test_the_tax_id_and_account_number_are_encrypted_at_rest_and_shown_masked(landlord):
    payee = payee_save(actor=landlord, owner=landlord, **BANK)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tax_id, account_number FROM payments_payee WHERE id = %s", [payee.pk])
        stored_tax_id, stored_account = cursor.fetchone()
    assert stored_tax_id and "123456789" not in stored_tax_id
    assert "000123456789" not in stored_account
    payee.refresh_from_db()
    assert payee.tax_id == "123456789" and payee.account_number == "000123456789"
    assert payee.tax_id_masked == "•••••6789" and payee.account_number_masked.endswith("6789")
    assert payee.has_payment_method
    assert events_for(payee).first().pgh_context["action"] == "payee_create"


def test_changing_a_payee_keeps_the_stored_numbers_when_left_empty_and_clears_the_other_method(landlord):
    payee_save(actor=landlord, owner=landlord, **BANK)
    payee = payee_save(
        actor=landlord,
        owner=landlord,
        kind="business",
        name="Lord Lettings LLC",
        payment_method="cheque",
        tax_id="",
        mailing_address_line_1="1 Main St",
        mailing_town="Boston",
        mailing_postcode="02139",
    )
    assert Payee.objects.count() == 1
    assert (payee.tax_id, payee.kind, payee.account_number, payee.account_holder) == (
        "123456789",
        "business",
        None,
        "",
    )
    assert payee.mailing_address == "1 Main St, Boston, 02139"


def test_a_new_payee_needs_every_detail_of_its_method(landlord):
    with pytest.raises(errors.ValidationError) as refused:
        payee_save(actor=landlord, owner=landlord, kind="individual", name="", payment_method="bank_transfer")
    assert set(refused.value.fields) == {"name", "tax_id", "account_holder", "routing_number", "account_number"}
    with pytest.raises(errors.ValidationError) as refused:
        payee_save(
            actor=landlord, owner=landlord, kind="individual", name="L", payment_method="cheque", tax_id="123456789"
        )
    assert set(refused.value.fields) == {"mailing_address_line_1", "mailing_postcode"}
    assert not Payee.objects.exists()


def test_only_the_owner_or_staff_may_change_a_payee(landlord, caseworker):
    other = make_applicant("other@test.example", kind=User.Kind.LANDLORD)
    tenant = make_applicant("tenant@test.example")
    for actor in (other, tenant):
        with pytest.raises(errors.PermissionDenied):
            payee_save(actor=actor, owner=landlord, **BANK)
    with pytest.raises(errors.PermissionDenied):
        payee_save(actor=tenant, owner=tenant, **BANK)
    assert payee_save(actor=caseworker, owner=landlord, **BANK).owner == landlord


def test_the_admin_shows_a_payee_read_only_and_masked(client, supervisor, landlord):
    payee = payee_save(actor=landlord, owner=landlord, **BANK)
    client.force_login(supervisor)
    response = client.get(f"/admin/payments/payee/{payee.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "•••••6789" in content and "123456789" not in content and "000123456789" not in content
    assert 'name="tax_id"' not in content and "Save" not in content
