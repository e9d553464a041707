"""National ids (encrypted, only ever shown masked) and other systems' keys, linked only when the
head of household and the national id match; every refusal says why and writes nothing."""

import datetime

import pytest
from django.db import connection

from casework.external import ExternalMember, FakeMemberDirectory, member_directory
from casework.models import Contact, ContactExternalKey, HouseholdMember
from casework.services import identity, people
from core import errors
from core.audit import events_for
from tests.casework.factories import ContactFactory, HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db

NI = "QQ123456C"


@pytest.fixture(autouse=True)
def directory():
    FakeMemberDirectory.clear()
    yield FakeMemberDirectory
    FakeMemberDirectory.clear()


def _member(key="12345", relationship="H", national_id=NI, system="benefits") -> ExternalMember:
    member = ExternalMember(system, key, relationship, national_id, "Frank", "Ellison", datetime.date(1977, 1, 22))
    FakeMemberDirectory.register(member)
    return member


def _head(national_id: str | None = NI) -> Contact:
    contact = ContactFactory(national_id=national_id)
    HouseholdFactory(head=contact)
    return contact


def _link(actor, contact, key="12345", system="benefits"):
    return identity.contact_external_key_link(actor=actor, contact=contact, system=system, key=key)


# --- national ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [("qq 12 34 56 c", "QQ123456C"), ("123-45-6789", "123456789"), (" 123 45 6789 ", "123456789"), ("", "")],
)
def test_national_ids_are_kept_in_canonical_form(given, stored):
    assert identity.national_id_clean(given) == stored


@pytest.mark.parametrize("given", ["12345678", "1234567890", "QQ1234567", "QQ123456E", "Q1234567C", "123.45.6789"])
def test_a_national_id_that_is_neither_an_ssn_nor_an_ni_number_is_refused(caseworker, given):
    with pytest.raises(errors.ValidationError) as raised:
        people.contact_create(actor=caseworker, last_name="Ellison", national_id=given)
    assert raised.value.fields["national_id"]
    assert not Contact.objects.exists()


def test_the_national_id_is_encrypted_in_the_database(caseworker):
    contact = people.contact_create(actor=caseworker, last_name="Ellison", national_id="123-45-6789")
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM casework_contact WHERE id = %s", [contact.pk])
        (stored,) = cursor.fetchone()
    assert "6789" not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert Contact.objects.get(pk=contact.pk).national_id == "123456789"


@pytest.mark.parametrize(
    ("value", "masked"), [("123456789", "*****6789"), ("QQ123456C", "*****456C"), ("", None), (None, None)]
)
def test_national_ids_are_shown_with_only_the_last_characters(value, masked):
    assert identity.national_id_mask(value) == masked


@pytest.mark.parametrize(
    ("ours", "theirs", "match"),
    [
        ("QQ123456C", "qq 12 34 56 c", True),
        ("123456789", "123-45-6789", True),
        ("QQ123456C", "QQ123456D", False),
        ("123456789", "123456798", False),  # two digits swapped
        ("123456789", "12345678", False),  # a digit missing
        ("", "", False),
        (None, "123456789", False),
    ],
)
def test_national_ids_match_only_exactly(ours, theirs, match):
    assert identity.national_ids_match(ours, theirs) is match


def test_the_api_shows_the_national_id_masked_and_never_whole(client, caseworker):
    contact = people.contact_create(actor=caseworker, last_name="Ellison", national_id="123-45-6789")
    client.force_login(caseworker)
    for url in (f"/api/v1/contacts/{contact.pk}/", "/api/v1/contacts/"):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "123456789" not in text and "123-45-6789" not in text
        assert '"national_id_masked":"*****6789"' in text.replace(" ", "")
        assert '"national_id":' not in text


# --- linking external keys -------------------------------------------------------------------


def test_a_matching_head_of_household_is_linked_and_audited(caseworker):
    contact = _head("qq 12 34 56 c")
    _member(national_id="QQ 12 34 56 C")
    link = _link(caseworker, contact, key=" 12345 ")
    link.refresh_from_db()
    assert (link.contact, link.system, link.key, link.linked_by) == (contact, "benefits", "12345", caseworker)
    event = events_for(link).get()
    assert (event.pgh_context["action"], event.pgh_context["user"]) == ("contact_external_key_link", caseworker.pk)


def _refusal(actor, contact, **kwargs) -> str:
    before = ContactExternalKey.objects.count()
    with pytest.raises(errors.ValidationError) as raised:
        _link(actor, contact, **kwargs)
    assert ContactExternalKey.objects.count() == before
    assert raised.value.fields["key"] == [raised.value.message]
    return raised.value.message


def test_an_unknown_key_is_refused(caseworker):
    message = _refusal(caseworker, _head(), key="99999")
    assert message == "The benefits system has no member with the key 99999. Check the key and try again."


def test_a_key_of_someone_who_is_not_their_households_head_is_refused(caseworker):
    _member(relationship="S")
    message = _refusal(caseworker, _head())
    assert "relationship is 'S', not the head of household (H)" in message


def test_our_contact_must_be_the_head_of_their_household(caseworker):
    _member()
    partner = ContactFactory(national_id=NI)
    HouseholdMemberFactory(contact=partner, relationship=HouseholdMember.Relationship.PARTNER)
    message = _refusal(caseworker, partner)
    assert message.startswith(f"{partner.full_name} ({partner.reference}) is not the head of a household here")
    assert "not the head of a household" in _refusal(caseworker, ContactFactory(national_id=NI))  # no household


def test_different_national_ids_are_refused_without_revealing_either(caseworker):
    _member(national_id="QQ123456D")
    message = _refusal(caseworker, _head(NI))
    assert "does not match the one the benefits system holds" in message
    assert "QQ123456" not in message and "456C" not in message


def test_a_contact_without_a_national_id_cannot_be_checked(caseworker):
    _member()
    assert "No national id is recorded" in _refusal(caseworker, _head(None))


def test_a_key_already_linked_to_another_contact_is_refused(caseworker):
    _member()
    first = _head()
    _link(caseworker, first)
    message = _refusal(caseworker, _head())
    assert message == (
        f"The benefits key 12345 is already linked to {first.full_name} ({first.reference}); "
        "a key belongs to one contact."
    )


def test_a_contact_has_one_key_per_system(caseworker):
    _member()
    _member(key="54321")
    contact = _head()
    _link(caseworker, contact)
    message = _refusal(caseworker, contact, key="54321")
    assert "already has a benefits key (12345); a contact has only one key per system" in message
    _member(key="12345", system="housing-benefit")
    assert _link(caseworker, contact, system="housing-benefit").system == "housing-benefit"


def test_applicants_may_not_link_keys(applicant):
    _member()
    contact = _head()
    with pytest.raises(errors.PermissionDenied):
        _link(applicant, contact)
    assert not ContactExternalKey.objects.exists()


def test_the_member_directory_comes_from_the_setting(settings):
    settings.CASEWORK_FAKE_MEMBERS = "casework.demo.DEMO_MEMBERS"
    directory = member_directory()
    assert isinstance(directory, FakeMemberDirectory)
    assert directory.lookup("benefits", "12345").last_name == "Ellison"
    assert directory.lookup("benefits", "00000") is None
    settings.CASEWORK_FAKE_MEMBERS = ""
    assert member_directory().lookup("benefits", "12345") is None


# --- the API ---------------------------------------------------------------------------------


def _post_link(client, actor, contact):
    client.force_login(actor)
    return client.post(
        f"/api/v1/contacts/{contact.pk}/external-keys/",
        {"system": "benefits", "key": "12345"},
        content_type="application/json",
    )


def test_the_api_links_a_key_and_shows_it_on_the_contact(client, caseworker):
    _member()
    contact = _head()
    response = _post_link(client, caseworker, contact)
    assert response.status_code == 201, response.content
    assert (response.json()["system"], response.json()["key"]) == ("benefits", "12345")
    assert response.json()["linked_by"]["id"] == caseworker.pk
    detail = client.get(f"/api/v1/contacts/{contact.pk}/").json()
    assert [(k["system"], k["key"]) for k in detail["external_keys"]] == [("benefits", "12345")]


def test_the_api_refuses_a_mismatch_with_400_and_the_reason(client, caseworker):
    _member(national_id="QQ654321A")
    response = _post_link(client, caseworker, _head())
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "does not match" in error["message"]
    assert not ContactExternalKey.objects.exists()


def test_the_admin_shows_the_national_id_masked_and_the_links_read_only(client, supervisor, caseworker):
    _member(national_id="123-45-6789")
    contact = _head("123456789")
    _link(caseworker, contact)
    client.force_login(supervisor)
    page = client.get(f"/admin/casework/contact/{contact.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "*****6789" in text and "123456789" not in text
    assert "12345" in text  # the linked benefits key, listed read-only
    assert 'name="external_keys-0-key"' not in text
