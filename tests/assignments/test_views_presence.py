"""The presence and offers bar's actions, with and without htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assignments.models import Offer, RoutingProfile
from tests.assignments.routing_setup import (
    ENQUIRY_SKILL,
    decline_reason,
    housing_options_routed,
    pending_offer,
    routed_case,
    routed_staff,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def officer(db):
    return routed_staff(ENQUIRY_SKILL, presence="offline", name="Ada")


def test_every_staff_page_shows_the_bar_in_a_constant_number_of_queries(client, officer):
    case_type = housing_options_routed()
    client.force_login(officer)
    client.post(reverse("presence-set"), {"presence": "available"})
    routed_case(case_type)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_offer:
        response = client.get(reverse("presence-bar"))
    assert response.status_code == 200 and response.content.count(b'app-offer"') == 1
    RoutingProfile.objects.filter(user=officer).update(capacity=100)
    for _ in range(9):
        routed_case(case_type)
    with CaptureQueriesContext(connection) as ten_offers:
        response = client.get(reverse("presence-bar"))
    assert response.content.count(b'app-offer"') == 10
    assert len(ten_offers) == len(one_offer)


def test_with_no_offer_waiting_the_bar_costs_one_query_beyond_signing_in(client, officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assignments.templatetags.presence import presence_context

    client.force_login(officer)
    request = client.get(reverse("presence-bar")).wsgi_request
    with CaptureQueriesContext(connection) as queries:
        context = presence_context(request)
    assert context["profile"].presence == "offline" and context["offers"] == []
    assert len(queries) == 1


def test_going_available_without_javascript_redirects_back_with_a_message(client, officer):
    client.force_login(officer)
    response = client.post(reverse("presence-set"), {"presence": "available", "next": "/staff/?sort=priority"})
    assert response.status_code == 302 and response["Location"] == "/staff/?sort=priority"
    assert RoutingProfile.objects.get(user=officer).presence == "available"
    page = client.get(response["Location"])
    assert "You are now Available." in page.content.decode()


def test_an_unknown_presence_is_refused_with_400_and_changes_nothing(client, officer):
    client.force_login(officer)
    response = client.post(reverse("presence-set"), {"presence": "asleep"}, **HTMX)
    assert response.status_code == 400
    assert "is not a presence" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert RoutingProfile.objects.get(user=officer).presence == "offline"
    response = client.post(reverse("presence-set"), {"presence": "asleep"})
    assert response.status_code == 400


def test_next_never_redirects_off_site(client, officer):
    client.force_login(officer)
    response = client.post(reverse("presence-set"), {"presence": "busy", "next": "https://evil.example/"})
    assert response["Location"] == reverse("staff-home")


def test_accepting_goes_to_the_case_and_someone_elses_offer_is_404(client, officer, make_staff):
    case_type = housing_options_routed()
    client.force_login(officer)
    client.post(reverse("presence-set"), {"presence": "available"})
    case = routed_case(case_type)
    offer = pending_offer(case)
    other = routed_staff(ENQUIRY_SKILL, name="Bo", presence="offline")
    client.force_login(other)
    assert client.post(reverse("offer-accept", args=[offer.pk])).status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == "pending"

    client.force_login(officer)
    response = client.post(reverse("offer-accept", args=[offer.pk]), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("staff-case", args=[case.pk])
    case.refresh_from_db()
    assert case.owner_id == officer.pk
    # Accepting it again is a conflict, said plainly.
    response = client.post(reverse("offer-accept", args=[offer.pk]), **HTMX)
    assert response.status_code == 409 and "no longer open" in response.content.decode()


def test_declining_with_an_unknown_reason_is_refused(client, officer):
    case_type = housing_options_routed()
    client.force_login(officer)
    client.post(reverse("presence-set"), {"presence": "available"})
    offer = pending_offer(routed_case(case_type))
    response = client.post(reverse("offer-decline", args=[offer.pk]), {"reason": "999999"}, **HTMX)
    assert response.status_code == 400 and "Choose a reason from the list." in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).status == "pending"
    reason = decline_reason()
    response = client.post(reverse("offer-decline", args=[offer.pk]), {"reason": reason.pk, "note": "Leave"}, **HTMX)
    assert response.status_code == 200
    assert Offer.objects.get(pk=offer.pk).status == "declined"


def test_applicants_and_anonymous_visitors_cannot_use_the_bar(client, applicant):
    assert client.post(reverse("presence-set"), {"presence": "available"}).status_code == 302
    client.force_login(applicant)
    assert client.post(reverse("presence-set"), {"presence": "available"}).status_code == 403
    assert client.get(reverse("presence-bar")).status_code == 403
