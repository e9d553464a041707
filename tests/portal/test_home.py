"""The portal's home page: a start page for visitors; for an applicant, their own applications
only (tenant A never sees tenant B's case), in applicant words, with the banner until their email
address is confirmed and whatever the portal's panels add."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm

from core.models import User
from portal import panels
from portal.selectors import applications_for
from tests.casework.factories import tenant_case
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db

HOME = "/portal/"


def test_visitors_get_the_start_page_with_register_and_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Apply for help with rent</h1>' in content
    assert 'href="/portal/register/"' in content and 'href="/portal/sign-in/"' in content
    assert "<title>Welcome \N{EN DASH} Apply for help with rent \N{EN DASH} " in content


def test_an_applicant_with_no_applications_is_told_where_they_will_appear(client):
    client.force_login(make_applicant())
    content = client.get(HOME).content.decode()
    assert "Your applications" in content and "You have no applications yet." in content
    assert "Confirm your email address" not in content


def test_tenant_a_sees_their_own_applications_and_never_tenant_bs(client):
    tenant_a = make_applicant("a@test.example")
    tenant_b = make_applicant("b@test.example")
    mine = tenant_case(applicant=tenant_a, status="chaser")
    theirs = tenant_case(applicant=tenant_b)
    unclaimed = tenant_case()

    assert list(applications_for(tenant_a)) == [mine]
    client.force_login(tenant_a)
    content = client.get(HOME).content.decode()
    assert mine.number in content and "Being checked" in content
    assert theirs.number not in content and unclaimed.number not in content
    assert "You have no applications yet." not in content


def test_an_advocate_sees_the_cases_they_were_granted(client):
    advocate = make_applicant("adv@test.example", kind=User.Kind.ADVOCATE)
    granted = tenant_case(applicant=make_applicant("t@test.example"))
    assign_perm("casework.change_case", advocate, granted)
    tenant_case(applicant=make_applicant("other@test.example"))
    assert list(applications_for(advocate)) == [granted]


def test_applications_are_newest_first_with_closed_ones_in_applicant_words(client):
    tenant = make_applicant()
    older = tenant_case(applicant=tenant, status="closed", closure_stage="denied")
    newer = tenant_case(applicant=tenant)
    assert list(applications_for(tenant)) == [newer, older]
    client.force_login(tenant)
    content = client.get(HOME).content.decode()
    assert "Not sent yet" in content and "Not approved" in content
    assert content.index(newer.number) < content.index(older.number)


def test_nobody_but_an_applicant_has_applications(caseworker):
    tenant_case(applicant=make_applicant())
    assert list(applications_for(caseworker)) == []  # staff see cases on the staff pages
    assert list(applications_for(AnonymousUser())) == []


def test_an_unconfirmed_applicant_sees_the_banner_with_send_again(client):
    client.force_login(make_applicant(verified=False))
    content = client.get(HOME).content.decode()
    assert "Confirm your email address" in content
    assert 'action="/portal/verify-email/send/"' in content


def test_the_home_page_reads_a_constant_number_of_queries(client, django_assert_max_num_queries):
    tenant = make_applicant()
    for _ in range(3):
        tenant_case(applicant=tenant)
    client.force_login(tenant)
    client.get(HOME)  # the first page after signing in keeps the remembered language in the session
    # The session, the user, their profile, their notices (portal.views.notices), their applications,
    # a tenant's draft to continue (portal.views.applications).
    with django_assert_max_num_queries(6) as few:
        client.get(HOME)
    for _ in range(10):
        tenant_case(applicant=tenant)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(HOME)


def test_panels_registered_by_other_parts_of_the_portal_appear_in_order(client, monkeypatch):
    monkeypatch.setattr(panels, "_PROVIDERS", dict(panels._PROVIDERS))

    @panels.home_panel(order=30)
    def later(request):
        return panels.Panel("portal/home/_verify_email.html")

    @panels.home_panel(order=20)
    def nothing_to_say(request):
        return None

    tenant = make_applicant(verified=False)
    client.force_login(tenant)
    content = client.get(HOME).content.decode()
    assert content.count("Send the link again") == 2  # the real banner, then the test's


def test_staff_get_403_from_the_home_page(client, caseworker):
    client.force_login(caseworker)
    assert client.get(HOME).status_code == 403


def test_the_demo_applicants_can_use_the_portal_straight_away():
    from core import demo as core_demo
    from core.seeding import DemoContext
    from portal import demo
    from portal.models import ApplicantProfile

    ctx = DemoContext(password="demo-password-for-tests")
    core_demo.seed(ctx)
    demo.seed(ctx)
    assert ApplicantProfile.objects.filter(email_verified_at__isnull=False).count() == len(core_demo.APPLICANTS)
    demo.seed(ctx)
    assert ctx.counts["portal profile"] == len(core_demo.APPLICANTS)
