"""The database itself holds the people-and-places rules, whatever writes to it."""

import datetime
import re

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from casework.models import Contact, HouseholdMember, Tenancy
from tests.casework.factories import (
    ContactFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PropertyFactory,
    TenancyFactory,
)

pytestmark = pytest.mark.django_db


def _number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


def test_references_are_issued_on_first_save_in_sequence():
    contacts = ContactFactory.create_batch(3)
    assert all(re.fullmatch(r"CON-\d{6}", c.reference) for c in contacts)
    numbers = [_number(c.reference) for c in contacts]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    household = HouseholdFactory()
    tenancy = TenancyFactory()
    assert re.fullmatch(r"HH-\d{6}", household.reference)
    assert re.fullmatch(r"TEN-\d{6}", tenancy.reference)


def test_saving_again_keeps_the_reference():
    contact = ContactFactory()
    reference = contact.reference
    contact.first_name = "Changed"
    contact.save()
    contact.refresh_from_db()
    assert contact.reference == reference


def test_a_rolled_back_insert_gives_its_reference_number_back():
    first = ContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        # Fails in the database (unknown language), after the number was drawn.
        ContactFactory(preferred_language="xx")
    following = ContactFactory()
    assert _number(following.reference) == _number(first.reference) + 1


def test_a_reference_cannot_be_changed_even_by_sql():
    contact = ContactFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(reference="CON-999999")
    contact.refresh_from_db()
    assert contact.reference != "CON-999999"


def test_a_household_has_at_most_one_head():
    household = HouseholdFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMemberFactory(household=household, relationship=HouseholdMember.Relationship.HEAD)


def test_a_contact_appears_once_per_household():
    household = HouseholdFactory()
    member = HouseholdMemberFactory(household=household)
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMemberFactory(household=household, contact=member.contact)


@pytest.mark.parametrize(
    ("relationship", "is_head"),
    [(HouseholdMember.Relationship.HEAD, False), (HouseholdMember.Relationship.CHILD, True)],
)
def test_is_head_matches_the_relationship(relationship, is_head):
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMemberFactory(relationship=relationship, is_head=is_head)


@pytest.mark.parametrize("status", [Tenancy.Status.ACTIVE, Tenancy.Status.PENDING_CANCELLATION])
def test_a_property_has_one_live_tenancy(status):
    live = TenancyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TenancyFactory(property=live.property, status=status, end_date=datetime.date(2027, 1, 1))


def test_ended_tenancies_do_not_count_as_live():
    prop = PropertyFactory()
    TenancyFactory(property=prop, ended=True)
    TenancyFactory(property=prop, ended=True)
    TenancyFactory(property=prop)
    assert prop.tenancies.count() == 3


@pytest.mark.parametrize(
    "fields",
    [
        {"end_date": datetime.date(2024, 3, 31)},  # before the start (2024-04-01)
        {"weekly_rent": -1},
        {"status": Tenancy.Status.ENDED, "end_date": None},
    ],
    ids=["end-before-start", "negative-rent", "ended-without-end-date"],
)
def test_tenancy_check_constraints(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        TenancyFactory(**fields)


def test_the_same_address_cannot_be_entered_twice_in_a_different_case():
    PropertyFactory(address_line_1="12 Mill Lane", postcode="DB1 2AB")
    with pytest.raises(IntegrityError), transaction.atomic():
        PropertyFactory(address_line_1="12 MILL LANE", postcode="DB1 2AB")


def test_str_names_the_record():
    contact = ContactFactory(first_name="Tara", last_name="Reilly")
    assert str(contact) == f"Tara Reilly ({contact.reference})"
    tenancy = TenancyFactory()
    assert str(tenancy).startswith(tenancy.reference)
    assert tenancy.is_live
