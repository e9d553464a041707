"""Adding a household member to a case: the one way staff create a contact by hand. It joins the
household of the case's tenancy, shows on the case feed, and is refused (writing nothing) without
a tenancy, as a second head, for someone already there, or on a closed case."""

import datetime

import pytest

from casework.models import CaseActivity, Contact, HouseholdMember
from casework.services import people
from core import errors
from core.audit import events_for
from tests.casework.factories import CaseFactory, TenancyFactory

pytestmark = pytest.mark.django_db

BORN = datetime.date(2015, 3, 9)


def _case(**kwargs):
    return CaseFactory(tenancy=TenancyFactory(), **kwargs)


def _add(actor, case, **overrides):
    args = {
        "first_name": "Ava",
        "last_name": "Reilly",
        "date_of_birth": BORN,
        "relationship": HouseholdMember.Relationship.CHILD,
        **overrides,
    }
    return people.case_household_member_add(actor=actor, case=case, **args)


def test_a_caseworker_adds_a_child_to_the_cases_household(caseworker):
    case = _case()
    member = _add(caseworker, case, first_name=" Ava ", national_id="123 45 6789")
    member.refresh_from_db()
    contact = member.contact
    assert member.household == case.tenancy.household
    assert (member.relationship, member.is_head) == ("child", False)
    assert (contact.full_name, contact.date_of_birth, contact.national_id) == ("Ava Reilly", BORN, "123456789")
    assert contact.reference.startswith("CON-") and contact.created_by == caseworker
    activity = CaseActivity.objects.get(case=case)
    assert activity.kind == CaseActivity.Kind.UPDATED
    assert activity.actor == caseworker
    assert activity.summary == f"Added Ava Reilly (child) to the household {member.household.reference}."
    assert activity.data["contact"] == contact.pk
    assert events_for(contact).get().pgh_context["action"] == "case_household_member_add"


def _refused(actor, case, error=errors.ValidationError, **overrides):
    contacts, members, feed = Contact.objects.count(), HouseholdMember.objects.count(), CaseActivity.objects.count()
    with pytest.raises(error) as raised:
        _add(actor, case, **overrides)
    assert (Contact.objects.count(), HouseholdMember.objects.count(), CaseActivity.objects.count()) == (
        contacts,
        members,
        feed,
    )
    return raised.value


def test_a_case_without_a_tenancy_is_refused(caseworker):
    case = CaseFactory()
    refused = _refused(caseworker, case)
    assert refused.message == (
        f"Case {case.number} is not linked to a tenancy, so there is no household to add to. "
        "Link the case to its tenancy first."
    )


def test_a_second_head_of_household_is_refused(caseworker):
    case = _case()
    head = case.tenancy.household.members.get(is_head=True).contact
    refused = _refused(caseworker, case, relationship=HouseholdMember.Relationship.HEAD)
    assert refused.fields["relationship"] == [
        f"The household already has its head ({head.full_name}); give this person's relationship to them."
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"relationship": "cousin"}, "relationship"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"date_of_birth": datetime.date.today() + datetime.timedelta(days=1)}, "date_of_birth"),
        ({"last_name": "  "}, "last_name"),
        ({"email": "not-an-email"}, "email"),
        ({"national_id": "12345"}, "national_id"),
    ],
)
def test_bad_details_are_refused_per_field(caseworker, overrides, field):
    refused = _refused(caseworker, _case(), **overrides)
    assert refused.fields[field]


def test_someone_already_in_the_household_is_refused(caseworker):
    case = _case()
    _add(caseworker, case)
    refused = _refused(caseworker, case, first_name="AVA", last_name="reilly")
    assert "is already a member of" in refused.message


def test_a_closed_case_is_refused_for_a_caseworker_but_not_a_supervisor(caseworker, supervisor):
    case = _case(status="closed", closure_stage="withdrawn")
    refused = _refused(caseworker, case, error=errors.Conflict)
    assert refused.message.startswith(f"Case {case.number} is closed, so you cannot add a household member.")
    assert _add(supervisor, case).household == case.tenancy.household


def test_applicants_may_not_add_household_members(applicant):
    _refused(applicant, _case(), error=errors.PermissionDenied)


# --- the API ---------------------------------------------------------------------------------


def _url(case) -> str:
    return f"/api/v1/cases/{case.pk}/household-members/"


def test_the_api_adds_a_member_and_masks_their_national_id(client, caseworker):
    case = _case()
    client.force_login(caseworker)
    response = client.post(
        _url(case),
        {
            "first_name": "Ava",
            "last_name": "Reilly",
            "date_of_birth": "2015-03-09",
            "relationship": "child",
            "national_id": "123-45-6789",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["household"]["reference"] == case.tenancy.household.reference
    assert body["relationship"] == "child" and body["is_head"] is False
    assert body["contact"]["full_name"] == "Ava Reilly"
    assert body["contact"]["national_id_masked"] == "*****6789"
    assert "123456789" not in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("no_tenancy", 400, "validation_error"), ("head", 400, "validation_error"), ("closed", 409, "conflict")],
)
def test_the_api_refuses_with_the_reason(client, caseworker, kind, status, code):
    case = CaseFactory() if kind == "no_tenancy" else _case(**({"status": "closed"} if kind == "closed" else {}))
    client.force_login(caseworker)
    relationship = "head" if kind == "head" else "child"
    response = client.post(
        _url(case),
        {"last_name": "Reilly", "date_of_birth": "2015-03-09", "relationship": relationship},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not Contact.objects.filter(first_name="", last_name="Reilly").exists()


def test_the_api_says_404_for_a_case_that_does_not_exist(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        "/api/v1/cases/999999/household-members/",
        {"last_name": "Reilly", "date_of_birth": "2015-03-09", "relationship": "child"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_staff_api_offers_no_contact_create(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/api/v1/contacts/", {"last_name": "Reilly"}, content_type="application/json")
    assert response.status_code == 405
    assert not Contact.objects.exists()


def test_a_supervisor_who_is_not_a_superuser_cannot_add_a_contact_in_the_admin(client, supervisor):
    client.force_login(supervisor)
    changelist = client.get("/admin/casework/contact/")
    assert changelist.status_code == 200
    assert "/admin/casework/contact/add/" not in changelist.content.decode()
    response = client.post("/admin/casework/contact/add/", {"last_name": "Reilly", "preferred_language": "en"})
    assert response.status_code == 403
    assert not Contact.objects.exists()
