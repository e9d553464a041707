"""Teams, their members and work queues; taking a case from a queue; the teams and queues API."""

import pytest

from casework import signals
from casework.models import Case, CaseActivity, Queue, Team, TeamMembership
from casework.selectors import teams as team_selectors
from casework.services import teams as team_services
from core import errors
from core.audit import events_for
from core.roles import Role
from tests.casework.factories import CaseFactory, QueueFactory, TeamFactory, team_member
from tests.casework.factories_referrals import api_error, captured_owner_changes

pytestmark = pytest.mark.django_db


# --- teams and queues ------------------------------------------------------------------------


def test_a_supervisor_creates_a_team_that_is_stamped_and_audited(supervisor):
    team = team_services.team_create(actor=supervisor, code=" Back-Office ", name="Back  office", email="bo@x.example")
    team.refresh_from_db()
    assert (team.code, team.name, team.email) == ("back-office", "Back office", "bo@x.example")
    assert team.created_by == supervisor
    event = events_for(team).get()
    assert event.pgh_context["user"] == supervisor.pk
    assert event.pgh_context["action"] == "team_create"


def test_a_caseworker_cannot_create_teams_or_queues(caseworker):
    team = TeamFactory()
    with pytest.raises(errors.PermissionDenied, match="Only supervisors"):
        team_services.team_create(actor=caseworker, code="rents", name="Rents")
    with pytest.raises(errors.PermissionDenied):
        team_services.queue_create(actor=caseworker, team=team, code="rents-q", name="Rents queue")
    with pytest.raises(errors.PermissionDenied):
        team_services.team_member_add(actor=caseworker, team=team, user=caseworker)
    assert list(Team.objects.all()) == [team]
    assert not Queue.objects.exists()
    assert not TeamMembership.objects.exists()


def test_team_codes_and_names_are_unique(supervisor):
    team_services.team_create(actor=supervisor, code="rents", name="Rents")
    with pytest.raises(errors.ValidationError) as raised:
        team_services.team_create(actor=supervisor, code="RENTS", name="Rents")
    assert set(raised.value.fields) == {"code", "name"}
    assert Team.objects.count() == 1


def test_a_supervisor_adds_and_removes_members(supervisor, caseworker):
    team = TeamFactory()
    membership = team_services.team_member_add(actor=supervisor, team=team, user=caseworker)
    assert list(team.members.all()) == [caseworker]
    assert events_for(membership).get().pgh_context["action"] == "team_member_add"

    with pytest.raises(errors.ValidationError) as raised:
        team_services.team_member_add(actor=supervisor, team=team, user=caseworker)
    assert "already a member" in raised.value.fields["user"][0]

    team_services.team_member_remove(actor=supervisor, team=team, user=caseworker)
    assert not team.members.exists()
    with pytest.raises(errors.ValidationError) as raised:
        team_services.team_member_remove(actor=supervisor, team=team, user=caseworker)
    assert "not a member" in raised.value.fields["user"][0]


def test_applicants_never_join_a_team(supervisor, applicant):
    team = TeamFactory()
    with pytest.raises(errors.ValidationError) as raised:
        team_services.team_member_add(actor=supervisor, team=team, user=applicant)
    assert "not an active staff member" in raised.value.fields["user"][0]
    assert not team.members.exists()


def test_a_supervisor_creates_a_queue_for_a_team(supervisor):
    team = TeamFactory()
    queue = team_services.queue_create(actor=supervisor, team=team, code="Back-Office", name="Back-office queue")
    queue.refresh_from_db()
    assert (queue.team, queue.code, queue.name) == (team, "back-office", "Back-office queue")
    assert queue.created_by == supervisor
    with pytest.raises(errors.ValidationError) as raised:
        team_services.queue_create(actor=supervisor, team=team, code="back-office", name="Another")
    assert "code" in raised.value.fields
    assert Queue.objects.count() == 1


# --- taking a case from a queue --------------------------------------------------------------


@pytest.fixture
def queue():
    return QueueFactory()


@pytest.fixture
def member(make_staff, queue):
    user = make_staff(Role.CASEWORKER, first_name="Quinn", last_name="Member")
    team_member(queue.team, user)
    return user


def test_a_team_member_takes_a_case_from_the_queue(member, queue):
    case = CaseFactory(owner_queue=queue)
    with captured_owner_changes() as calls:
        taken = team_services.queue_case_take(actor=member, case=case)
    case.refresh_from_db()
    assert taken.pk == case.pk
    assert case.owner == member
    assert case.owner_queue is None
    assert case.updated_by == member
    entry = case.activities.get()
    assert entry.kind == CaseActivity.Kind.OWNER_CHANGED
    assert entry.actor == member
    assert queue.name in entry.summary and "Quinn Member" in entry.summary
    assert entry.data == {"from_owner": None, "from_queue": queue.pk, "to_owner": member.pk, "to_queue": None}
    assert len(calls) == 1
    assert calls[0]["sender"] is Case
    assert calls[0]["case"].pk == case.pk
    assert calls[0]["actor"] == member
    assert calls[0]["previous_owner"] is None
    assert calls[0]["previous_queue"] == queue
    assert events_for(case).get(pgh_label="update").pgh_context["action"] == "queue_case_take"


def _unchanged(case: Case, *, owner=None, owner_queue=None) -> None:
    case.refresh_from_db()
    assert (case.owner, case.owner_queue) == (owner, owner_queue)
    assert not case.activities.exists()


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_staff_outside_the_queues_team_may_not_take_its_cases(request, queue, who):
    outsider = request.getfixturevalue(who)
    case = CaseFactory(owner_queue=queue)
    with captured_owner_changes() as calls, pytest.raises(errors.PermissionDenied, match="Only members of"):
        team_services.queue_case_take(actor=outsider, case=case)
    _unchanged(case, owner_queue=queue)
    assert calls == []


def test_a_case_already_owned_by_a_person_cannot_be_taken(member, caseworker):
    case = CaseFactory(owner=caseworker)
    with pytest.raises(errors.Conflict, match="already owned by Casey Worker"):
        team_services.queue_case_take(actor=member, case=case)
    _unchanged(case, owner=caseworker)


def test_a_closed_case_cannot_be_taken(member, queue):
    case = CaseFactory(owner_queue=queue, status="closed")
    with pytest.raises(errors.Conflict, match="is closed"):
        team_services.queue_case_take(actor=member, case=case)
    _unchanged(case, owner_queue=queue)


def test_a_case_in_no_queue_cannot_be_taken(member):
    case = CaseFactory()
    with pytest.raises(errors.Conflict, match="not waiting in a queue"):
        team_services.queue_case_take(actor=member, case=case)
    _unchanged(case)


def test_a_case_that_moved_to_another_queue_is_not_taken_from_the_old_one(member, queue):
    other = QueueFactory(team=queue.team)
    case = CaseFactory(owner_queue=other)
    with pytest.raises(errors.Conflict, match="has moved"):
        team_services.queue_case_take(actor=member, case=case, queue=queue)
    _unchanged(case, owner_queue=other)


def test_a_receiver_failing_rolls_the_take_back(member, queue):
    """The signal is sent inside the transaction: a receiver's failure undoes the change."""
    case = CaseFactory(owner_queue=queue)

    def broken(sender, **kwargs):
        raise RuntimeError("routing is down")

    signals.case_owner_changed.connect(broken, weak=False, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            team_services.queue_case_take(actor=member, case=case)
    finally:
        signals.case_owner_changed.disconnect(dispatch_uid="test-broken")
    _unchanged(case, owner_queue=queue)


# --- selectors -------------------------------------------------------------------------------


def test_a_queue_lists_its_open_cases_urgent_first(caseworker, queue, applicant):
    normal = CaseFactory(owner_queue=queue)
    urgent = CaseFactory(owner_queue=queue, priority="urgent")
    CaseFactory(owner_queue=queue, status="closed")
    CaseFactory(owner_queue=QueueFactory())
    CaseFactory()
    assert list(team_selectors.queue_case_list_for(user=caseworker, queue=queue)) == [urgent, normal]
    assert not team_selectors.queue_case_list_for(user=applicant, queue=queue).exists()
    assert team_selectors.queue_list_for(user=caseworker).get(pk=queue.pk).open_cases == 2
    assert not team_selectors.queue_list_for(user=applicant).exists()
    assert not team_selectors.team_list_for(user=applicant).exists()


# --- API -------------------------------------------------------------------------------------


def test_staff_list_teams_with_members_and_queues(client, member, queue):
    client.force_login(member)
    response = client.get("/api/v1/teams/")
    assert response.status_code == 200
    [team] = response.json()["results"]
    assert team["code"] == queue.team.code
    assert [m["id"] for m in team["members"]] == [member.pk]
    assert [q["code"] for q in team["queues"]] == [queue.code]


def test_staff_list_queues_with_their_open_case_count(client, caseworker, queue):
    CaseFactory(owner_queue=queue)
    QueueFactory()
    client.force_login(caseworker)
    response = client.get("/api/v1/queues/", {"team": queue.team.pk})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == queue.pk
    assert row["open_cases"] == 1
    assert row["team"]["id"] == queue.team.pk


def test_staff_outside_the_team_may_read_a_queues_cases(client, caseworker, queue):
    case = CaseFactory(owner_queue=queue)
    CaseFactory(owner_queue=queue, status="closed")
    client.force_login(caseworker)
    response = client.get(f"/api/v1/queues/{queue.pk}/cases/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["number"] == case.number
    assert body["results"][0]["owner_queue"]["id"] == queue.pk


def test_an_unknown_queue_is_404(client, caseworker):
    client.force_login(caseworker)
    api_error(client.get("/api/v1/queues/999999/cases/"), "not_found")


@pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/queues/", "/api/v1/queues/{queue}/cases/"])
def test_applicants_never_see_teams_or_queues(client, applicant, queue, url):
    CaseFactory(owner_queue=queue, applicant=applicant)
    client.force_login(applicant)
    response = client.get(url.format(queue=queue.pk))
    assert response.status_code == 403
    api_error(response, "permission_denied")


def test_a_member_takes_a_case_through_the_api(client, member, queue):
    case = CaseFactory(owner_queue=queue)
    client.force_login(member)
    response = client.post(f"/api/v1/queues/{queue.pk}/cases/{case.pk}/take/")
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["id"] == member.pk
    assert response.json()["owner_queue"] is None
    case.refresh_from_db()
    assert case.owner == member


@pytest.mark.parametrize(
    "who, owned, status, code, message",
    [
        ("caseworker", False, 403, "permission_denied", "Only members of"),
        ("member", True, 409, "conflict", "already owned"),
    ],
)
def test_the_api_refuses_a_take_and_changes_nothing(
    request, client, caseworker, queue, who, owned, status, code, message
):
    case = CaseFactory(owner=caseworker) if owned else CaseFactory(owner_queue=queue)
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/api/v1/queues/{queue.pk}/cases/{case.pk}/take/")
    assert response.status_code == status
    assert message in api_error(response, code)["message"]
    _unchanged(case, owner=caseworker if owned else None, owner_queue=None if owned else queue)
