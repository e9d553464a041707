"""The supervisor pages: who may see them, the staff table and setting someone's presence, the
backlog, why a case is waiting with reassign and release, the charts' figures, the backlog
snapshot job, and a constant number of queries per page however much there is to show."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments import selectors_supervisor as reads
from assignments.models import BacklogSnapshot, CaseRouting, Offer, RoutingProfile, RoutingProfileSkill
from assignments.services_supervisor import backlog_snapshot_take, snapshot_slot
from assignments.tasks import backlog_snapshot
from casework.models import Case, CaseActivity, CaseType
from core.models import User
from tests.assignments.factories import SkillFactory
from tests.assignments.factories_routing import (
    CaseRoutingFactory,
    DeclineReasonFactory,
    OfferFactory,
    RoutingRuleFactory,
    StaffProfileFactory,
)
from tests.assignments.routing_setup import ENQUIRY_SKILL, housing_options_routed, routed_case, routed_staff
from tests.casework.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("supervisor-home", []),
    ("supervisor-backlog", []),
    ("supervisor-backlog-cases", []),
    ("supervisor-charts", []),
]


def _case_routing_url(case) -> str:
    return reverse("supervisor-case-routing", args=[case.pk])


# --- who may see them -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_caseworkers_get_403(client, caseworker, name, args):
    client.force_login(caseworker)
    assert client.get(reverse(name, args=args)).status_code == 403


def test_caseworkers_cannot_see_why_a_case_waits_here_or_act_on_it(client, caseworker):
    case = CaseRoutingFactory().case
    client.force_login(caseworker)
    assert client.get(_case_routing_url(case)).status_code == 403
    other = StaffProfileFactory()
    assign = client.post(reverse("supervisor-case-assign", args=[case.pk]), {"staff": other.user_id, "reason": "x"})
    assert assign.status_code == 403
    assert client.post(reverse("supervisor-case-release", args=[case.pk])).status_code == 403
    presence = client.post(reverse("supervisor-presence-set", args=[other.user_id]), {"presence": "available"})
    assert presence.status_code == 403
    assert RoutingProfile.objects.get(pk=other.pk).presence == "offline"


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_applicants_get_403(client, applicant, name, args):
    client.force_login(applicant)
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_visitors_are_sent_to_sign_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_supervisors_and_administrators_see_them(client, supervisor, administrator, name, args):
    for user in (supervisor, administrator):
        client.force_login(user)
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert response.content.count(b"<h1") == 1


def test_the_navigation_shows_supervisor_to_supervisors_only(client, supervisor, caseworker):
    client.force_login(supervisor)
    assert b'href="/staff/supervisor/"' in client.get(reverse("staff-home")).content
    client.force_login(caseworker)
    assert b'href="/staff/supervisor/"' not in client.get(reverse("staff-home")).content


# --- staff ------------------------------------------------------------------------------------------


def test_the_staff_page_lists_presence_load_offers_and_skills(client, supervisor):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl")
    worker = StaffProfileFactory(
        available=True, load=10, capacity=10, team="Rents", skills=[polish, chaser], user__first_name="Ada"
    )
    OfferFactory(user=worker.user, offered_at=timezone.now() - datetime.timedelta(minutes=25))
    OfferFactory(user=worker.user)
    client.force_login(supervisor)

    response = client.get(reverse("supervisor-home"))

    html = response.content.decode()
    row = html[html.index(f'id="staff-{worker.user_id}"') :]
    row = row[: row.index("</tr>")]
    assert "Available" in row and "10 of 10" in row and "Full" in row
    assert '<td class="govuk-table__cell">2</td>' in row  # pending offers
    assert "25 min ago" in row
    assert "chaser, lang-pl" in row
    assert "Updated at" in html and 'hx-trigger="every 15s' in html


def test_htmx_polling_gets_the_table_alone(client, supervisor):
    StaffProfileFactory()
    client.force_login(supervisor)
    response = client.get(reverse("supervisor-home"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="supervisor-staff")
    assert response.status_code == 200
    assert b'id="supervisor-staff"' in response.content
    assert b"<h1" not in response.content


def test_a_supervisor_sets_someone_elses_presence(client, supervisor):
    worker = StaffProfileFactory(available=True, user__first_name="Bo", user__last_name="Left")
    client.force_login(supervisor)

    response = client.post(reverse("supervisor-presence-set", args=[worker.user_id]), {"presence": "offline"})

    assert response.status_code == 302
    assert response["Location"] == reverse("supervisor-home")
    assert RoutingProfile.objects.get(pk=worker.pk).presence == "offline"
    assert "Bo Left is now Offline." in client.get(response["Location"]).content.decode()


def test_with_htmx_the_presence_change_rerenders_the_table(client, supervisor):
    worker = StaffProfileFactory(user__first_name="Cy", user__last_name="Back")
    client.force_login(supervisor)
    response = client.post(
        reverse("supervisor-presence-set", args=[worker.user_id]), {"presence": "busy"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Cy Back is now Busy." in response.content.decode()
    assert RoutingProfile.objects.get(pk=worker.pk).presence == "busy"


@pytest.mark.parametrize("htmx", [False, True])
def test_an_unknown_presence_is_refused_with_400(client, supervisor, htmx):
    worker = StaffProfileFactory()
    client.force_login(supervisor)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(reverse("supervisor-presence-set", args=[worker.user_id]), {"presence": "away"}, **headers)
    assert response.status_code == 400
    assert "Choose Available, Busy or Offline." in response.content.decode()
    assert f'href="#presence-{worker.user_id}"' in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert RoutingProfile.objects.get(pk=worker.pk).presence == "offline"


def test_someone_without_a_routing_profile_is_404(client, supervisor, caseworker):
    client.force_login(supervisor)
    response = client.post(reverse("supervisor-presence-set", args=[caseworker.pk]), {"presence": "busy"})
    assert response.status_code == 404
    assert "This person has no routing profile." in response.content.decode()


# --- backlog ----------------------------------------------------------------------------------------


def test_the_backlog_groups_by_skill_set_and_links_to_the_cases(client, supervisor):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl")
    old = CaseRoutingFactory(skills=[polish, chaser], waiting_since=timezone.now() - datetime.timedelta(hours=3))
    CaseRoutingFactory(skills=[chaser, polish], urgent=True)
    other = CaseRoutingFactory(skills=[chaser])
    client.force_login(supervisor)

    html = client.get(reverse("supervisor-backlog")).content.decode()

    assert "3 cases are awaiting assignment" in html
    key = ",".join(str(pk) for pk in sorted([chaser.pk, polish.pk]))
    assert f"?skills={key}" in html and "chaser, lang-pl" in html
    assert "3 h 0 min" in html

    listing = client.get(reverse("supervisor-backlog-cases"), {"skills": key}).content.decode()
    assert "Cases waiting for chaser, lang-pl" in listing
    assert _case_routing_url(old.case) in listing
    assert other.case.number not in listing
    assert listing.index("Urgent") < listing.index(old.case.number)  # urgent first


# --- why is this case waiting, reassign, release ---------------------------------------------------


def test_the_explanation_says_no_one_holds_the_skill(client, supervisor):
    somali = SkillFactory(code="lang-so")
    routing = CaseRoutingFactory(skills=[somali])
    RoutingRuleFactory(case_type=routing.case.case_type, status=routing.case.status)
    StaffProfileFactory(available=True, skills=[SkillFactory(code="chaser")])
    reason = DeclineReasonFactory(code="on-leave")
    someone = StaffProfileFactory(user__first_name="Di")
    OfferFactory(case=routing.case, user=someone.user, status=Offer.Status.DECLINED, decline_reason=reason)
    client.force_login(supervisor)

    html = client.get(_case_routing_url(routing.case)).content.decode()

    assert f"Why is {routing.case.number} waiting?" in html
    assert "No one holds the skill lang-so." in html
    assert "Give someone the missing skills in the admin" in html
    assert "Awaiting assignment" in html
    assert "Declined" in html and "On leave" in html  # the offers history
    assert reverse("staff-case", args=[routing.case.pk]) in html


def test_the_explanation_splits_the_people_holding_the_skills(client, supervisor):
    chaser = SkillFactory(code="chaser")
    routing = CaseRoutingFactory(skills=[chaser])
    RoutingRuleFactory(case_type=routing.case.case_type, status=routing.case.status)
    StaffProfileFactory(skills=[chaser])
    StaffProfileFactory(busy=True, skills=[chaser])
    client.force_login(supervisor)
    html = client.get(_case_routing_url(routing.case)).content.decode()
    assert "2 people hold every skill needed: 1 is offline and 1 is busy." in html
    assert "Ask someone who holds the skills to go Available" in html
    assert "The people who hold every skill needed" in html


def test_a_supervisor_assigns_a_waiting_case_by_hand(client, supervisor):
    routing = CaseRoutingFactory()
    worker = StaffProfileFactory(user__first_name="Eve", user__last_name="Hand")
    client.force_login(supervisor)

    response = client.post(
        reverse("supervisor-case-assign", args=[routing.case.pk]), {"staff": worker.user_id, "reason": "She knows it"}
    )

    assert response.status_code == 302
    assert response["Location"] == _case_routing_url(routing.case)
    case = Case.objects.get(pk=routing.case.pk)
    assert case.owner_id == worker.user_id
    entry = CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.OWNER_CHANGED).get()
    assert entry.reason == "She knows it" and entry.actor_id == supervisor.pk
    page = client.get(response["Location"]).content.decode()
    assert f"{case.number} is assigned to Eve Hand." in page
    assert "Assigned by hand to Eve Hand" in page


def test_assigning_an_offered_case_by_hand_withdraws_the_offer(client, supervisor):
    case_type = housing_options_routed()
    offered_to = routed_staff(ENQUIRY_SKILL)
    case = routed_case(case_type)
    offer = Offer.objects.get(case=case, status=Offer.Status.PENDING)
    assert offer.user_id == offered_to.pk
    other = routed_staff(presence="offline")
    client.force_login(supervisor)

    response = client.post(reverse("supervisor-case-assign", args=[case.pk]), {"staff": other.pk, "reason": "Urgent"})

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    assert CaseRouting.objects.get(pk=case.pk).state == CaseRouting.State.MANUAL
    html = client.get(response["Location"]).content.decode()
    assert "Withdrawn" in html  # the offers history


def test_assigning_to_someone_no_longer_active_is_refused_with_400_and_the_sentence(client, supervisor):
    routing = CaseRoutingFactory()
    leaver = StaffProfileFactory(user__is_active=False)
    client.force_login(supervisor)

    response = client.post(
        reverse("supervisor-case-assign", args=[routing.case.pk]), {"staff": leaver.user_id, "reason": "Try"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The owner must be an active member of staff." in html
    assert 'href="#assign-staff"' in html
    assert Case.objects.get(pk=routing.case.pk).owner_id is None


def test_assigning_without_a_reason_or_a_person_is_refused_with_400(client, supervisor):
    routing = CaseRoutingFactory()
    client.force_login(supervisor)
    response = client.post(reverse("supervisor-case-assign", args=[routing.case.pk]), {"staff": "", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose who" in html and "Say why you are assigning the case by hand" in html
    assert "<title>Error:" in html


def test_assigning_a_case_you_cannot_see_is_404(client, supervisor):
    worker = StaffProfileFactory()
    client.force_login(supervisor)
    response = client.post(reverse("supervisor-case-assign", args=[999999]), {"staff": worker.user_id, "reason": "x"})
    assert response.status_code == 404


def test_a_supervisor_releases_a_case_to_the_queue(client, supervisor):
    worker = StaffProfileFactory()
    case = CaseFactory(status="chaser", owner=worker.user)
    client.force_login(supervisor)

    response = client.post(reverse("supervisor-case-release", args=[case.pk]), {"release_reason": "Off sick"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner_id is None
    entry = CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.OWNER_CHANGED).get()
    assert entry.reason == "Off sick"
    assert "is released: routing will offer it." in client.get(response["Location"]).content.decode()


def test_a_release_reason_that_is_too_long_is_refused_with_400(client, supervisor):
    worker = StaffProfileFactory()
    case = CaseFactory(status="chaser", owner=worker.user)
    client.force_login(supervisor)
    response = client.post(reverse("supervisor-case-release", args=[case.pk]), {"release_reason": "x" * 501})
    assert response.status_code == 400
    assert 'href="#release-reason"' in response.content.decode()
    case.refresh_from_db()
    assert case.owner_id == worker.user_id


# --- charts -----------------------------------------------------------------------------------------


def test_offer_outcomes_per_day_on_a_known_dataset(client, supervisor):
    now = timezone.now()
    today = timezone.localdate(now)
    noon = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    yesterday, long_ago = noon - datetime.timedelta(days=1), noon - datetime.timedelta(days=20)
    for status, at, n in [
        (Offer.Status.ACCEPTED, noon, 3),
        (Offer.Status.DECLINED, noon, 1),
        (Offer.Status.TIMED_OUT, yesterday, 2),
        (Offer.Status.ACCEPTED, yesterday, 1),
        (Offer.Status.ACCEPTED, long_ago, 5),  # outside the 14 days
    ]:
        for _ in range(n):
            OfferFactory(status=status, offered_at=at - datetime.timedelta(minutes=5), responded_at=at)
    OfferFactory()  # still pending: no outcome yet

    days = reads.offer_outcomes_by_day_for(user=supervisor, today=today)

    assert len(days) == 14 and days[-1].day == today
    assert (days[-1].accepted, days[-1].declined, days[-1].timed_out) == (3, 1, 0)
    assert (days[-2].accepted, days[-2].declined, days[-2].timed_out) == (1, 0, 2)
    assert sum(d.accepted + d.declined + d.timed_out for d in days[:-2]) == 0

    client.force_login(supervisor)
    html = client.get(reverse("supervisor-charts")).content.decode()
    assert "Offers accepted: 4 in all" in html and "Offers timed out: 2 in all" in html
    assert '<svg class="app-chart" role="img"' in html and '<title id="accepted-chart-title">' in html


def test_time_in_each_chevron_and_to_first_action_on_a_known_dataset(client, supervisor, caseworker):
    now = timezone.now()
    opened = now - datetime.timedelta(days=2)
    case_type = CaseTypeFactory(workflow="housing_options")
    cases = [CaseFactory(case_type=case_type, created_at=opened) for _ in range(3)]
    # Case 0: 2 h on enquiry, then 4 h on assessment. Case 1: 4 h on enquiry. Case 2: not moved yet.
    _feed(cases[0], CaseActivity.Kind.CREATED, opened, actor=None)
    _feed(cases[0], CaseActivity.Kind.STATUS_CHANGED, opened + _h(2), "enquiry", actor=caseworker)
    _feed(cases[0], CaseActivity.Kind.STATUS_CHANGED, opened + _h(6), "assessment", actor=caseworker)
    _feed(cases[1], CaseActivity.Kind.CREATED, opened, actor=None)
    _feed(cases[1], CaseActivity.Kind.OWNER_CHANGED, opened + _h(1), actor=caseworker)  # being given it: no action
    _feed(cases[1], CaseActivity.Kind.STATUS_CHANGED, opened + _h(4), "enquiry", actor=caseworker)
    _feed(cases[2], CaseActivity.Kind.CREATED, opened, actor=None)

    chevrons = {c.status: c for c in reads.chevron_times_for(user=supervisor, now=now)}
    assert chevrons["enquiry"].moves == 2
    assert chevrons["enquiry"].average_seconds == 3 * 3600
    assert chevrons["enquiry"].median_seconds == 3 * 3600
    assert (chevrons["assessment"].moves, chevrons["assessment"].average_seconds) == (1, 4 * 3600)
    assert list(chevrons) == ["enquiry", "assessment"]  # workflow order

    (first,) = reads.time_to_first_action_for(user=supervisor, now=now)
    assert (first.case_type, first.cases, first.acted_on) == (case_type.name, 3, 2)
    assert first.average_seconds == 3 * 3600  # (2 h + 4 h) / 2

    client.force_login(supervisor)
    html = client.get(reverse("supervisor-charts")).content.decode()
    assert "3 h 0 min (2 moves)" in html  # the bar's own label
    assert "4 h 0 min" in html


def test_the_backlog_chart_shows_the_last_snapshot_of_each_hour(client, supervisor):
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=2)
    BacklogSnapshot.objects.create(taken_at=hour, cases=4, oldest_wait_seconds=60)
    BacklogSnapshot.objects.create(taken_at=hour + datetime.timedelta(minutes=45), cases=7, oldest_wait_seconds=3600)
    BacklogSnapshot.objects.create(taken_at=hour, skill_set="chaser", cases=4, oldest_wait_seconds=60)
    BacklogSnapshot.objects.create(taken_at=now - datetime.timedelta(days=2), cases=99, oldest_wait_seconds=0)

    points = reads.backlog_history_for(user=supervisor, now=now)

    assert [(p.hour, p.cases, p.oldest_wait_seconds) for p in points] == [(hour, 7, 3600)]
    client.force_login(supervisor)
    html = client.get(reverse("supervisor-charts")).content.decode()
    assert "1 h 0 min" in html and ">99<" not in html


def test_the_snapshot_job_run_twice_in_one_slot_writes_one_set_of_rows(supervisor):
    chaser = SkillFactory(code="chaser")
    CaseRoutingFactory(skills=[chaser], waiting_since=timezone.now() - datetime.timedelta(minutes=30))
    CaseRoutingFactory(skills=[chaser], waiting_since=timezone.now() - datetime.timedelta(minutes=10))
    CaseRoutingFactory(state=CaseRouting.State.OFFERED)  # not waiting

    backlog_snapshot.apply()
    backlog_snapshot.apply()

    slot = snapshot_slot(timezone.now())
    rows = {row.skill_set: row for row in BacklogSnapshot.objects.all()}
    assert set(rows) == {"", "chaser"}
    assert all(row.taken_at == slot for row in rows.values())
    assert rows[""].cases == rows["chaser"].cases == 2
    assert 30 * 60 <= rows[""].oldest_wait_seconds < 31 * 60


def test_a_new_slot_gets_its_own_rows(db):
    now = timezone.now()
    assert backlog_snapshot_take(now=now) == 1  # only the total, zero
    assert backlog_snapshot_take(now=now) == 0
    assert backlog_snapshot_take(now=now + datetime.timedelta(minutes=15)) == 1
    assert list(BacklogSnapshot.objects.values_list("cases", flat=True)) == [0, 0]


# --- a constant number of queries -------------------------------------------------------------------

_n = itertools.count()


def _h(hours: float) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def _feed(case, kind, at, from_status="", *, actor):
    CaseActivity.objects.create(case=case, kind=kind, at=at, from_status=from_status, actor=actor, summary=kind)


def _bulk_staff(count: int, skill) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"bulk{next(_n)}@test.example", kind=User.Kind.STAFF, first_name="Bulk", last_name=str(i))
        for i in range(count)
    )
    profiles = RoutingProfile.objects.bulk_create(
        RoutingProfile(user=user, capacity=10, load=1, presence="available", skill_ids=[skill.pk]) for user in users
    )
    RoutingProfileSkill.objects.bulk_create(RoutingProfileSkill(profile=p, skill=skill) for p in profiles)
    return users


def _bulk_cases(count: int, case_type: CaseType, status: str) -> list[Case]:
    return Case.objects.bulk_create(
        Case(number=f"BULK-{next(_n)}", case_type=case_type, workflow=case_type.workflow, status=status)
        for _ in range(count)
    )


def _arrange(count: int):
    """`count` staff, waiting cases, offers (pending, accepted, declined, timed out), feed entries
    and snapshots."""
    skill = SkillFactory(code="chaser")
    case_type = CaseTypeFactory()
    RoutingRuleFactory(case_type=case_type, status="chaser")  # so the explanation counts the skill's holders
    staff = _bulk_staff(count, skill)
    cases = _bulk_cases(count, case_type, "chaser")
    now = timezone.now()
    CaseRouting.objects.bulk_create(
        CaseRouting(case=c, state="awaiting", status="chaser", skill_ids=[skill.pk], waiting_since=now) for c in cases
    )
    statuses = ["pending", "accepted", "declined", "timed_out"]
    Offer.objects.bulk_create(
        Offer(
            case=cases[0] if i % 4 else cases[i],  # many offers on one case, pending ones on others
            user=staff[i],
            status=statuses[i % 4] if i % 4 else "pending",
            offered_at=now - _h(1),
            expires_at=now + _h(1),
            responded_at=None if i % 4 == 0 else now,
        )
        for i in range(count)
    )
    CaseActivity.objects.bulk_create(
        CaseActivity(
            case=c,
            kind=kind,
            at=now - _h(2 - n),
            from_status="chaser" if n else "",
            actor=staff[0] if n else None,
            summary="x",
        )
        for c in cases
        for n, kind in enumerate([CaseActivity.Kind.CREATED, CaseActivity.Kind.STATUS_CHANGED])
    )
    BacklogSnapshot.objects.bulk_create(
        BacklogSnapshot(taken_at=now - datetime.timedelta(minutes=15 * i), cases=i, oldest_wait_seconds=i)
        for i in range(min(count, 96))
    )
    return cases[0], skill


def _queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(captured)


@pytest.mark.parametrize("page", ["staff", "backlog", "backlog-cases", "case", "charts"])
def test_each_page_runs_the_same_number_of_queries_for_10_and_1000_rows(supervisor, page):
    from django.test import Client

    counts = []
    for count in (10, 1000):
        # Start each size from nothing, in the same test (one transaction), so only the size differs.
        Offer.objects.all().delete()
        CaseActivity.objects.all().delete()
        CaseRouting.objects.all().delete()
        BacklogSnapshot.objects.all().delete()
        Case.objects.all().delete()
        RoutingProfileSkill.objects.all().delete()
        RoutingProfile.objects.all().delete()
        User.objects.filter(email__startswith="bulk").delete()
        case, skill = _arrange(count)
        client = Client()
        client.force_login(supervisor)
        url, params = {
            "staff": (reverse("supervisor-home"), None),
            "backlog": (reverse("supervisor-backlog"), None),
            "backlog-cases": (reverse("supervisor-backlog-cases"), {"skills": str(skill.pk)}),
            "case": (_case_routing_url(case), None),
            "charts": (reverse("supervisor-charts"), None),
        }[page]
        client.get(url, params or {})  # warm caches that are per process (content types, settings row)
        counts.append(_queries(client, url, params))
    assert counts[0] == counts[1], counts
    print(page, counts)


def test_beat_runs_the_snapshot_job_every_15_minutes():
    from config.beat_schedule import BEAT_SCHEDULE
    from config.celery import app

    entry = BEAT_SCHEDULE["backlog-snapshot"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 15 * 60
    assert entry["options"]["expires"] < 15 * 60  # runs stuck in a backed-up queue are dropped, not piled up
