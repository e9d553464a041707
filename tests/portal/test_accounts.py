"""Applicants' accounts: registering as each kind, a duplicate address, the email-confirmation link
(good, expired, altered, sent again within limits), sign-in and its lockout, password reset, the
portal's permission decorators, staff correcting an account's type, and the remembered language."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core import errors
from core.audit import events_for
from core.models import User
from portal import tokens
from portal.models import AccountType, ApplicantProfile
from portal.permissions import applicant_required, is_applicant, verified_applicant_required
from portal.selectors import applications_for, profile_for
from portal.services.accounts import (
    RESENDS_PER_DAY,
    applicant_kind_change,
    applicant_register,
    email_verify,
    verification_email_resend,
)
from tests.casework.factories import tenant_case
from tests.portal.factories import PASSWORD, make_applicant

pytestmark = pytest.mark.django_db

REGISTER = "/portal/register/"
SIGN_IN = "/portal/sign-in/"
HOME = "/portal/"


def register_form(**changes) -> dict:
    return {
        "account_type": "tenant",
        "organisation_name": "",
        "first_name": "Tara",
        "last_name": "Tenant",
        "email": "tara@test.example",
        "password": PASSWORD,
        **changes,
    }


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- registering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account_type", "kind", "is_business", "organisation"),
    [
        ("tenant", "tenant", False, ""),
        ("landlord", "landlord", False, ""),
        ("landlord_business", "landlord", True, "Kingsford Lettings Ltd"),
        ("property_manager", "property_manager", False, ""),
        ("advocate", "advocate", False, ""),
    ],
)
def test_register_each_kind_signs_in_and_emails_a_link(
    client, django_capture_on_commit_callbacks, account_type, kind, is_business, organisation
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            REGISTER, register_form(account_type=account_type, organisation_name=organisation or "ignored")
        )
    assert response.status_code == 302 and response.url == HOME
    user = User.objects.get(email="tara@test.example")
    assert (user.kind, user.first_name, user.last_name, user.is_staff) == (kind, "Tara", "Tenant", False)
    profile = user.applicant_profile
    assert profile.is_business is is_business
    assert profile.organisation_name == organisation  # an individual's stray business name is not kept
    assert profile.account_type == AccountType(account_type)
    assert profile.email_verified_at is None and profile.preferred_language == "en-gb"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tara@test.example"]
    assert "/portal/verify-email/" in link_in(mail.outbox[0])
    assert events_for(user).filter(pgh_context__action="applicant_register").exists()


def test_register_refuses_a_business_without_its_name_and_shows_every_problem_at_once(client):
    response = client.post(
        REGISTER, register_form(account_type="landlord_business", first_name="", password="password")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    for message in ("Enter the name of the business.", "Enter your first name.", "This password is too common."):
        assert message in content
    assert '<a href="#register-organisation_name">' in content and 'id="register-organisation_name"' in content
    assert not User.objects.filter(email="tara@test.example").exists()


def test_register_without_a_choice_links_the_summary_to_the_first_radio(client):
    content = client.post(REGISTER, register_form(account_type="")).content.decode()
    assert '<a href="#register-account_type">Choose what you are registering as.</a>' in content
    assert 'id="register-account_type" name="account_type" type="radio" value="tenant"' in content


def test_register_with_an_address_already_used_says_no_more_than_needed(client, django_capture_on_commit_callbacks):
    make_applicant("Tara@Test.example", kind=User.Kind.LANDLORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER, register_form(email="tara@TEST.example"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "You cannot register with this email address." in content
    assert 'href="/portal/sign-in/"' in content and 'href="/portal/password-reset/"' in content
    assert "landlord" not in content.lower().split("registering as")[0]  # nothing about the other account
    assert User.objects.filter(email__iexact="tara@test.example").count() == 1
    assert mail.outbox == []
    assert "_auth_user_id" not in client.session


def test_register_service_refuses_a_business_that_is_not_a_landlord():
    with pytest.raises(errors.ValidationError) as refused:
        applicant_register(
            email="t@test.example",
            password=PASSWORD,
            first_name="T",
            kind="tenant",
            is_business=True,
            organisation_name="Ltd",
            site_url="http://testserver/",
        )
    assert "account_type" in refused.value.fields
    with pytest.raises(errors.ValidationError):
        applicant_register(email="s@test.example", password=PASSWORD, first_name="S", kind="staff", site_url="/")
    assert not User.objects.exists()


# --- confirming the email address ------------------------------------------------------------------


def registered(client, django_capture_on_commit_callbacks, **changes) -> tuple[User, str]:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REGISTER, register_form(**changes))
    return User.objects.get(email="tara@test.example"), path_of(link_in(mail.outbox[-1]))


def test_the_link_confirms_the_address_once_and_again_harmlessly(client, django_capture_on_commit_callbacks):
    user, link = registered(client, django_capture_on_commit_callbacks)
    response = client.get(link)
    assert response.status_code == 200
    assert "Email address confirmed" in response.content.decode()
    profile = ApplicantProfile.objects.get(user=user)
    assert profile.email_verified_at is not None
    event = events_for(profile).get(pgh_context__action="email_verify")
    assert event.pgh_context["user"] == user.pk
    first = profile.email_verified_at
    assert client.get(link).status_code == 200
    assert ApplicantProfile.objects.get(user=user).email_verified_at == first


def test_the_link_works_without_signing_in(client, django_capture_on_commit_callbacks):
    user, link = registered(client, django_capture_on_commit_callbacks)
    client.logout()
    response = client.get(link)
    assert response.status_code == 200 and 'href="/portal/sign-in/"' in response.content.decode()
    assert profile_for(User.objects.get(pk=user.pk)).is_email_verified


def test_an_expired_link_is_refused(client, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    user, link = registered(client, django_capture_on_commit_callbacks)
    time_machine.shift(tokens.MAX_AGE + datetime.timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert not ApplicantProfile.objects.get(user=user).is_email_verified


@pytest.mark.parametrize("tamper", ["flip", "other-user", "made-up"])
def test_an_altered_link_is_refused(client, django_capture_on_commit_callbacks, tamper):
    _user, link = registered(client, django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]
    if tamper == "flip":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif tamper == "other-user":
        _payload, rest = token.split(":", 1)
        other = make_applicant("other@test.example", verified=False)
        token = tokens.verification_token_make(other).split(":", 1)[0] + ":" + rest  # another's payload, this signature
    else:
        token = "not-a-token"
    response = client.get(reverse("portal-verify-email-confirm", args=[token]))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not ApplicantProfile.objects.filter(email_verified_at__isnull=False).exists()


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(client, django_capture_on_commit_callbacks):
    user, link = registered(client, django_capture_on_commit_callbacks)
    User.objects.filter(pk=user.pk).update(email="changed@test.example")
    assert client.get(link).status_code == 400
    with pytest.raises(errors.ValidationError):
        email_verify(token=link.rstrip("/").rsplit("/", 1)[1])


def test_send_the_link_again_is_limited(client, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    registered(client, django_capture_on_commit_callbacks)
    send = reverse("portal-verify-email-send")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send, follow=True)
    assert "We sent you a link a moment ago" in response.content.decode()
    assert len(mail.outbox) == 1  # only the registration's

    for sent in range(2, RESENDS_PER_DAY + 1):
        time_machine.shift(datetime.timedelta(minutes=3))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(send, follow=True)
        assert "We have sent you a new link" in response.content.decode()
        assert len(mail.outbox) == sent
    time_machine.shift(datetime.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send, follow=True)
    assert "as many links as we can today" in response.content.decode()
    assert len(mail.outbox) == RESENDS_PER_DAY

    time_machine.shift(datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send)
    assert len(mail.outbox) == RESENDS_PER_DAY + 1
    # Every link sent works (until it expires).
    assert client.get(path_of(link_in(mail.outbox[1]))).status_code == 200


def test_send_the_link_again_refuses_others_and_the_confirmed(caseworker):
    applicant = make_applicant(verified=False)
    with pytest.raises(errors.PermissionDenied):
        verification_email_resend(actor=caseworker, user=applicant, site_url="/")
    confirmed = make_applicant("done@test.example", verified=True)
    with pytest.raises(errors.Conflict):
        verification_email_resend(actor=confirmed, user=confirmed, site_url="/")


def test_an_account_made_by_staff_can_ask_for_a_link(client, django_capture_on_commit_callbacks):
    from core import services as core_services

    applicant = core_services.user_create(actor=None, email="byhand@test.example", kind="tenant")
    client.force_login(applicant)
    assert "Confirm your email address" in client.get(HOME).content.decode()  # no profile: not confirmed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal-verify-email-send"))
    assert client.get(path_of(link_in(mail.outbox[0]))).status_code == 200
    assert ApplicantProfile.objects.get(user=applicant).is_email_verified


# --- signing in and out ----------------------------------------------------------------------------


def test_sign_in_and_out(client):
    user = make_applicant()
    response = client.post(SIGN_IN, {"username": "TENANT@test.example", "password": PASSWORD})
    assert response.status_code == 302 and response.url == HOME
    assert int(client.session["_auth_user_id"]) == user.pk
    response = client.post(reverse("portal-sign-out"))
    assert response.status_code == 302 and response.url == HOME
    assert "_auth_user_id" not in client.session


def test_sign_in_never_sends_an_applicant_to_a_staff_page(client):
    make_applicant()
    response = client.post(f"{SIGN_IN}?next=/staff/", {"username": "tenant@test.example", "password": PASSWORD})
    assert response.url == HOME
    client.logout()
    response = client.post(
        f"{SIGN_IN}?next=/portal/account/", {"username": "tenant@test.example", "password": PASSWORD}
    )
    assert response.url == "/portal/account/"


def test_a_wrong_password_is_refused_in_the_portals_words(client):
    make_applicant()
    response = client.post(SIGN_IN, {"username": "tenant@test.example", "password": "wrong"})
    assert response.status_code == 400
    assert "Enter a correct email address and password." in response.content.decode()


def test_staff_are_sent_to_the_staff_sign_in(client, caseworker):
    caseworker.set_password(PASSWORD)
    caseworker.save()
    response = client.post(SIGN_IN, {"username": caseworker.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This sign-in is for applicants" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_address_out(client, settings):
    make_applicant()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(SIGN_IN, {"username": "tenant@test.example", "password": "wrong"}).status_code == 400
    response = client.post(SIGN_IN, {"username": "tenant@test.example", "password": "wrong"})
    assert response.status_code == 429
    assert "You cannot sign in for now" in response.content.decode()
    assert "Wait 15 minutes" in response.content.decode()
    # Even the right password is refused until the cool-off ends.
    response = client.post(SIGN_IN, {"username": "tenant@test.example", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_staff_sign_in_keeps_axes_own_lockout_answer(client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "someone@test.example", "password": "wrong"})
    assert response.status_code == 429
    assert b"Account locked" in response.content


# --- password reset --------------------------------------------------------------------------------


def test_password_reset_by_email_link(client):
    user = make_applicant()
    response = client.post(reverse("portal-password-reset"), {"email": "Tenant@test.example"})
    assert response.status_code == 302 and response.url == reverse("portal-password-reset-done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tenant@test.example"]
    assert "Reset your password" in mail.outbox[0].subject
    response = client.get(path_of(link_in(mail.outbox[0])), follow=True)
    assert "Choose a new password" in response.content.decode()
    set_password_url = response.redirect_chain[-1][0]
    new = "another long passphrase 8"
    response = client.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response.url == reverse("portal-password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(new)
    # The link works once.
    response = client.get(path_of(link_in(mail.outbox[0])), follow=True)
    assert "This link is not valid" in response.content.decode()


@pytest.mark.parametrize("who", ["nobody", "staff"])
def test_password_reset_sends_nothing_for_unknown_or_staff_addresses_and_says_the_same(client, caseworker, who):
    caseworker.set_password(PASSWORD)
    caseworker.save()
    email = caseworker.email if who == "staff" else "nobody@test.example"
    response = client.post(reverse("portal-password-reset"), {"email": email})
    assert response.status_code == 302 and response.url == reverse("portal-password-reset-done")
    assert mail.outbox == []


def test_password_reset_refuses_a_weak_new_password(client):
    make_applicant()
    client.post(reverse("portal-password-reset"), {"email": "tenant@test.example"})
    response = client.get(path_of(link_in(mail.outbox[0])), follow=True)
    response = client.post(response.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()


# --- the portal's permission decorators --------------------------------------------------------------


def _request(user):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/portal/apply/?step=2")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@applicant_required
def applicant_page(request):
    return HttpResponse("applicant page")


@verified_applicant_required
def verified_page(request):
    return HttpResponse("verified page")


@pytest.mark.parametrize("view", [applicant_page, verified_page])
def test_anonymous_visitors_are_sent_to_the_portal_sign_in(view):
    response = view(_request(None))
    assert response.status_code == 302
    assert response.url == "/portal/sign-in/?next=/portal/apply/%3Fstep%3D2"


@pytest.mark.parametrize("view", [applicant_page, verified_page])
def test_staff_are_refused_and_told_to_use_the_staff_pages(view, caseworker):
    with pytest.raises(PermissionDenied, match="Staff work cases on the staff pages"):
        view(_request(caseworker))


def test_an_unconfirmed_applicant_may_see_applicant_pages_but_not_those_that_need_a_confirmed_address():
    applicant = make_applicant(verified=False)
    assert applicant_page(_request(applicant)).content == b"applicant page"
    response = verified_page(_request(applicant))
    assert response.status_code == 302
    assert response.url == "/portal/verify-email/?next=%2Fportal%2Fapply%2F%3Fstep%3D2"
    applicant = make_applicant("confirmed@test.example", verified=True)
    assert verified_page(_request(applicant)).content == b"verified page"


def test_an_inactive_applicant_is_not_an_applicant():
    applicant = make_applicant()
    assert is_applicant(applicant)
    applicant.is_active = False
    assert not is_applicant(applicant)


def test_the_verify_page_sends_a_confirmed_applicant_on(client):
    client.force_login(make_applicant(verified=True))
    response = client.get("/portal/verify-email/?next=/portal/account/")
    assert response.status_code == 302 and response.url == "/portal/account/"
    response = client.get("/portal/verify-email/?next=https://elsewhere.example/")
    assert response.url == HOME


def test_staff_get_403_on_portal_pages(client, caseworker):
    client.force_login(caseworker)
    for path in (HOME, "/portal/account/", "/portal/verify-email/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "Staff work cases on the staff pages" in response.content.decode()


# --- staff correct an account's type -------------------------------------------------------------


def test_a_supervisor_corrects_an_individual_landlord_to_a_business(supervisor):
    landlord = make_applicant("ll@test.example", kind=User.Kind.LANDLORD)
    case = tenant_case(applicant=landlord)
    applicant_kind_change(
        actor=supervisor,
        user=landlord,
        kind=User.Kind.LANDLORD,
        is_business=True,
        organisation_name="Kingsford Lettings Ltd",
        reason="Registered as an individual; they let through their company (phone call 3 March).",
    )
    landlord.refresh_from_db()
    profile = ApplicantProfile.objects.get(user=landlord)
    assert (profile.account_type, profile.organisation_name) == (
        AccountType.LANDLORD_BUSINESS,
        "Kingsford Lettings Ltd",
    )
    event = events_for(profile).get(pgh_context__action="applicant_kind_change")
    assert event.pgh_context["user"] == supervisor.pk
    assert event.pgh_context["reason"].startswith("Registered as an individual")
    assert (event.pgh_context["before"], event.pgh_context["after"]) == ("landlord", "landlord_business")
    # The same account, password and applications.
    assert landlord.check_password(PASSWORD)
    assert list(applications_for(landlord)) == [case]


def test_a_supervisor_corrects_a_landlord_to_a_property_manager_and_the_business_name_goes(supervisor, client):
    landlord = make_applicant(
        "ll@test.example", kind=User.Kind.LANDLORD, is_business=True, organisation_name="Kingsford Ltd"
    )
    case = tenant_case(applicant=landlord)
    applicant_kind_change(
        actor=supervisor, user=landlord, kind=User.Kind.PROPERTY_MANAGER, is_business=False, reason="They manage it."
    )
    landlord.refresh_from_db()
    assert landlord.kind == User.Kind.PROPERTY_MANAGER
    assert events_for(landlord).filter(pgh_context__action="applicant_kind_change").exists()
    assert ApplicantProfile.objects.get(user=landlord).organisation_name == ""
    client.force_login(landlord)
    assert case.number in client.get(HOME).content.decode()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"kind": "staff"}, errors.ValidationError),
        ({"kind": "tenant", "is_business": True}, errors.ValidationError),
        ({"kind": "landlord", "is_business": True, "organisation_name": ""}, errors.ValidationError),
        ({"reason": "  "}, errors.ValidationError),
        ({"kind": "tenant"}, errors.Conflict),
    ],
)
def test_kind_change_refusals_change_nothing(supervisor, changes, error):
    tenant = make_applicant()
    arguments = {"kind": "landlord", "is_business": False, "reason": "Wrong kind.", **changes}
    with pytest.raises(error):
        applicant_kind_change(actor=supervisor, user=tenant, **arguments)
    tenant.refresh_from_db()
    assert tenant.kind == User.Kind.TENANT
    assert not events_for(tenant).filter(pgh_context__action="applicant_kind_change").exists()


def test_kind_change_is_for_supervisors_only(caseworker, supervisor):
    tenant = make_applicant()
    with pytest.raises(errors.PermissionDenied):
        applicant_kind_change(actor=caseworker, user=tenant, kind="landlord", is_business=False, reason="x")
    with pytest.raises(errors.ValidationError):  # and never turns staff into applicants
        applicant_kind_change(actor=supervisor, user=caseworker, kind="tenant", is_business=False, reason="x")
    caseworker.refresh_from_db()
    assert caseworker.kind == User.Kind.STAFF


def test_supervisors_correct_the_type_from_the_user_admin(client, supervisor):
    landlord = make_applicant("ll@test.example", kind=User.Kind.LANDLORD)
    client.force_login(supervisor)
    changelist = reverse("admin:core_user_changelist")
    data = {"action": "correct_account_type", "_selected_action": [landlord.pk]}
    response = client.post(changelist, data)
    assert response.status_code == 200 and "Correct the account type" in response.content.decode()
    response = client.post(
        changelist,
        {**data, "apply": "1", "account_type": "property_manager", "organisation_name": "", "reason": "Wrong kind."},
    )
    assert response.status_code == 302
    landlord.refresh_from_db()
    assert landlord.kind == User.Kind.PROPERTY_MANAGER
    # The user's page shows the portal profile.
    page = client.get(reverse("admin:core_user_change", args=[landlord.pk])).content.decode()
    assert "portal profile" in page.lower()


def test_administrators_are_offered_the_admin_action_too(client, make_staff):
    from core.roles import Role

    administrator = make_staff(Role.ADMINISTRATOR, email="a@test.example")
    client.force_login(administrator)
    page = client.get(reverse("admin:core_user_changelist")).content.decode()
    assert "correct_account_type" in page  # administrators are supervisors for this purpose


# --- the remembered language -------------------------------------------------------------------------


def test_switching_language_is_remembered_on_the_profile_and_used_on_every_device(client):
    applicant = make_applicant()
    client.force_login(applicant)
    response = client.post(reverse("portal-language"), {"language": "es", "next": "/portal/account/"})
    assert response.status_code == 302 and response.url == "/portal/account/"
    assert ApplicantProfile.objects.get(user=applicant).preferred_language == "es"
    assert events_for(applicant.applicant_profile).filter(pgh_context__action="applicant_language_set").exists()
    assert 'lang="es"' in client.get(HOME).content.decode()

    from django.test import Client

    elsewhere = Client()  # another browser: no language cookie, an English Accept-Language
    elsewhere.force_login(applicant)
    page = elsewhere.get(HOME, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<html lang="es"' in page and "Sus solicitudes" in page


def test_signing_in_switches_to_the_remembered_language_and_keeps_it_after_sign_out(client):
    make_applicant(language="es")
    response = client.post(SIGN_IN, {"username": "tenant@test.example", "password": PASSWORD})
    assert response.cookies["django_language"].value == "es"
    assert "Sus solicitudes" in client.get(HOME).content.decode()
    client.post(reverse("portal-sign-out"))
    assert '<html lang="es"' in client.get(HOME).content.decode()


def test_visitors_switch_language_with_the_cookie_only(client):
    response = client.post(reverse("portal-language"), {"language": "es", "next": HOME})
    assert response.cookies["django_language"].value == "es"
    assert '<html lang="es"' in client.get(HOME).content.decode()
    assert not ApplicantProfile.objects.exists()


def test_a_language_the_portal_does_not_offer_changes_nothing(client):
    applicant = make_applicant()
    client.force_login(applicant)
    client.post(reverse("portal-language"), {"language": "fr", "next": HOME})
    assert ApplicantProfile.objects.get(user=applicant).preferred_language == ""
    assert '<html lang="en-gb"' in client.get(HOME).content.decode()


def test_the_portal_follows_the_browser_but_staff_pages_stay_in_the_organisations_language(client, caseworker):
    page = client.get(HOME, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in page
    client.cookies["django_language"] = "es"
    client.force_login(caseworker)
    page = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en-gb"' in page
