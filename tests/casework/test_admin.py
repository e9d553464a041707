"""Supervisors maintain reference data in the admin; saves there are stamped and audited, and
get references and normalised postcodes the same way as the services."""

import pytest

from casework.models import Contact, Household, HouseholdMember, PatchSource, PostcodeArea, Property
from core.audit import events_for
from core.models import User
from tests.casework.factories import ContactFactory, HouseholdMemberFactory, PatchFactory, TenancyFactory

pytestmark = pytest.mark.django_db


def _inline_management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_supervisor_adds_a_property_with_the_postcode_normalised_and_is_recorded(client, supervisor):
    patch = PatchFactory()
    PostcodeArea.objects.create(prefix="DB1", patch=patch)
    client.force_login(supervisor)
    response = client.post(
        "/admin/casework/property/add/",
        {"address_line_1": "12 Mill Lane", "address_line_2": "", "town": "Kingsford", "postcode": "db1 2ab"},
    )
    assert response.status_code == 302, response.content
    prop = Property.objects.get()
    assert prop.postcode == "DB1 2AB"
    assert (prop.patch, prop.patch_source) == (patch, PatchSource.LOOKUP)  # from the lookup, not typed in
    assert prop.created_by == supervisor
    assert events_for(prop).get().pgh_context["user"] == supervisor.pk


def test_the_admin_refuses_a_bad_postcode(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/admin/casework/property/add/", {"address_line_1": "12 Mill Lane", "town": "Kingsford", "postcode": "nowhere"}
    )
    assert response.status_code == 200
    assert "not a postcode we recognise" in response.content.decode()
    assert not Property.objects.exists()


def test_supervisors_may_not_add_contacts_in_the_admin(client, supervisor):
    client.force_login(supervisor)
    assert client.get("/admin/casework/contact/").status_code == 200  # view only
    assert client.get("/admin/casework/contact/add/").status_code == 403


def test_administrators_who_are_not_superusers_may_not_add_contacts_either(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/casework/contact/").status_code == 200
    response = client.post("/admin/casework/contact/add/", {"last_name": "Reilly", "preferred_language": "en"})
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_a_contact_added_in_the_admin_by_a_superuser_gets_a_reference(client, administrator):
    User.objects.filter(pk=administrator.pk).update(is_superuser=True)
    client.force_login(administrator)
    response = client.post(
        "/admin/casework/contact/add/",
        {
            "first_name": "Tara",
            "last_name": "Reilly",
            "preferred_language": "en",
            "is_active": "on",
            **_inline_management("external_keys", 0),
        },
    )
    assert response.status_code == 302, response.content
    contact = Contact.objects.get()
    assert contact.reference.startswith("CON-")
    assert contact.created_by == administrator


@pytest.mark.parametrize("relationships", [["head", "head"], ["partner", "child"]])
def test_a_household_added_in_the_admin_needs_exactly_one_head(client, administrator, relationships):
    contacts = ContactFactory.create_batch(len(relationships))
    data = {"name": "Reilly household", **_inline_management("members", len(contacts))}
    for index, (contact, relationship) in enumerate(zip(contacts, relationships, strict=True)):
        data[f"members-{index}-contact"] = contact.pk
        data[f"members-{index}-relationship"] = relationship
    client.force_login(administrator)
    response = client.post("/admin/casework/household/add/", data)
    assert response.status_code == 200
    assert "exactly one head of household" in response.content.decode()
    assert not Household.objects.exists()


def test_a_household_added_in_the_admin_marks_its_head(client, administrator):
    head, child = ContactFactory.create_batch(2)
    data = {
        "name": "Reilly household",
        **_inline_management("members", 2),
        "members-0-contact": head.pk,
        "members-0-relationship": "head",
        "members-1-contact": child.pk,
        "members-1-relationship": "child",
    }
    client.force_login(administrator)
    response = client.post("/admin/casework/household/add/", data)
    assert response.status_code == 302, response.content
    household = Household.objects.get()
    assert household.reference.startswith("HH-")
    assert HouseholdMember.objects.get(household=household, is_head=True).contact == head
    assert all(m.created_by == administrator for m in household.members.all())


def test_admin_changelists_render(client, administrator):
    TenancyFactory(property__privately_let=True)
    HouseholdMemberFactory()
    client.force_login(administrator)
    for model in ["region", "patch", "postcodearea", "contact", "household", "organisation", "property", "tenancy"]:
        assert client.get(f"/admin/casework/{model}/").status_code == 200, model
