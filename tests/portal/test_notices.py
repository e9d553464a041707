"""Notices: supervisors post them in the admin; an applicant's home page shows those live now for
everyone or for a region, patch or programme of their applications; visitors on the start page
see only those for everyone; the body is plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pghistory.models
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from casework.models import Workflow
from portal.models import Notice
from portal.selectors import notices_for
from tests.casework.factories import CaseTypeFactory, PatchFactory, PropertyFactory, landlord_case, tenant_case
from tests.portal.factories import make_applicant, make_notice

pytestmark = pytest.mark.django_db

HOME = "/portal/"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _titles(notices) -> list[str]:
    return [notice.title for notice in notices]


@pytest.mark.parametrize(
    "starts, ends, live",
    [
        (NOW, None, True),  # from the moment it starts
        (NOW + timedelta(seconds=1), None, False),  # not yet
        (NOW - timedelta(days=3), NOW + timedelta(seconds=1), True),
        (NOW - timedelta(days=3), NOW, False),  # the end is exclusive
        (NOW - timedelta(days=3), NOW - timedelta(days=1), False),
    ],
)
def test_a_notice_is_live_from_its_start_until_its_end(starts, ends, live):
    notice = make_notice(shown_from=starts, shown_until=ends)
    assert _titles(notices_for(AnonymousUser(), NOW)) == (["Office closed"] if live else [])
    assert notice.is_live(NOW) is live


@pytest.fixture
def places():
    """Tenant A's application is for a property in patch N01 (region North); tenant B's in S01
    (region South); a landlord's application in N02 (also North) on the landlord programme."""
    n01, s01 = PatchFactory(code="N01"), PatchFactory(code="S01")
    n02 = PatchFactory(code="N02", region=n01.region)
    tenant_a, tenant_b = make_applicant("a@test.example"), make_applicant("b@test.example")
    landlord = make_applicant("l@test.example", kind="landlord")
    tenant_case(applicant=tenant_a, property=PropertyFactory(patch=n01))
    tenant_case(applicant=tenant_b, property=PropertyFactory(patch=s01))
    landlord_case(applicant=landlord, property=PropertyFactory(patch=n02))
    return {"n01": n01, "s01": s01, "n02": n02, "a": tenant_a, "b": tenant_b, "landlord": landlord}


def test_each_applicant_sees_notices_for_everyone_and_for_their_patch_region_or_programme(places):
    make_notice("Everyone")
    make_notice("N01 patch", patches=[places["n01"]])
    make_notice("North region", regions=[places["n01"].region])
    make_notice("South region", regions=[places["s01"].region])
    make_notice("Landlord programme", programmes=[CaseTypeFactory(workflow=Workflow.RENTAL_LANDLORD)])
    make_notice("Tenant programme or S01", programmes=[CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)])
    make_notice("N02 patch", patches=[places["n02"]])

    def seen(user) -> set[str]:
        return set(_titles(notices_for(user)))

    assert seen(places["a"]) == {"Everyone", "N01 patch", "North region", "Tenant programme or S01"}
    assert seen(places["b"]) == {"Everyone", "South region", "Tenant programme or S01"}
    assert seen(places["landlord"]) == {"Everyone", "North region", "Landlord programme", "N02 patch"}
    assert seen(make_applicant("new@test.example")) == {"Everyone"}
    assert seen(AnonymousUser()) == {"Everyone"}


def test_tenant_a_sees_their_patchs_notice_on_their_home_page_and_tenant_b_does_not(client, places):
    make_notice("Northgate office closed", patches=[places["n01"]], body="Closed on Friday.")
    client.force_login(places["a"])
    assert "Northgate office closed" in client.get(HOME).content.decode()
    client.force_login(places["b"])
    assert "Northgate office closed" not in client.get(HOME).content.decode()


def test_visitors_see_only_notices_for_everyone_on_the_start_page(client, places):
    make_notice("Phone lines down")
    make_notice("Northgate office closed", patches=[places["n01"]])
    content = client.get(HOME).content.decode()
    assert "Phone lines down" in content and "Northgate office closed" not in content


def test_important_notices_come_first_and_the_selector_is_one_query(django_assert_num_queries, places):
    make_notice("Older, information", shown_from=NOW - timedelta(days=2))
    make_notice("Newer, information", shown_from=NOW - timedelta(hours=1))
    make_notice("Important", level=Notice.Level.IMPORTANT, shown_from=NOW - timedelta(days=5))
    for index in range(5):
        make_notice(f"Patch {index}", patches=[places["n01"]], shown_from=NOW - timedelta(days=3))
    user = places["a"]
    user.applicant_profile  # noqa: B018  (read once per request in the views)
    with django_assert_num_queries(1):
        titles = _titles(notices_for(user, NOW))
    assert titles[:3] == ["Important", "Newer, information", "Older, information"]
    assert len(titles) == 8


def test_the_body_is_plain_text_escaped_with_its_line_breaks_kept(client):
    make_notice("Closure", body="<script>alert('x')</script>\nSecond line", level=Notice.Level.IMPORTANT)
    client.force_login(make_applicant())
    content = client.get(HOME).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Second line" in content
    # A region named by its own title and heading; not an alert (it was there when the page loaded).
    assert 'role="alert"' not in content
    assert '<h2 class="govuk-notification-banner__title" id="notice-' in content and ">Important</h2>" in content


def test_the_wrapper_text_is_translated(client):
    make_notice("Cierre")
    client.force_login(make_applicant(language="es"))
    content = client.get(HOME).content.decode()
    assert "Información" in content


def test_a_notice_is_audited():
    notice = make_notice()
    notice.title = "Office reopened"
    notice.save()
    events = pghistory.models.Events.objects.tracks(notice).order_by("pgh_created_at")
    assert [event.pgh_label for event in events] == ["insert", "update"]


def test_the_database_refuses_an_end_before_the_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_notice(shown_from=NOW, shown_until=NOW)


# The admin


def _form(**overrides) -> dict:
    return {
        "title": "Northgate office closed",
        "body": "Closed on Friday.\nPhone us instead.",
        "level": "important",
        "shown_from_0": "2026-12-01",
        "shown_from_1": "09:00:00",
        "shown_until_0": "2026-12-05",
        "shown_until_1": "17:00:00",
        **overrides,
    }


def test_a_supervisor_posts_a_notice_for_a_patch(client, supervisor):
    patch = PatchFactory()
    client.force_login(supervisor)
    assert client.get("/admin/portal/notice/add/").status_code == 200
    response = client.post("/admin/portal/notice/add/", _form(patches=[patch.pk]))
    assert response.status_code == 302, response.content.decode()
    notice = Notice.objects.get()
    assert (notice.title, notice.level, list(notice.patches.all())) == ("Northgate office closed", "important", [patch])
    assert notice.created_by == supervisor
    listing = client.get("/admin/portal/notice/", {"showing": "live", "level__exact": "important"})
    assert listing.status_code == 200
    assert client.get("/admin/portal/notice/").content.decode().count("Northgate office closed") >= 1
    assert client.get(f"/admin/portal/notice/{notice.pk}/change/").status_code == 200


def test_the_admin_refuses_an_end_before_the_start(client, supervisor):
    client.force_login(supervisor)
    response = client.post("/admin/portal/notice/add/", _form(shown_until_0="2026-11-30"))
    assert response.status_code == 200
    assert "Make this later than when the notice starts showing." in response.content.decode()
    assert not Notice.objects.exists()


def test_a_caseworker_cannot_post_notices(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/admin/portal/notice/add/", _form())
    assert response.status_code in (302, 403)
    assert not Notice.objects.exists()
    assert not caseworker.has_perm("portal.add_notice")
