"""Case types: creating and changing them (the workflow and prefix are fixed once a case of the
type exists), and the picklist API that staff and applicants read."""

import pytest

from casework.models import CaseType, RequestSubtype, RequestType, Workflow
from casework.services import case_types as case_type_services
from core import errors
from core.audit import events_for
from tests.casework.factories import CaseFactory, CaseTypeFactory
from tests.casework.factories_referrals import api_error

pytestmark = pytest.mark.django_db


def _create(actor, **kwargs):
    fields = {"code": "Support", "name": "Support referral", "workflow": Workflow.SUPPORT, "number_prefix": " sup "}
    return case_type_services.case_type_create(actor=actor, **{**fields, **kwargs})


def test_a_supervisor_creates_a_case_type_with_the_prefix_normalised(supervisor):
    case_type = _create(supervisor)
    case_type.refresh_from_db()
    assert (case_type.code, case_type.name, case_type.workflow) == ("support", "Support referral", "support")
    assert case_type.number_prefix == "SUP"
    assert case_type.created_by == supervisor
    assert events_for(case_type).get().pgh_context["action"] == "case_type_create"
    assert CaseFactory(case_type=case_type).number.startswith("SUP-")


@pytest.mark.parametrize("prefix", ["", "R", "RAFT1", "TOOLONGPX", "RA-FT", "ÄRR"])
def test_a_malformed_prefix_is_refused(supervisor, prefix):
    with pytest.raises(errors.ValidationError) as raised:
        _create(supervisor, number_prefix=prefix)
    assert "use 2 to 8 letters" in raised.value.fields["number_prefix"][0]
    assert not CaseType.objects.exists()


def test_a_prefix_another_type_uses_is_refused(supervisor):
    CaseTypeFactory(workflow=Workflow.ARREARS)  # prefix ARR
    with pytest.raises(errors.ValidationError) as raised:
        _create(supervisor, number_prefix="arr")
    assert raised.value.fields["number_prefix"] == ["ARR is already the prefix of “Arrears”."]
    assert CaseType.objects.count() == 1


def test_an_unknown_workflow_and_a_taken_code_are_refused(supervisor):
    _create(supervisor)
    with pytest.raises(errors.ValidationError) as raised:
        _create(supervisor, name="Other", number_prefix="OTH", workflow="freestyle")
    assert "is not a workflow" in raised.value.fields["workflow"][0]
    with pytest.raises(errors.ValidationError) as raised:
        _create(supervisor, name="Other", number_prefix="OTH")
    assert "code" in raised.value.fields
    assert CaseType.objects.count() == 1


def test_caseworkers_cannot_create_case_types(caseworker):
    with pytest.raises(errors.PermissionDenied, match="Only supervisors"):
        _create(caseworker)
    assert not CaseType.objects.exists()


def test_a_type_without_cases_may_change_its_workflow_and_prefix(supervisor):
    case_type = _create(supervisor)
    case_type_services.case_type_update(
        actor=supervisor, case_type=case_type, workflow=Workflow.HOUSING_OPTIONS, number_prefix="hop"
    )
    case_type.refresh_from_db()
    assert (case_type.workflow, case_type.number_prefix) == ("housing_options", "HOP")


@pytest.mark.parametrize(
    "change, field", [({"workflow": Workflow.ARREARS}, "workflow"), ({"number_prefix": "NEW"}, "number_prefix")]
)
def test_a_type_with_cases_keeps_its_workflow_and_prefix(supervisor, change, field):
    case_type = _create(supervisor)
    CaseFactory(case_type=case_type)
    with pytest.raises(errors.ValidationError) as raised:
        case_type_services.case_type_update(actor=supervisor, case_type=case_type, name="Renamed", **change)
    assert "already has cases" in raised.value.fields[field][0]
    case_type.refresh_from_db()
    assert (case_type.name, case_type.workflow, case_type.number_prefix) == ("Support referral", "support", "SUP")


def test_a_type_with_cases_may_still_be_renamed_and_retired(supervisor):
    case_type = _create(supervisor)
    CaseFactory(case_type=case_type)
    case_type_services.case_type_update(
        actor=supervisor, case_type=case_type, name="Support", is_active=False, workflow=Workflow.SUPPORT
    )
    case_type.refresh_from_db()
    assert (case_type.name, case_type.is_active, case_type.updated_by) == ("Support", False, supervisor)


def test_unknown_fields_and_caseworkers_are_refused(supervisor, caseworker):
    case_type = _create(supervisor)
    with pytest.raises(errors.ValidationError) as raised:
        case_type_services.case_type_update(actor=supervisor, case_type=case_type, created_at=None)
    assert "created_at" in raised.value.fields
    with pytest.raises(errors.PermissionDenied):
        case_type_services.case_type_update(actor=caseworker, case_type=case_type, name="Mine")
    case_type.refresh_from_db()
    assert case_type.name == "Support referral"


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def picklists():
    tenant = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    CaseTypeFactory(workflow=Workflow.ARREARS, is_active=False)
    rent = RequestType.objects.create(case_type=tenant, name="Rent help")
    RequestType.objects.create(case_type=tenant, name="Retired", is_active=False)
    arrears = RequestSubtype.objects.create(request_type=rent, name="Arrears")
    RequestSubtype.objects.create(request_type=rent, name="Old", is_active=False)
    return tenant, rent, arrears


def _expected(tenant, rent, arrears) -> list[dict]:
    return [
        {
            "id": tenant.pk,
            "code": "rental-tenant",
            "name": tenant.name,
            "workflow": "rental_tenant",
            "number_prefix": "RAFT",
            "description": "",
            "request_types": [
                {"id": rent.pk, "name": "Rent help", "subtypes": [{"id": arrears.pk, "name": "Arrears"}]}
            ],
        }
    ]


def _read_case_types(client, user):
    client.force_login(user)
    response = client.get("/api/v1/case-types/")
    assert response.status_code == 200
    return response.json()["results"]


def test_staff_read_the_active_case_types_and_picklists(client, picklists, caseworker):
    assert _read_case_types(client, caseworker) == _expected(*picklists)


def test_applicants_read_them_too_for_the_portal(client, picklists, applicant):
    assert _read_case_types(client, applicant) == _expected(*picklists)


def test_anonymous_visitors_cannot_read_case_types(client, picklists):
    response = client.get("/api/v1/case-types/")
    assert response.status_code in (401, 403)
    api_error(response, "not_authenticated")
