"""Organisations involved in a case, in a role: add, refuse a duplicate, remove; the feed, the
audit trail, closed cases and the staff-only API."""

import pytest

from casework.models import CaseActivity, CaseOrganisation
from casework.services import case_organisations as case_organisation_services
from core import errors
from core.audit import events_for
from tests.casework.factories import OrganisationFactory, tenant_case
from tests.casework.factories_docs import api_error, make_applicant

pytestmark = pytest.mark.django_db

Role = CaseOrganisation.Role


def feed(case) -> list[tuple[str, dict]]:
    entries = CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.UPDATED).order_by("id")
    return list(entries.values_list("summary", "data"))


def test_an_organisation_is_added_in_a_role_on_the_feed_and_audited(caseworker):
    case = tenant_case(status="chaser")
    organisation = OrganisationFactory(name="Warm Homes Ltd")
    link = case_organisation_services.case_organisation_add(
        actor=caseworker, case=case, organisation=organisation, role=Role.INSTALLER
    )
    assert CaseOrganisation.objects.get() == link
    assert (link.case, link.organisation, link.role, link.created_by) == (case, organisation, "installer", caseworker)
    assert feed(case) == [
        (
            "Warm Homes Ltd added as installer",
            {"organisation_id": organisation.pk, "role": "installer", "change": "organisation_added"},
        )
    ]
    event = events_for(link).get()
    assert event.pgh_context["action"] == "case_organisation_add"
    assert event.pgh_context["user"] == caseworker.pk


def test_the_same_organisation_in_the_same_role_is_refused_clearly(caseworker):
    case = tenant_case(status="chaser")
    organisation = OrganisationFactory(name="Lettings 1 Ltd")
    case_organisation_services.case_organisation_add(
        actor=caseworker, case=case, organisation=organisation, role=Role.LANDLORD
    )
    with pytest.raises(errors.ValidationError) as refused:
        case_organisation_services.case_organisation_add(
            actor=caseworker, case=case, organisation=organisation, role=Role.LANDLORD
        )
    assert refused.value.fields == {"role": ["Lettings 1 Ltd is already on this case as landlord."]}
    assert CaseOrganisation.objects.count() == 1
    assert len(feed(case)) == 1


def test_other_roles_and_other_organisations_in_a_role_are_fine(caseworker):
    case = tenant_case(status="chaser")
    first, second = OrganisationFactory(), OrganisationFactory()
    for organisation, role in [(first, Role.CONTRACTOR), (first, Role.AGENCY), (second, Role.CONTRACTOR)]:
        case_organisation_services.case_organisation_add(
            actor=caseworker, case=case, organisation=organisation, role=role
        )
    assert CaseOrganisation.objects.filter(case=case).count() == 3


def test_an_unknown_role_is_refused(caseworker):
    with pytest.raises(errors.ValidationError) as refused:
        case_organisation_services.case_organisation_add(
            actor=caseworker, case=tenant_case(), organisation=OrganisationFactory(), role="friend"
        )
    assert "role" in refused.value.fields
    assert not CaseOrganisation.objects.exists()


def test_removing_a_role_is_on_the_feed_with_the_reason(caseworker):
    case = tenant_case(status="chaser")
    organisation = OrganisationFactory(name="Fix-It Contractors")
    link = case_organisation_services.case_organisation_add(
        actor=caseworker, case=case, organisation=organisation, role=Role.CONTRACTOR
    )
    case_organisation_services.case_organisation_remove(actor=caseworker, link=link, reason="Job withdrawn")
    assert not CaseOrganisation.objects.exists()
    entry = CaseActivity.objects.filter(case=case).order_by("-id").first()
    assert entry.summary == "Fix-It Contractors removed as contractor"
    assert entry.reason == "Job withdrawn"
    assert entry.actor == caseworker


def test_a_closed_case_is_read_only_to_caseworkers_but_not_supervisors(caseworker, supervisor):
    case = tenant_case(status="closed", closure_stage="paid")
    with pytest.raises(errors.Conflict, match=f"Case {case.number} is closed"):
        case_organisation_services.case_organisation_add(
            actor=caseworker, case=case, organisation=OrganisationFactory(), role=Role.ADVOCATE
        )
    assert not CaseOrganisation.objects.exists()
    link = case_organisation_services.case_organisation_add(
        actor=supervisor, case=case, organisation=OrganisationFactory(), role=Role.ADVOCATE
    )
    with pytest.raises(errors.Conflict):
        case_organisation_services.case_organisation_remove(actor=caseworker, link=link)
    assert CaseOrganisation.objects.filter(pk=link.pk).exists()


def test_applicants_cannot_change_a_cases_organisations():
    tenant = make_applicant()
    case = tenant_case(status="chaser", applicant=tenant)
    with pytest.raises(errors.PermissionDenied):
        case_organisation_services.case_organisation_add(
            actor=tenant, case=case, organisation=OrganisationFactory(), role=Role.LANDLORD
        )
    assert not CaseOrganisation.objects.exists()


# --- API ---------------------------------------------------------------------------------------


def test_staff_add_list_and_remove_through_the_api(client, caseworker):
    case = tenant_case(status="chaser")
    organisation = OrganisationFactory(name="Agency A")
    client.force_login(caseworker)
    url = f"/api/v1/cases/{case.pk}/organisations/"
    created = client.post(url, {"organisation": organisation.pk, "role": "agency"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["role"] == "agency"
    assert body["organisation"] == {"id": organisation.pk, "name": "Agency A", "kind": organisation.kind}
    listed = client.get(url).json()
    assert [link["id"] for link in listed["results"]] == [body["id"]]
    removed = client.delete(f"{url}{body['id']}/")
    assert removed.status_code == 204
    assert not CaseOrganisation.objects.exists()
    assert client.delete(f"{url}{body['id']}/").status_code == 404


def test_a_duplicate_role_through_the_api_is_a_400_naming_it(client, caseworker):
    case = tenant_case(status="chaser")
    organisation = OrganisationFactory(name="Agency B")
    client.force_login(caseworker)
    url = f"/api/v1/cases/{case.pk}/organisations/"
    payload = {"organisation": organisation.pk, "role": "agency"}
    assert client.post(url, payload, content_type="application/json").status_code == 201
    again = client.post(url, payload, content_type="application/json")
    assert again.status_code == 400
    assert api_error(again) == {
        "code": "validation_error",
        "message": "Some of the information given is not valid.",
        "fields": {"role": ["Agency B is already on this case as agency."]},
    }
    assert CaseOrganisation.objects.count() == 1


def test_a_link_on_another_case_is_not_found_through_this_one(client, caseworker):
    link = case_organisation_services.case_organisation_add(
        actor=caseworker, case=tenant_case(), organisation=OrganisationFactory(), role=Role.LANDLORD
    )
    client.force_login(caseworker)
    response = client.delete(f"/api/v1/cases/{tenant_case().pk}/organisations/{link.pk}/")
    assert response.status_code == 404
    assert CaseOrganisation.objects.filter(pk=link.pk).exists()


def test_applicants_and_anonymous_visitors_are_refused(client, caseworker):
    tenant = make_applicant()
    case = tenant_case(status="chaser", applicant=tenant)
    url = f"/api/v1/cases/{case.pk}/organisations/"
    assert client.get(url).status_code == 401
    client.force_login(tenant)
    response = client.post(
        url, {"organisation": OrganisationFactory().pk, "role": "landlord"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert client.get(url).status_code == 403
    assert not CaseOrganisation.objects.exists()
