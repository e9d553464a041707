"""The supervisors' admin for case types and picklists, teams and queues, referral reasons and
referrals: pages load, the case type's identity is fixed once it has cases, memberships are
edited inline, and the referral actions run the services and report refusals."""

import pytest

from casework.admin.config import CaseTypeAdminForm
from casework.models import CaseType, Referral, RequestType, Team, TeamMembership, Workflow
from tests.casework.factories import CaseFactory, CaseTypeFactory, QueueFactory, TeamFactory, team_member
from tests.casework.factories_referrals import ReferralFactory, ReferralReasonFactory, ReferralSubtypeFactory

pytestmark = pytest.mark.django_db


def _inline_management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _objects() -> dict:
    case_type = CaseTypeFactory()
    request_type = RequestType.objects.create(case_type=case_type, name="Rent help")
    subtype = ReferralSubtypeFactory()
    referral = ReferralFactory(reason=subtype.reason, subtype=subtype)
    return {
        "casetype": case_type,
        "requesttype": request_type,
        "team": referral.team,
        "queue": QueueFactory(team=referral.team),
        "referralreason": subtype.reason,
        "referral": referral,
    }


@pytest.mark.parametrize("model", ["casetype", "requesttype", "team", "queue", "referralreason", "referral"])
def test_the_pages_load_for_a_supervisor(client, supervisor, model):
    obj = _objects()[model]
    client.force_login(supervisor)
    assert client.get(f"/admin/casework/{model}/").status_code == 200
    assert client.get(f"/admin/casework/{model}/", {"q": "a"}).status_code == 200
    assert client.get(f"/admin/casework/{model}/{obj.pk}/change/").status_code == 200
    assert client.get(f"/admin/casework/{model}/add/").status_code == (403 if model == "referral" else 200)


@pytest.mark.parametrize(
    "url, query",
    [
        ("casetype", {"workflow__exact": "arrears", "is_active__exact": "1"}),
        ("referral", {"team__id__exact": "{team}", "status__exact": "open"}),
        ("referralreason", {"team__id__exact": "{team}", "is_active__exact": "1"}),
        ("queue", {"team__id__exact": "{team}"}),
    ],
)
def test_the_list_filters_work(client, supervisor, url, query):
    objects = _objects()
    team = objects["team"]
    CaseTypeFactory(workflow=Workflow.ARREARS)
    ReferralFactory(reason=objects["referralreason"], status="accepted")
    client.force_login(supervisor)
    response = client.get(f"/admin/casework/{url}/", {k: v.format(team=team.pk) for k, v in query.items()})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


# --- case types ------------------------------------------------------------------------------


def _case_type_data(case_type: CaseType | None = None, **changes) -> dict:
    data = {
        "code": "support",
        "name": "Support referral",
        "workflow": "support",
        "number_prefix": "SUP",
        "description": "",
        "is_active": "on",
        **_inline_management("request_types", 0),
        **_inline_management("document_requirements", 0),
    }
    if case_type is not None:
        data.update(
            code=case_type.code, name=case_type.name, workflow=case_type.workflow, number_prefix=case_type.number_prefix
        )
    data.update(changes)
    return data


def test_a_supervisor_adds_a_case_type_with_its_request_types(client, supervisor):
    client.force_login(supervisor)
    data = _case_type_data(number_prefix="sup", **_inline_management("request_types", 2))
    data.update({"request_types-0-name": "Tenancy sustainment", "request_types-0-is_active": "on"})
    data.update({"request_types-1-name": "Hoarding", "request_types-1-is_active": "on"})
    response = client.post("/admin/casework/casetype/add/", data)
    assert response.status_code == 302, response.content
    case_type = CaseType.objects.get()
    assert case_type.number_prefix == "SUP"
    assert case_type.created_by == supervisor
    assert sorted(case_type.request_types.values_list("name", flat=True)) == ["Hoarding", "Tenancy sustainment"]


@pytest.mark.parametrize(
    "prefix, message", [("S1", "is not a prefix: use 2 to 8 letters"), ("raft", "RAFT is already the prefix of")]
)
def test_the_case_type_form_refuses_a_bad_or_taken_prefix(client, supervisor, prefix, message):
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)  # RAFT
    client.force_login(supervisor)
    response = client.post("/admin/casework/casetype/add/", _case_type_data(number_prefix=prefix))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CaseType.objects.count() == 1


def test_workflow_and_prefix_are_read_only_once_the_type_has_cases(client, supervisor):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    CaseFactory(case_type=case_type)
    client.force_login(supervisor)
    page = client.get(f"/admin/casework/casetype/{case_type.pk}/change/")
    form = page.context["adminform"].form
    assert "workflow" not in form.fields and "number_prefix" not in form.fields
    assert "name" in form.fields

    # A crafted post cannot change them either; the rest of the change is saved.
    data = _case_type_data(case_type, name="Support", workflow="arrears", number_prefix="NEW")
    response = client.post(f"/admin/casework/casetype/{case_type.pk}/change/", data)
    assert response.status_code == 302, response.content
    case_type.refresh_from_db()
    assert (case_type.name, case_type.workflow, case_type.number_prefix) == ("Support", "support", "SUP")


def test_workflow_is_editable_while_the_type_has_no_cases(client, supervisor):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    client.force_login(supervisor)
    data = _case_type_data(case_type, workflow="housing_options")
    response = client.post(f"/admin/casework/casetype/{case_type.pk}/change/", data)
    assert response.status_code == 302, response.content
    case_type.refresh_from_db()
    assert case_type.workflow == "housing_options"


def test_the_case_type_form_itself_refuses_a_workflow_change_under_existing_cases():
    """The form's own check, for when the fields are on the form (a case created after the page
    was built, or another admin that shows them)."""
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    CaseFactory(case_type=case_type)
    form = CaseTypeAdminForm(instance=case_type, data=_case_type_data(case_type, workflow="arrears"))
    assert not form.is_valid()
    assert "already has cases, so its workflow cannot change" in form.errors["workflow"][0]


def test_request_subtypes_are_edited_on_the_request_type(client, supervisor):
    request_type = RequestType.objects.create(case_type=CaseTypeFactory(), name="Rent help")
    client.force_login(supervisor)
    data = {"case_type": request_type.case_type_id, "name": "Rent help", "is_active": "on"}
    data.update(_inline_management("subtypes", 1))
    data.update({"subtypes-0-name": "Arrears", "subtypes-0-is_active": "on"})
    response = client.post(f"/admin/casework/requesttype/{request_type.pk}/change/", data)
    assert response.status_code == 302, response.content
    assert list(request_type.subtypes.values_list("name", flat=True)) == ["Arrears"]


# --- teams -----------------------------------------------------------------------------------


def _team_data(team: Team, members: list, initial: list[TeamMembership] = (), delete: bool = False) -> dict:
    data = {"code": team.code, "name": team.name, "email": ""}
    data.update(_inline_management("teammembership_set", len(initial) + len(members), len(initial)))
    data.update(_inline_management("queues", 0))
    for index, membership in enumerate(initial):
        data.update(
            {f"teammembership_set-{index}-id": membership.pk, f"teammembership_set-{index}-user": membership.user_id}
        )
        data[f"teammembership_set-{index}-team"] = team.pk
        if delete:
            data[f"teammembership_set-{index}-DELETE"] = "on"
    for index, user in enumerate(members, start=len(initial)):
        data[f"teammembership_set-{index}-user"] = user.pk
    return data


def test_a_supervisor_adds_and_removes_team_members_inline(client, supervisor, caseworker):
    team = TeamFactory()
    client.force_login(supervisor)
    response = client.post(f"/admin/casework/team/{team.pk}/change/", _team_data(team, [caseworker]))
    assert response.status_code == 302, response.content
    membership = TeamMembership.objects.get()
    assert (membership.team, membership.user) == (team, caseworker)

    response = client.post(f"/admin/casework/team/{team.pk}/change/", _team_data(team, [], [membership], delete=True))
    assert response.status_code == 302, response.content
    assert not TeamMembership.objects.exists()


def test_applicants_are_not_offered_as_team_members(client, supervisor, applicant):
    team = TeamFactory()
    client.force_login(supervisor)
    response = client.post(f"/admin/casework/team/{team.pk}/change/", _team_data(team, [applicant]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TeamMembership.objects.exists()


# --- referrals -------------------------------------------------------------------------------


def _run_action(client, action: str, referrals) -> list[str]:
    response = client.post(
        "/admin/casework/referral/", {"action": action, "_selected_action": [r.pk for r in referrals]}, follow=True
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_referrals_are_read_only_in_the_admin(client, supervisor):
    referral = ReferralFactory()
    client.force_login(supervisor)
    page = client.get(f"/admin/casework/referral/{referral.pk}/change/")
    assert not page.context["adminform"].form.fields  # every field is shown read-only
    response = client.post(f"/admin/casework/referral/{referral.pk}/change/", {"status": "completed"})
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN


def test_a_team_member_accepts_and_completes_referrals_with_the_actions(client, supervisor):
    reason = ReferralReasonFactory()
    team_member(reason.team, supervisor)
    referrals = [ReferralFactory(reason=reason), ReferralFactory(reason=reason)]
    client.force_login(supervisor)

    assert _run_action(client, "accept_referrals", referrals) == ["2 referrals accepted."]
    assert set(Referral.objects.values_list("status", "accepted_by")) == {("accepted", supervisor.pk)}

    assert _run_action(client, "complete_referrals", referrals[:1]) == ["1 referral completed."]
    referrals[0].refresh_from_db()
    assert (referrals[0].status, referrals[0].completed_by) == ("completed", supervisor)
    assert referrals[0].case.activities.filter(kind="referral").count() == 2


def test_the_actions_report_each_refusal_and_change_nothing_refused(client, supervisor):
    reason = ReferralReasonFactory()
    team_member(reason.team, supervisor)
    open_one = ReferralFactory(reason=reason)
    elsewhere = ReferralFactory()  # another team's: the supervisor is not a member
    client.force_login(supervisor)

    messages = _run_action(client, "complete_referrals", [open_one])
    assert messages == [f"{open_one.case} ({reason.team}): This referral to {reason.team} has not been accepted yet: "
                        "accept it, then complete it."]  # fmt: skip

    messages = _run_action(client, "accept_referrals", [open_one, elsewhere])
    assert f"Only members of {elsewhere.team} can accept it." in messages[0]
    assert messages[1] == "1 referral accepted."
    elsewhere.refresh_from_db()
    open_one.refresh_from_db()
    assert (open_one.status, elsewhere.status) == ("accepted", "open")
    assert not elsewhere.case.activities.exists()
