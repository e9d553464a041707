"""The routing API as staff use it: presence, offers, accept and decline, manual assignment,
release, and a case's routing state. Cases are opened and moved with casework's services (or its
API), so the receivers route them exactly as in production."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assignments.models import CaseRouting, Offer, RoutingProfile
from casework.models import Case
from core.audit import events_for
from tests.assignments.routing_setup import (
    ASSESSMENT_SKILL,
    ENQUIRY_SKILL,
    decline_reason,
    housing_options_routed,
    load_of,
    pending_offer,
    routed_case,
    routed_staff,
    routing_of,
)

pytestmark = pytest.mark.django_db

State = CaseRouting.State
ME_PRESENCE = "/api/v1/routing/me/presence/"
MY_OFFERS = "/api/v1/routing/me/offers/"


def _staff_presence(user) -> str:
    return f"/api/v1/routing/staff/{user.pk}/presence/"


def _accept(offer) -> str:
    return f"/api/v1/routing/offers/{offer.pk}/accept/"


def _decline(offer) -> str:
    return f"/api/v1/routing/offers/{offer.pk}/decline/"


def _case(case, action: str = "") -> str:
    return f"/api/v1/routing/cases/{case.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def case_type():
    return housing_options_routed()


@pytest.fixture
def api():
    return APIClient()


def _as(api, user) -> APIClient:
    api.force_authenticate(user)
    return api


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


# --- presence -------------------------------------------------------------------------------------------


def test_my_presence_load_and_capacity(api, case_type):
    me = routed_staff(ENQUIRY_SKILL, capacity=20)
    accepted = routed_case(case_type)
    _as(api, me).post(_accept(pending_offer(accepted)))
    routed_case(case_type)
    response = api.get(ME_PRESENCE)
    assert response.status_code == 200
    body = response.json()
    assert (body["presence"], body["load"], body["capacity"], body["offers_pending"]) == ("available", 2, 20, 1)
    assert body["user"]["id"] == me.pk
    assert body["presence_changed_at"]


def test_without_a_routing_profile_my_presence_is_not_found(api, caseworker):
    error = _error(_as(api, caseworker).get(ME_PRESENCE), 404, "not_found")
    assert "routing profile" in error["message"]
    error = _error(api.put(ME_PRESENCE, {"presence": "available"}, format="json"), 400, "validation_error")
    assert error["fields"]["user"]


def test_coming_online_takes_waiting_work_and_is_audited(api, case_type):
    me = routed_staff(ENQUIRY_SKILL, presence="offline")
    case = routed_case(case_type)
    assert routing_of(case).state == State.AWAITING

    response = _as(api, me).put(ME_PRESENCE, {"presence": "available"}, format="json")
    assert response.status_code == 200
    assert (response.json()["presence"], response.json()["load"]) == ("available", 1)
    assert pending_offer(case).user == me
    event = events_for(RoutingProfile.objects.get(user=me)).get(pgh_label="update", pgh_context__user=me.pk)
    assert event.pgh_diff["presence"] == ["offline", "available"]


@pytest.mark.parametrize("given", [{"presence": "on holiday"}, {}, {"presence": ""}])
def test_an_unknown_presence_is_refused_and_changes_nothing(api, given):
    me = routed_staff(ENQUIRY_SKILL)
    error = _error(_as(api, me).put(ME_PRESENCE, given, format="json"), 400, "validation_error")
    assert error["fields"]["presence"]
    assert RoutingProfile.objects.get(user=me).presence == "available"


def test_going_offline_withdraws_my_offers_to_someone_available_and_keeps_what_i_accepted(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    kept = routed_case(case_type)
    _as(api, me).post(_accept(pending_offer(kept)))
    offered = routed_case(case_type)
    colleague = routed_staff(ENQUIRY_SKILL)

    response = api.put(ME_PRESENCE, {"presence": "offline"}, format="json")
    assert (response.json()["presence"], response.json()["load"], response.json()["offers_pending"]) == (
        "offline",
        1,
        0,
    )
    assert Offer.objects.get(case=offered, user=me).status == Offer.Status.WITHDRAWN
    assert pending_offer(offered).user == colleague
    kept.refresh_from_db()
    assert (kept.owner, routing_of(kept).state) == (me, State.ACCEPTED)
    assert api.get(MY_OFFERS).json()["count"] == 0


def test_busy_gets_no_new_offers(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    assert _as(api, me).put(ME_PRESENCE, {"presence": "busy"}, format="json").json()["presence"] == "busy"
    case = routed_case(case_type)
    assert api.get(MY_OFFERS).json()["count"] == 0
    assert api.get(_case(case)).json()["state"] == "awaiting"


def test_a_supervisor_sets_someones_presence_and_their_offers_move_on(api, case_type, supervisor):
    left = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    stays = routed_staff(ENQUIRY_SKILL)

    response = _as(api, supervisor).put(_staff_presence(left), {"presence": "offline"}, format="json")
    assert response.status_code == 200
    assert (response.json()["user"]["id"], response.json()["presence"]) == (left.pk, "offline")
    assert pending_offer(case).user == stays
    event = events_for(RoutingProfile.objects.get(user=left)).get(pgh_label="update", pgh_context__user=supervisor.pk)
    assert event.pgh_diff["presence"] == ["available", "offline"]
    assert event.pgh_context["action"] == "presence_set"


def test_caseworkers_cannot_set_someone_elses_presence(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    other = routed_staff(ENQUIRY_SKILL)
    for target in (other, me):  # their own goes through /me/presence/
        _error(
            _as(api, me).put(_staff_presence(target), {"presence": "offline"}, format="json"), 403, "permission_denied"
        )
    assert set(RoutingProfile.objects.values_list("presence", flat=True)) == {"available"}


def test_setting_the_presence_of_someone_unknown_is_not_found(api, supervisor, applicant):
    for user_id in (999999, applicant.pk):
        response = _as(api, supervisor).put(f"/api/v1/routing/staff/{user_id}/presence/", {"presence": "offline"})
        _error(response, 404, "not_found")


# --- offers ---------------------------------------------------------------------------------------------


def test_my_offers_list_what_waits_for_my_answer(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    routed_staff(ENQUIRY_SKILL)  # takes every other case
    normal = routed_case(case_type)
    routed_case(case_type)
    urgent = routed_case(case_type, priority=Case.Priority.URGENT)
    assert {pending_offer(normal).user, pending_offer(urgent).user} == {me}

    response = _as(api, me).get(MY_OFFERS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    offer, routing = pending_offer(normal), routing_of(normal)
    assert first["id"] == offer.pk
    assert first["status"] == "pending"
    assert (first["case_id"], first["case_number"], first["case_type"]) == (normal.pk, normal.number, "Housing options")
    assert (first["chevron"], first["priority"]) == ("enquiry", "normal")
    assert first["offered_at"] == _iso(offer.offered_at)
    assert first["expires_at"] == _iso(offer.expires_at)
    assert first["waiting_since"] == _iso(routing.waiting_since)
    assert body["results"][1]["priority"] == "urgent"


def _iso(value: datetime.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_expired_offers_are_not_listed(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    offer = pending_offer(routed_case(case_type))
    with time_machine.travel(offer.expires_at + datetime.timedelta(seconds=1)):
        assert _as(api, me).get(MY_OFFERS).json()["count"] == 0


def test_accepting_makes_me_the_owner(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)

    response = _as(api, me).post(_accept(offer))
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (offer.pk, "accepted")
    case.refresh_from_db()
    assert case.owner == me
    routing = api.get(_case(case)).json()
    assert (routing["state"], routing["assignee"]["id"], routing["potential_owner"]) == ("accepted", me.pk, None)
    assert api.get(MY_OFFERS).json()["count"] == 0
    assert events_for(case).filter(pgh_label="update", pgh_context__user=me.pk).exists()


def test_accepting_twice_is_a_conflict(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    offer = pending_offer(routed_case(case_type))
    assert _as(api, me).post(_accept(offer)).status_code == 200
    error = _error(api.post(_accept(offer)), 409, "conflict")
    assert "accepted" in error["message"]
    _error(api.post(_decline(offer), {}, format="json"), 409, "conflict")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert load_of(me) == 1


def test_someone_elses_offer_is_not_found(api, case_type):
    routed_staff(ENQUIRY_SKILL)
    other = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    assert offer.user != other
    _error(_as(api, other).post(_accept(offer)), 404, "not_found")
    _error(api.post(_decline(offer), {}, format="json"), 404, "not_found")
    _error(api.post("/api/v1/routing/offers/999999/accept/"), 404, "not_found")
    offer.refresh_from_db()
    case.refresh_from_db()
    assert (offer.status, case.owner) == (Offer.Status.PENDING, None)


def test_an_expired_offer_is_a_conflict(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    with time_machine.travel(offer.expires_at + datetime.timedelta(minutes=1)):
        error = _error(_as(api, me).post(_accept(offer)), 409, "conflict")
    assert "expired" in error["message"]
    case.refresh_from_db()
    offer.refresh_from_db()
    assert (case.owner, offer.status, routing_of(case).state) == (None, Offer.Status.PENDING, State.OFFERED)


def test_decline_with_a_reason_goes_to_the_next_person_and_never_back_while_others_are_eligible(api, case_type):
    b = routed_staff(ENQUIRY_SKILL)
    _as(api, b).post(_accept(pending_offer(routed_case(case_type))))
    a = routed_staff(ENQUIRY_SKILL)  # less loaded than b: first in line for everything
    reason = decline_reason()
    case = routed_case(case_type)
    offer = pending_offer(case)
    assert offer.user == a

    response = _as(api, a).post(_decline(offer), {"reason": reason.pk, "note": "Conflict of interest"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decline_reason"], body["note"]) == ("declined", reason.pk, "Conflict of interest")
    assert pending_offer(case).user == b
    assert api.get(MY_OFFERS).json()["count"] == 0

    # More work arrives and b comes and goes: the declined case still never comes back to a while b can take it.
    routed_case(case_type)
    _as(api, b).put(ME_PRESENCE, {"presence": "offline"}, format="json")
    assert pending_offer(case).user == a  # nobody else is eligible now: everyone has had it
    _as(api, a).post(_decline(pending_offer(case)), {}, format="json")
    assert pending_offer(case).user == a
    _as(api, b).put(ME_PRESENCE, {"presence": "available"}, format="json")
    _as(api, a).post(_decline(pending_offer(case)), {}, format="json")
    assert pending_offer(case).user == b


def test_decline_without_a_reason(api, case_type):
    a, b = routed_staff(ENQUIRY_SKILL), routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    response = _as(api, a).post(_decline(pending_offer(case)), {"reason": None}, format="json")
    assert (response.json()["decline_reason"], response.json()["note"]) == (None, "")
    assert pending_offer(case).user == b


@pytest.mark.parametrize(
    ("given", "field"),
    [({"reason": 999999}, "reason"), ({"reason": "retired"}, "reason"), ({"note": "x" * 501}, "note")],
)
def test_a_bad_decline_is_refused_and_changes_nothing(api, case_type, given, field):
    me = routed_staff(ENQUIRY_SKILL)
    routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)
    if given.get("reason") == "retired":
        given = {"reason": decline_reason("retired", "No longer used", is_active=False).pk}
    error = _error(_as(api, me).post(_decline(offer), given, format="json"), 400, "validation_error")
    assert error["fields"][field]
    offer.refresh_from_db()
    assert (offer.status, offer.note, offer.decline_reason) == (Offer.Status.PENDING, "", None)
    assert load_of(me) == 1


# --- a case's routing state -------------------------------------------------------------------------------


def test_a_cases_routing_state(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type, priority=Case.Priority.URGENT)
    offer, routing = pending_offer(case), routing_of(case)

    response = _as(api, me).get(_case(case))
    assert response.status_code == 200
    body = response.json()
    assert (body["case_id"], body["case_number"], body["state"], body["chevron"]) == (
        case.pk,
        case.number,
        "offered",
        "enquiry",
    )
    assert body["skills"] == [ENQUIRY_SKILL]
    assert body["waiting_since"] == _iso(routing.waiting_since)
    assert body["potential_owner"]["id"] == me.pk
    assert (body["offered_at"], body["offer_expires_at"]) == (_iso(offer.offered_at), _iso(offer.expires_at))
    assert (body["assignee"], body["owner"]) == (None, None)


def test_a_case_the_router_never_saw_reads_as_not_routed(api, caseworker):
    case = routed_case(housing_options_routed())
    CaseRouting.objects.filter(pk=case.pk).delete()
    body = _as(api, caseworker).get(_case(case)).json()
    assert (body["state"], body["chevron"], body["skills"], body["potential_owner"]) == (
        "not_routable",
        "enquiry",
        [],
        None,
    )


def test_an_unknown_case_is_not_found(api, caseworker, supervisor):
    _error(_as(api, caseworker).get("/api/v1/routing/cases/999999/"), 404, "not_found")
    _error(api.post("/api/v1/routing/cases/999999/release/"), 404, "not_found")
    _error(_as(api, supervisor).post("/api/v1/routing/cases/999999/assign/", {"user": 1}), 404, "not_found")


# --- manual assignment and release ----------------------------------------------------------------------


def test_a_supervisor_assigns_by_hand_and_the_assignee_going_offline_does_not_undo_it(api, case_type, supervisor):
    offered_to = routed_staff(ENQUIRY_SKILL)
    assignee = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = pending_offer(case)

    response = _as(api, supervisor).post(
        _case(case, "assign"), {"user": assignee.pk, "reason": "Knows the family"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["assignee"]["id"], body["owner"]["id"], body["potential_owner"]) == (
        "manual",
        assignee.pk,
        assignee.pk,
        None,
    )
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    assert (load_of(offered_to), load_of(assignee)) == (0, 0)
    assert events_for(case).filter(pgh_label="update", pgh_context__user=supervisor.pk).exists()

    _as(api, assignee).put(ME_PRESENCE, {"presence": "offline"}, format="json")
    case.refresh_from_db()
    assert (case.owner, routing_of(case).state) == (assignee, State.MANUAL)


def test_caseworkers_cannot_assign_by_hand(api, case_type):
    potential = routed_staff(ENQUIRY_SKILL)
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    error = _error(_as(api, me).post(_case(case, "assign"), {"user": me.pk}, format="json"), 403, "permission_denied")
    assert "supervisors" in error["message"]
    case.refresh_from_db()
    assert (case.owner, pending_offer(case).user, routing_of(case).state) == (None, potential, State.OFFERED)


@pytest.mark.parametrize("who", ["applicant", "nobody", "missing"])
def test_assigning_to_someone_who_is_not_staff_is_refused(api, case_type, supervisor, applicant, who):
    routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    given = {"applicant": {"user": applicant.pk}, "nobody": {"user": 999999}, "missing": {}}[who]
    error = _error(_as(api, supervisor).post(_case(case, "assign"), given, format="json"), 400, "validation_error")
    assert error["fields"]["user"]
    assert routing_of(case).state == State.OFFERED


def test_the_owner_releases_and_the_case_is_offered_again(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    _as(api, me).post(_accept(pending_offer(case)))
    colleague = routed_staff(ENQUIRY_SKILL)

    response = api.post(_case(case, "release"), {"reason": "Going on leave"}, format="json")
    assert response.status_code == 200
    body = response.json()
    # Released: it waited again from now, then went to the least active person.
    assert (body["state"], body["potential_owner"]["id"], body["owner"], body["assignee"]) == (
        "offered",
        colleague.pk,
        None,
        None,
    )
    assert load_of(me) == 0
    released = events_for(case).filter(pgh_label="update", pgh_context__user=me.pk)
    assert released.filter(pgh_context__action="case_owner_release").exists()


def test_a_supervisor_releases_a_manual_case_to_awaiting_when_nobody_can_take_it(api, case_type, supervisor):
    me = routed_staff(ENQUIRY_SKILL, presence="offline")
    case = routed_case(case_type)
    _as(api, supervisor).post(_case(case, "assign"), {"user": me.pk}, format="json")
    body = api.post(_case(case, "release"), format="json").json()
    assert (body["state"], body["assignee"], body["potential_owner"]) == ("awaiting", None, None)
    assert body["waiting_since"]
    _as(api, me).put(ME_PRESENCE, {"presence": "available"}, format="json")
    assert api.get(MY_OFFERS).json()["results"][0]["case_id"] == case.pk


def test_someone_else_cannot_release_my_case(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    other = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    _as(api, me).post(_accept(pending_offer(case)))
    _error(_as(api, other).post(_case(case, "release"), {}, format="json"), 403, "permission_denied")
    case.refresh_from_db()
    assert (case.owner, routing_of(case).state, load_of(me)) == (me, State.ACCEPTED, 1)


# --- a status change ---------------------------------------------------------------------------------------


def test_a_status_change_reroutes_with_the_next_chevrons_skills_and_frees_my_load(api, case_type):
    me = routed_staff(ENQUIRY_SKILL)
    assessor = routed_staff(ASSESSMENT_SKILL)
    case = routed_case(case_type)
    _as(api, me).post(_accept(pending_offer(case)))
    assert api.get(ME_PRESENCE).json()["load"] == 1

    moved = api.post(f"/api/v1/cases/{case.pk}/transition/", {"transition": "assess"}, format="json")
    assert moved.status_code == 200, moved.content
    body = api.get(_case(case)).json()
    assert (body["state"], body["chevron"], body["skills"]) == ("offered", "assessment", [ASSESSMENT_SKILL])
    assert body["potential_owner"]["id"] == assessor.pk
    assert api.get(ME_PRESENCE).json()["load"] == 0
    assert _as(api, assessor).get(MY_OFFERS).json()["results"][0]["chevron"] == "assessment"


# --- who may use it ----------------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", ME_PRESENCE),
    ("put", ME_PRESENCE),
    ("put", "/api/v1/routing/staff/{user}/presence/"),
    ("get", MY_OFFERS),
    ("post", "/api/v1/routing/offers/{offer}/accept/"),
    ("post", "/api/v1/routing/offers/{offer}/decline/"),
    ("get", "/api/v1/routing/cases/{case}/"),
    ("post", "/api/v1/routing/cases/{case}/assign/"),
    ("post", "/api/v1/routing/cases/{case}/release/"),
]


@pytest.fixture
def routed_offer(case_type):
    routed_staff(ENQUIRY_SKILL)
    return pending_offer(routed_case(case_type))


def _url(template: str, offer: Offer) -> str:
    return template.format(user=offer.user_id, offer=offer.pk, case=offer.case_id)


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_applicants_get_403_everywhere(api, applicant, routed_offer, method, url):
    _as(api, applicant)
    response = getattr(api, method)(_url(url, routed_offer), {"presence": "offline", "user": applicant.pk})
    _error(response, 403, "permission_denied")
    routed_offer.refresh_from_db()
    assert routed_offer.status == Offer.Status.PENDING
    assert RoutingProfile.objects.get(user=routed_offer.user).presence == "available"


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_visitors_are_refused(api, routed_offer, method, url):
    response = getattr(api, method)(_url(url, routed_offer), {})
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_my_offers_list_has_no_n_plus_1(api, case_type, django_assert_max_num_queries):
    me = routed_staff(ENQUIRY_SKILL)
    routed_case(case_type)
    _as(api, me)
    with CaptureQueriesContext(connection) as few:
        assert api.get(MY_OFFERS).json()["count"] == 1
    for _ in range(5):
        routed_case(case_type)
    with django_assert_max_num_queries(len(few)):
        assert api.get(MY_OFFERS).json()["count"] == 6
