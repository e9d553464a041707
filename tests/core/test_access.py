"""Applicants never reach staff pages, the admin or the staff API; staff reach what their role allows."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.models import User

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/staff/"
ADMIN_PAGE = "/admin/"
STAFF_API = "/api/v1/me/"


def test_applicant_gets_403_on_staff_pages(client, applicant):
    client.force_login(applicant)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 403
    assert b"This page is for staff" in response.content


def test_applicant_is_sent_to_the_admin_login_and_cannot_get_in(client, applicant):
    applicant.set_password("correct horse battery staple")
    applicant.save()
    client.force_login(applicant)
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    # Signing in at the admin's own form with correct credentials is refused as well.
    client.logout()
    response = client.post(
        reverse("admin:login"),
        {"username": applicant.email, "password": "correct horse battery staple", "next": ADMIN_PAGE},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_applicant_gets_403_with_the_json_error_shape_on_the_staff_api(client, applicant):
    client.force_login(applicant)
    response = client.get(STAFF_API)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_applicant_cannot_get_an_api_token(client, applicant):
    applicant.set_password("correct horse battery staple")
    applicant.save()
    response = client.post(
        reverse("api-token-create"),
        HTTP_AUTHORIZATION=_basic(applicant.email, "correct horse battery staple"),
    )
    assert response.status_code == 403
    assert "token" not in response.json()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={STAFF_PAGE}"
    api = client.get(STAFF_API)
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "not_authenticated"


def test_caseworker_reaches_staff_pages_and_api_but_not_the_admin(client, caseworker):
    client.force_login(caseworker)
    assert client.get(STAFF_PAGE).status_code == 200
    me = client.get(STAFF_API)
    assert me.status_code == 200
    assert me.json()["roles"] == ["caseworker"]
    assert client.get(ADMIN_PAGE).status_code == 302


def test_supervisor_reaches_the_admin(client, supervisor):
    client.force_login(supervisor)
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 200
    assert b"supervisors" in response.content


def test_staff_token_authenticates_the_api(client, caseworker):
    caseworker.set_password("correct horse battery staple")
    caseworker.save()
    issued = client.post(
        reverse("api-token-create"),
        HTTP_AUTHORIZATION=_basic(caseworker.email, "correct horse battery staple"),
    )
    assert issued.status_code == 200
    token = issued.json()["token"]
    client.logout()
    response = client.get(STAFF_API, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["email"] == caseworker.email
    assert client.get(STAFF_API, HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 401


def test_the_database_refuses_admin_access_for_an_applicant(applicant):
    applicant.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        applicant.save()
    applicant.refresh_from_db()
    assert applicant.is_staff is False


def test_a_user_cannot_be_created_without_a_kind(db):
    with pytest.raises(ValueError, match="kind"):
        User.objects.create_user(email="nobody@test.example", password="x" * 12)


def _basic(email: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()
