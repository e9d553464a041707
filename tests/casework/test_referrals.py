"""Referring a case to a team, the team accepting and completing it, the worktray and picklist
selectors, and the referrals API."""

import pytest

from casework.models import Case, CaseActivity, Notification, Referral
from casework.selectors import referrals as referral_selectors
from casework.services import referrals as referral_services
from core import errors
from core.audit import events_for
from core.roles import Role
from tests.casework.factories import CaseFactory, QueueFactory, TeamFactory, team_member
from tests.casework.factories_referrals import (
    ReferralFactory,
    ReferralReasonFactory,
    ReferralSubtypeFactory,
    api_error,
    captured_owner_changes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="Back office")


@pytest.fixture
def member(make_staff, team):
    user = make_staff(Role.CASEWORKER, first_name="Bo", last_name="Member")
    team_member(team, user)
    return user


@pytest.fixture
def reason(team):
    return ReferralReasonFactory(team=team, name="Restore contract")


@pytest.fixture
def subtype(reason):
    return ReferralSubtypeFactory(reason=reason, name="Missed payment")


@pytest.fixture
def case(caseworker):
    return CaseFactory(owner=caseworker)


def _create(actor, case, team, reason, **kwargs):
    kwargs.setdefault("comments", "Customer asks to restore the contract.")
    return referral_services.referral_create(actor=actor, case=case, team=team, reason=reason, **kwargs)


# --- creating --------------------------------------------------------------------------------


def test_a_caseworker_refers_a_case_to_a_team(caseworker, case, team, reason, subtype, member, make_staff):
    other_member = make_staff(Role.CASEWORKER)
    team_member(team, other_member)
    team_member(team, caseworker)  # the referrer is in the team too: not notified of their own referral
    referral = _create(caseworker, case, team, reason, subtype=subtype, comments="  Restore it please. ")

    referral.refresh_from_db()
    assert (referral.case, referral.team, referral.reason, referral.subtype) == (case, team, reason, subtype)
    assert referral.status == Referral.Status.OPEN
    assert referral.comments == "Restore it please."
    assert referral.created_by == caseworker
    entry = case.activities.get()
    assert entry.kind == CaseActivity.Kind.REFERRAL
    assert entry.summary == "Referred to Back office: Restore contract / Missed payment"
    assert entry.reason == "Restore it please."
    assert entry.data["referral"] == referral.pk
    notified = Notification.objects.filter(kind=Notification.Kind.REFERRAL, case=case)
    assert sorted(n.recipient_id for n in notified) == sorted([member.pk, other_member.pk])
    assert case.number in notified.first().message
    assert events_for(referral).get().pgh_context["action"] == "referral_create"
    case.refresh_from_db()
    assert case.owner == caseworker  # no queue given: the owner stays


def test_referring_to_a_queue_makes_the_queue_the_owner(caseworker, case, team, reason):
    queue = QueueFactory(team=team, name="Back-office queue")
    with captured_owner_changes() as calls:
        _create(caseworker, case, team, reason, to_queue=queue)
    case.refresh_from_db()
    assert case.owner is None
    assert case.owner_queue == queue
    owner_entry = case.activities.get(kind=CaseActivity.Kind.OWNER_CHANGED)
    assert owner_entry.summary == "Owner changed from Casey Worker to the Back-office queue"
    assert owner_entry.data == {"from_owner": caseworker.pk, "from_queue": None, "to_owner": None, "to_queue": queue.pk}
    assert case.activities.filter(kind=CaseActivity.Kind.REFERRAL).count() == 1
    assert len(calls) == 1
    assert calls[0]["sender"] is Case
    assert calls[0]["case"].pk == case.pk
    assert calls[0]["previous_owner"] == caseworker
    assert calls[0]["previous_queue"] is None


def test_referring_a_case_already_in_that_queue_leaves_the_owner_alone(caseworker, team, reason):
    queue = QueueFactory(team=team)
    case = CaseFactory(owner_queue=queue)
    with captured_owner_changes() as calls:
        _create(caseworker, case, team, reason, to_queue=queue)
    assert calls == []
    assert list(case.activities.values_list("kind", flat=True)) == [CaseActivity.Kind.REFERRAL]


def _nothing_written(case, owner) -> None:
    assert not Referral.objects.exists()
    assert not CaseActivity.objects.exists()
    assert not Notification.objects.exists()
    case.refresh_from_db()
    assert (case.owner, case.owner_queue) == (owner, None)


@pytest.mark.parametrize(
    "arrange, field, message",
    [
        (lambda t, r, s: {"reason": ReferralReasonFactory()}, "reason", "is not one of Back office's referral reasons"),
        (lambda t, r, s: {"subtype": ReferralSubtypeFactory(name="Other")}, "subtype", "is not a subtype of"),
        (
            lambda t, r, s: {"reason": ReferralReasonFactory(team=t, is_active=False)},
            "reason",
            "no longer in use",
        ),
        (
            lambda t, r, s: {"subtype": ReferralSubtypeFactory(reason=r, is_active=False)},
            "subtype",
            "no longer in use",
        ),
        (lambda t, r, s: {"to_queue": QueueFactory()}, "to_queue", "belongs to another team"),
        (lambda t, r, s: {"comments": "   "}, "comments", "Say what the team needs to do"),
        (lambda t, r, s: {"comments": "x" * 10_001}, "comments", "10000 characters"),
    ],
    ids=["other-teams-reason", "subtype-of-another-reason", "retired-reason", "retired-subtype", "other-teams-queue",
         "no-comments", "long-comments"],
)  # fmt: skip
def test_referrals_that_do_not_fit_together_are_refused_per_field(
    caseworker, case, team, reason, subtype, arrange, field, message
):
    kwargs = {"reason": reason, "subtype": subtype, **arrange(team, reason, subtype)}
    with captured_owner_changes() as calls, pytest.raises(errors.ValidationError) as raised:
        _create(caseworker, case, team, **kwargs)
    assert message in raised.value.fields[field][0]
    assert calls == []
    _nothing_written(case, caseworker)


def test_a_closed_case_cannot_be_referred(caseworker, team, reason):
    case = CaseFactory(status="closed", owner=caseworker)
    with pytest.raises(errors.Conflict, match="is closed, so you cannot refer it to a team"):
        _create(caseworker, case, team, reason)
    _nothing_written(case, caseworker)


def test_applicants_cannot_refer(applicant, team, reason):
    case = CaseFactory(applicant=applicant)
    with pytest.raises(errors.PermissionDenied):
        _create(applicant, case, team, reason)
    _nothing_written(case, None)


def test_a_second_live_referral_for_the_same_reason_is_refused(caseworker, case, team, reason):
    first = _create(caseworker, case, team, reason)
    with pytest.raises(errors.Conflict, match="already has an open referral to Back office for “Restore contract”"):
        _create(caseworker, case, team, reason)
    assert list(Referral.objects.all()) == [first]
    # Once the first is completed, the case can be referred again for the same reason.
    Referral.objects.filter(pk=first.pk).update(status=Referral.Status.COMPLETED)
    _create(caseworker, case, team, reason)
    assert Referral.objects.count() == 2


# --- accepting and completing ----------------------------------------------------------------


def test_a_team_member_accepts_then_completes_a_referral(caseworker, member, case, reason):
    referral = _create(caseworker, case, reason.team, reason)
    Notification.objects.all().delete()

    accepted = referral_services.referral_accept(actor=member, referral=referral)
    accepted.refresh_from_db()
    assert accepted.status == Referral.Status.ACCEPTED
    assert accepted.accepted_by == member
    assert accepted.accepted_at is not None
    entry = case.activities.filter(kind=CaseActivity.Kind.REFERRAL).first()
    assert entry.summary == f"Bo Member accepted the referral to Back office (Restore contract) on {case.number}"
    assert Notification.objects.get().recipient == caseworker  # the referrer hears of it
    assert events_for(accepted).get(pgh_label="update").pgh_context["action"] == "referral_accept"

    completed = referral_services.referral_complete(actor=member, referral=referral, comments=" Contract restored. ")
    completed.refresh_from_db()
    assert completed.status == Referral.Status.COMPLETED
    assert completed.completed_by == member
    assert completed.completed_at is not None
    entry = case.activities.filter(kind=CaseActivity.Kind.REFERRAL).first()
    assert entry.summary.startswith("Bo Member completed the referral")
    assert entry.reason == "Contract restored."
    assert case.activities.filter(kind=CaseActivity.Kind.REFERRAL).count() == 3


def test_accepting_twice_is_refused_with_409(member, reason):
    referral = ReferralFactory(reason=reason)
    referral_services.referral_accept(actor=member, referral=referral)
    with pytest.raises(errors.Conflict, match="already accepted by Bo Member"):
        referral_services.referral_accept(actor=member, referral=referral)
    assert referral.case.activities.count() == 1


def test_completing_before_accepting_is_refused_with_409(member, reason):
    referral = ReferralFactory(reason=reason)
    with pytest.raises(errors.Conflict, match="has not been accepted yet"):
        referral_services.referral_complete(actor=member, referral=referral)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN
    assert not referral.case.activities.exists()


def test_completing_twice_is_refused_and_accepting_a_completed_one_too(member, reason):
    referral = ReferralFactory(reason=reason, status="completed")
    with pytest.raises(errors.Conflict, match="already completed"):
        referral_services.referral_complete(actor=member, referral=referral)
    with pytest.raises(errors.Conflict, match="already completed"):
        referral_services.referral_accept(actor=member, referral=referral)
    assert not referral.case.activities.exists()


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_staff_outside_the_team_cannot_accept_or_complete(request, reason, who):
    outsider = request.getfixturevalue(who)
    referral = ReferralFactory(reason=reason)
    with pytest.raises(errors.PermissionDenied, match="Only members of Back office"):
        referral_services.referral_accept(actor=outsider, referral=referral)
    accepted = ReferralFactory(reason=ReferralReasonFactory(team=reason.team), status="accepted")
    with pytest.raises(errors.PermissionDenied, match="Only members of Back office"):
        referral_services.referral_complete(actor=outsider, referral=accepted)
    assert set(Referral.objects.values_list("status", flat=True)) == {"open", "accepted"}
    assert not CaseActivity.objects.exists()


def test_a_referral_on_a_closed_case_cannot_be_accepted_by_a_caseworker(member, reason):
    referral = ReferralFactory(reason=reason, case=CaseFactory(status="closed"))
    with pytest.raises(errors.Conflict, match="is closed"):
        referral_services.referral_accept(actor=member, referral=referral)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN


# --- selectors -------------------------------------------------------------------------------


def test_the_team_worktray_has_open_then_accepted_referrals(caseworker, team, reason, applicant):
    accepted = ReferralFactory(reason=reason, status="accepted")
    open_one = ReferralFactory(reason=reason)
    ReferralFactory(reason=reason, status="completed")
    ReferralFactory()  # another team's
    assert list(referral_selectors.referral_worktray_for(user=caseworker, team=team)) == [open_one, accepted]
    assert not referral_selectors.referral_worktray_for(user=applicant, team=team).exists()


def test_a_cases_referrals(caseworker, case, reason):
    mine = ReferralFactory(case=case, reason=reason)
    ReferralFactory(reason=reason)
    assert list(referral_selectors.referral_list_for(user=caseworker, case=case)) == [mine]


def test_the_reason_picklist_has_active_reasons_and_subtypes_only(caseworker, team, reason, subtype):
    ReferralSubtypeFactory(reason=reason, is_active=False)
    ReferralReasonFactory(team=team, is_active=False)
    ReferralReasonFactory()  # another team's
    [listed] = referral_selectors.referral_reason_list_for(user=caseworker, team=team)
    assert listed == reason
    assert list(listed.subtypes.all()) == [subtype]


# --- API -------------------------------------------------------------------------------------


def test_refer_a_case_through_the_api(client, caseworker, case, team, reason, subtype, member):
    queue = QueueFactory(team=team)
    client.force_login(caseworker)
    data = {"team": team.pk, "reason": reason.pk, "subtype": subtype.pk, "comments": "Please.", "to_queue": queue.pk}
    response = client.post(f"/api/v1/cases/{case.pk}/referrals/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["case"] == {"id": case.pk, "number": case.number, "status": case.status}
    assert body["team"]["id"] == team.pk
    assert body["reason"] == {"id": reason.pk, "name": "Restore contract"}
    assert body["subtype"] == {"id": subtype.pk, "name": "Missed payment"}
    assert body["created_by"]["id"] == caseworker.pk
    case.refresh_from_db()
    assert case.owner_queue == queue

    listed = client.get(f"/api/v1/cases/{case.pk}/referrals/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]


def test_the_api_reports_a_reason_of_another_team_as_a_fieldapi_error(client, caseworker, case, team):
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/cases/{case.pk}/referrals/",
        {"team": team.pk, "reason": ReferralReasonFactory().pk, "comments": "Please."},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = api_error(response, "validation_error")["fields"]
    assert "is not one of Back office's referral reasons" in fields["reason"][0]
    assert not Referral.objects.exists()


def test_the_api_refuses_referring_a_closed_case_with_409(client, caseworker, team, reason):
    case = CaseFactory(status="closed")
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/cases/{case.pk}/referrals/",
        {"team": team.pk, "reason": reason.pk, "comments": "Please."},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "is closed" in api_error(response, "conflict")["message"]
    assert not Referral.objects.exists()


def test_an_unknown_case_is_404(client, caseworker):
    client.force_login(caseworker)
    api_error(client.get("/api/v1/cases/999999/referrals/"), "not_found")


def test_the_worktray_api_filters_by_team_and_status(client, member, team, reason):
    accepted = ReferralFactory(reason=reason, status="accepted")
    open_one = ReferralFactory(reason=reason)
    ReferralFactory(reason=reason, status="completed")
    ReferralFactory()
    client.force_login(member)
    response = client.get("/api/v1/referrals/", {"team": team.pk, "status": ["open", "accepted"]})
    assert response.status_code == 200
    assert sorted(r["id"] for r in response.json()["results"]) == sorted([accepted.pk, open_one.pk])
    assert client.get("/api/v1/referrals/", {"status": "lost"}).status_code == 400


def test_accept_and_complete_through_the_api(client, member, reason):
    referral = ReferralFactory(reason=reason)
    client.force_login(member)
    early = client.post(f"/api/v1/referrals/{referral.pk}/complete/", {}, content_type="application/json")
    assert early.status_code == 409
    assert "has not been accepted yet" in api_error(early, "conflict")["message"]

    response = client.post(f"/api/v1/referrals/{referral.pk}/accept/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["accepted_by"]["id"] == member.pk

    again = client.post(f"/api/v1/referrals/{referral.pk}/accept/")
    assert again.status_code == 409
    assert "already accepted" in api_error(again, "conflict")["message"]

    response = client.post(
        f"/api/v1/referrals/{referral.pk}/complete/", {"comments": "Done."}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED


def test_the_api_refuses_a_non_member_with_403(client, caseworker, reason):
    referral = ReferralFactory(reason=reason)
    client.force_login(caseworker)
    response = client.post(f"/api/v1/referrals/{referral.pk}/accept/")
    assert response.status_code == 403
    assert "Only members of Back office" in api_error(response, "permission_denied")["message"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN


def test_the_reason_picklist_api(client, caseworker, team, reason, subtype):
    ReferralReasonFactory()
    client.force_login(caseworker)
    response = client.get("/api/v1/referral-reasons/", {"team": team.pk})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": reason.pk,
            "name": "Restore contract",
            "team": {"id": team.pk, "code": team.code, "name": "Back office"},
            "subtypes": [{"id": subtype.pk, "name": "Missed payment"}],
        }
    ]


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/cases/{case}/referrals/"),
        ("post", "/api/v1/cases/{case}/referrals/"),
        ("get", "/api/v1/referrals/"),
        ("post", "/api/v1/referrals/{referral}/accept/"),
        ("post", "/api/v1/referrals/{referral}/complete/"),
        ("get", "/api/v1/referral-reasons/"),
    ],
)
def test_applicants_get_403_on_the_referral_endpoints(client, applicant, reason, method, url):
    case = CaseFactory(applicant=applicant)
    referral = ReferralFactory(case=case, reason=reason)
    client.force_login(applicant)
    response = getattr(client, method)(url.format(case=case.pk, referral=referral.pk))
    assert response.status_code == 403
    api_error(response, "permission_denied")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OPEN
    assert Referral.objects.count() == 1
