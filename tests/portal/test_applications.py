"""A tenant's application on the portal: start with the duplicate check, each step's checks,
save and come back later, resume, review, sign and submit (contact, household and property
recorded; the confirmation email, exactly once, also with a landlord's code), and who may not
see any of it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from pghistory.models import Events

from casework.models import Case, CaseActivity, Contact, Household, Property, Workflow
from casework.services import cases as case_services
from communications.models import Message, Template
from core import errors
from core.models import User
from portal.models import TenantApplication
from portal.services import applications as services
from portal.services.confirmations import application_submitted_notify, confirmation_key
from tests.casework.factories import CaseTypeFactory, landlord_case, tenant_case
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db

START_URL = reverse("portal-application-start")

START = {
    "address_line_1": "Flat 2, 10 High Street",
    "address_line_2": "",
    "town": "Anytown",
    "postcode": "ab1 2cd",
    "head_name": "Tara Tenant",
    "head_date_of_birth": "1985-03-27",
}

STEPS = {
    "home": {
        "address_line_1": "Flat 2, 10 High Street",
        "town": "Anytown",
        "postcode": "AB1 2CD",
        "tenancy_start": "2023-09-01",
        "monthly_rent": "650.00",
        "landlord_known_by": "details",
        "landlord_name": "Larry Lord",
        "landlord_email": "larry@test.example",
        "landlord_phone": "",
        "landlord_code": "",
    },
    "household": {
        "head-full_name": "Tara Tenant",
        "head-date_of_birth": "1985-03-27",
        "member-0-full_name": "Tom Tenant",
        "member-0-date_of_birth": "2015-06-01",
        "member-0-relationship": "child",
    },
    "income": {"wages": "1200", "benefits": "150.50", "other": ""},
    "rent-owed": {"amount": "1300.00", "since": "2026-03"},
    "expenses": {"utilities": "120", "childcare": "0", "other": "40"},
    "consent": {
        "information_true": "on",
        "share_with_landlord": "on",
        "check_records": "on",
        "contact_methods": ["email", "text"],
        "contact_phone": "07700 900123",
    },
}


@pytest.fixture
def programme():
    return CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)


@pytest.fixture
def tenant(programme):
    return make_applicant("tara@test.example")


@pytest.fixture
def signed_in(client, tenant):
    client.force_login(tenant)
    return client


def step_url(number, step):
    return reverse("portal-application-step", args=[number, step])


def start(client, **changes) -> TenantApplication | None:
    response = client.post(START_URL, {**START, **changes})
    if response.status_code != 302:
        return None
    number = response.url.split("/")[-3]
    return TenantApplication.objects.get(case__number=number)


def fill(client, number, *steps, **changes):
    for step in steps or STEPS:
        data = {**STEPS[step], **changes.get(step.replace("-", "_"), {})}
        response = client.post(step_url(number, step), data)
        assert response.status_code == 302, response.content.decode()[:3000]


def submit(client, number, name="Tara Tenant"):
    return client.post(reverse("portal-application-review", args=[number]), {"signed_name": name, "confirm": "on"})


# --- start and the duplicate check ------------------------------------------------------------


def test_start_creates_a_draft_with_the_home_and_head_filled_in(signed_in, tenant, programme):
    response = signed_in.post(START_URL, START)
    application = TenantApplication.objects.get(case__applicant=tenant)
    case = application.case
    assert response.url == step_url(case.number, "home")
    assert (case.status, case.case_type, case.source) == ("draft", programme, "portal")
    assert application.answers["home"]["postcode"] == "AB1 2CD"
    assert application.answers["household"]["head"] == {"full_name": "Tara Tenant", "date_of_birth": "1985-03-27"}
    assert application.address_key == "AB12CD|flat 2 10 high street"
    assert application.household_key == "tara tenant|1985-03-27"
    page = signed_in.get(response.url).content.decode()
    assert 'value="Flat 2, 10 High Street"' in page
    assert Events.objects.tracks(application).exists()  # audited


def test_start_asks_the_home_and_head_first(signed_in):
    response = signed_in.post(START_URL, {**START, "postcode": "nowhere", "head_date_of_birth": "2999-01-01"})
    content = response.content.decode()
    assert response.status_code == 200 and "Error:" in content
    assert 'href="#postcode"' in content and "Enter a real postcode" in content
    assert "Your date of birth must be in the past." in content
    assert not Case.objects.exists()


def test_a_us_zip_code_is_accepted(signed_in):
    application = start(signed_in, postcode="02139-4307")
    assert application.answers["home"]["postcode"] == "02139-4307"


def test_my_own_open_application_for_the_same_home_is_shown_not_doubled(signed_in, tenant):
    first = start(signed_in)
    # The same home, written differently, with a different head: still the same home.
    response = signed_in.post(
        START_URL, {**START, "address_line_1": "flat 2 10 HIGH STREET.", "postcode": "AB12CD", "head_name": "Tam"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "You already have an application for this home" in content
    assert first.case.number in content
    assert reverse("portal-application-resume", args=[first.case.number]) in content
    assert Case.objects.filter(applicant=tenant).count() == 1


def test_another_accounts_open_application_for_the_household_is_refused_without_saying_whose(client, programme):
    other = make_applicant("partner@test.example", first_name="Pat")
    client.force_login(other)
    theirs = start(client)
    me = make_applicant("tara2@test.example")
    client.force_login(me)
    # A different address, but the same head of household (name and date of birth).
    response = client.post(START_URL, {**START, "address_line_1": "1 Other Road", "postcode": "ZZ9 9ZZ"})
    content = response.content.decode()
    assert "An application for your household is already open" in content
    assert "ask them about their application" in content
    assert theirs.case.number not in content and theirs.case.application_code not in content
    assert "partner@test.example" not in content
    assert not Case.objects.filter(applicant=me).exists()


def test_a_closed_application_does_not_block_a_new_one(signed_in, tenant):
    first = start(signed_in)
    Case.objects.filter(pk=first.case.pk).update(status="closed", closure_stage="withdrawn", closed_at=first.created_at)
    second = start(signed_in)
    assert second is not None and second.pk != first.pk


def test_a_landlords_application_is_not_a_duplicate_of_a_tenants(signed_in):
    landlord_case(applicant=make_applicant("l@test.example", kind=User.Kind.LANDLORD))
    assert start(signed_in) is not None


@pytest.mark.parametrize("kind", [User.Kind.LANDLORD, User.Kind.PROPERTY_MANAGER, User.Kind.ADVOCATE])
def test_other_kinds_are_told_the_form_is_for_tenants(client, programme, kind):
    client.force_login(make_applicant("x@test.example", kind=kind))
    response = client.get(START_URL)
    content = response.content.decode()
    assert "This application is for tenants" in content
    assert client.post(START_URL, START).status_code == 200
    assert not Case.objects.exists()
    if kind == User.Kind.LANDLORD:
        assert reverse("portal-landlord-application-start") in content


def test_an_unconfirmed_tenant_is_sent_to_confirm_their_email(client, programme):
    client.force_login(make_applicant("u@test.example", verified=False))
    response = client.get(START_URL)
    assert response.status_code == 302 and reverse("portal-verify-email") in response.url


def test_with_several_programmes_the_tenant_chooses(signed_in, tenant, programme):
    other = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT, code="rental-2", name="Winter fund", number_prefix="WF")
    response = signed_in.post(START_URL, START)
    assert "Choose the programme you are applying to." in response.content.decode()
    start(signed_in, case_type=str(other.pk))
    assert Case.objects.get(applicant=tenant).case_type == other


def test_the_service_refuses_staff_and_landlords(caseworker, programme):
    landlord = make_applicant("l@test.example", kind=User.Kind.LANDLORD)
    for actor in (caseworker, landlord):
        with pytest.raises(errors.PermissionDenied):
            services.tenant_application_start(
                actor=actor,
                case_type=programme,
                address_line_1="1 Road",
                town="Town",
                postcode="AB1 2CD",
                head_name="A B",
                head_date_of_birth=datetime.date(1990, 1, 1),
            )


# --- the steps ------------------------------------------------------------------------------


INVALID = [
    ("home", {"postcode": "12"}, "postcode", "Enter a real postcode"),
    ("home", {"tenancy_start": "2999-01-01"}, "tenancy_start", "must be today or in the past"),
    ("home", {"monthly_rent": "-5"}, "monthly_rent", "cannot be less than 0"),
    ("home", {"monthly_rent": "650.123"}, "monthly_rent", "no more than 2 decimal places"),
    ("home", {"landlord_name": ""}, "landlord_name", "Enter your landlord&#x27;s name"),
    ("home", {"landlord_email": "", "landlord_phone": ""}, "landlord_email", "email address or phone number"),
    ("home", {"landlord_known_by": "code", "landlord_code": "nope"}, "landlord_code", "8 letters and numbers"),
    ("household", {"head-full_name": ""}, "head-full_name", "Enter your full name."),
    ("household", {"member-0-relationship": ""}, "member-0-relationship", "Choose how the person is related"),
    ("household", {"member-0-date_of_birth": "2999-01-01"}, "member-0-date_of_birth", "must be in the past"),
    ("income", {"wages": "", "benefits": "", "other": ""}, "wages", "tick that nobody in the household"),
    ("income", {"no_income": "on"}, "no_income", "no income but entered amounts"),
    ("income", {"wages": "lots"}, "wages", "Enter an amount of money"),
    ("rent-owed", {"amount": "0"}, "amount", "more than 0"),
    ("rent-owed", {"since": "2999-01"}, "since", "cannot be in the future"),
    ("expenses", {"childcare": ""}, "childcare", "or 0 if there is none"),
    ("consent", {"information_true": ""}, "information_true", "information you have given is true"),
    ("consent", {"contact_methods": []}, "contact_methods", "at least one way"),
    ("consent", {"contact_phone": ""}, "contact_phone", "phone number we may call or text"),
]


@pytest.mark.parametrize(("step", "changes", "field", "message"), INVALID)
def test_each_step_refuses_bad_answers_with_an_error_summary(signed_in, step, changes, field, message):
    application = start(signed_in)
    data = {**STEPS[step], **changes}
    if not data.get("information_true"):
        data.pop("information_true", None)
    if "no_income" in data and not data["no_income"]:
        data.pop("no_income")
    response = signed_in.post(step_url(application.case.number, step), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in content and f'href="#{field}"' in content
    assert message in content
    assert content.count("<h1") == 1
    application.refresh_from_db()
    assert step not in application.completed_steps


def test_no_income_can_be_said_explicitly(signed_in):
    application = start(signed_in)
    fill(signed_in, application.case.number, "income", income={"wages": "", "benefits": "", "no_income": "on"})
    application.refresh_from_db()
    assert application.answers["income"]["no_income"] is True and "income" in application.completed_steps


def test_amounts_are_stored_with_two_decimal_places(signed_in):
    application = start(signed_in)
    fill(signed_in, application.case.number, "income")
    application.refresh_from_db()
    assert application.answers["income"] == {"no_income": False, "wages": "1200.00", "benefits": "150.50", "other": ""}


def test_household_members_are_added_and_removed_with_plain_buttons(signed_in):
    number = start(signed_in).case.number
    url = step_url(number, "household")
    page = signed_in.get(url).content.decode()
    assert 'value="Tara Tenant"' in page and "member-0-full_name" not in page
    page = signed_in.post(url, {"head-full_name": "Tara Tenant", "head-date_of_birth": "1985-03-27", "action": "add"})
    content = page.content.decode()
    assert 'name="member-0-full_name"' in content and "govuk-error-summary" not in content
    data = {**STEPS["household"], "member-1-full_name": "Ann", "member-1-date_of_birth": "1950-01-01"}
    content = signed_in.post(url, {**data, "member-1-relationship": "parent", "action": "remove-0"}).content.decode()
    assert 'value="Ann"' in content and 'value="Tom Tenant"' not in content
    application = TenantApplication.objects.get(case__number=number)
    assert "household" not in application.completed_steps  # adding and removing save nothing


def test_a_blank_member_row_is_ignored(signed_in):
    application = start(signed_in)
    fill(signed_in, application.case.number, "household", household={"member-1-full_name": ""})
    application.refresh_from_db()
    assert [m["full_name"] for m in application.answers["household"]["members"]] == ["Tom Tenant"]


def test_the_step_url_takes_only_the_steps(signed_in):
    number = start(signed_in).case.number
    assert signed_in.get(f"/portal/applications/{number}/nonsense/").status_code == 404


# --- save and come back later, resume ----------------------------------------------------------


def test_save_and_come_back_later_then_resume_at_the_first_unfinished_step(signed_in, tenant):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number, "home")
    # Half an income step, saved for later: what was typed is kept, the step is not finished.
    response = signed_in.post(step_url(number, "income"), {"wages": "12x", "action": "later"})
    assert response.url == reverse("portal-home")
    home = signed_in.get(response.url).content.decode()
    assert f"Your application {number} has been saved" in home
    assert f"Continue your application {number}" in home
    application.refresh_from_db()
    assert application.completed_steps == ["home"]
    assert application.answers["income"]["wages"] == "12x"

    resume = signed_in.get(reverse("portal-application-resume", args=[number]))
    assert resume.url == step_url(number, "household")
    fill(signed_in, number, "household")
    resume = signed_in.get(reverse("portal-application-resume", args=[number]))
    assert resume.url == step_url(number, "income")
    assert 'value="12x"' in signed_in.get(resume.url).content.decode()


def test_save_and_come_back_later_with_valid_answers_finishes_the_step(signed_in):
    application = start(signed_in)
    signed_in.post(step_url(application.case.number, "rent-owed"), {**STEPS["rent-owed"], "action": "later"})
    application.refresh_from_db()
    assert application.completed_steps == ["rent-owed"]


def test_save_and_continue_goes_to_the_next_unfinished_step_then_review(signed_in):
    number = start(signed_in).case.number
    assert signed_in.post(step_url(number, "home"), STEPS["home"]).url == step_url(number, "household")
    fill(signed_in, number, "household", "income", "rent-owed", "expenses")
    assert signed_in.post(step_url(number, "consent"), STEPS["consent"]).url == reverse(
        "portal-application-review", args=[number]
    )
    assert signed_in.get(reverse("portal-application-resume", args=[number])).url == reverse(
        "portal-application-review", args=[number]
    )


def test_the_home_panel_offers_to_start_then_to_continue(signed_in):
    home = signed_in.get(reverse("portal-home")).content.decode()
    assert "Start an application" in home and "Continue your application" not in home
    number = start(signed_in).case.number
    assert f"Continue your application {number}" in signed_in.get(reverse("portal-home")).content.decode()


# --- review, sign and submit -------------------------------------------------------------------


def test_review_lists_unfinished_parts_and_refuses_to_submit(signed_in):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number, "home", "household")
    page = signed_in.get(reverse("portal-application-review", args=[number])).content.decode()
    assert "Finish this part of the application: Household income" in page
    assert 'href="#section-income"' in page and "Sign and submit" not in page.split("</h1>")[1].split("Not finished")[0]
    assert "Larry Lord" in page and "Tom Tenant" in page  # finished parts show their answers
    response = submit(signed_in, number)
    assert response.status_code == 200
    application.case.refresh_from_db()
    assert application.case.status == "draft" and not application.case.signed_name
    assert not Message.objects.exists()
    with pytest.raises(services.IncompleteApplication) as refused:
        services.tenant_application_submit(actor=application.case.applicant, application=application, signed_name="T")
    assert set(refused.value.fields) == {"income", "rent-owed", "expenses", "consent"}


def test_review_shows_every_answer_with_change_links(signed_in):
    number = start(signed_in).case.number
    fill(signed_in, number)
    page = signed_in.get(reverse("portal-application-review", args=[number])).content.decode()
    for text in ("Flat 2, 10 High Street", "650.00", "1 September 2023", "Tom Tenant", "1200.00", "March 2026"):
        assert text in page
    assert f"{step_url(number, 'expenses')}?from=review" in page
    # Changing a step from the review comes back to the review.
    response = signed_in.post(step_url(number, "expenses"), {**STEPS["expenses"], "from": "review"})
    assert response.url == reverse("portal-application-review", args=[number])


def test_signing_needs_a_name_and_the_confirmation(signed_in):
    number = start(signed_in).case.number
    fill(signed_in, number)
    response = signed_in.post(reverse("portal-application-review", args=[number]), {"signed_name": " "})
    content = response.content.decode()
    assert 'href="#signed_name"' in content and 'href="#confirm"' in content
    assert Case.objects.get(number=number).status == "draft"


def test_submit_signs_moves_to_application_match_records_people_and_confirms(signed_in, tenant):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number)
    response = submit(signed_in, number, name="  Tara   Tenant ")
    assert response.url == reverse("portal-application-submitted", args=[number])
    case = Case.objects.select_related("contact", "property").get(number=number)
    assert case.status == "application_match"
    assert case.signed_name == "Tara Tenant" and case.submitted_at is not None
    # The staff records a submission makes.
    assert (case.contact.first_name, case.contact.last_name, case.contact.email) == ("Tara", "Tenant", tenant.email)
    assert case.contact.date_of_birth == datetime.date(1985, 3, 27)
    household = Household.objects.get(members__contact=case.contact)
    assert sorted(household.members.values_list("contact__first_name", "relationship")) == [
        ("Tara", "head"),
        ("Tom", "child"),
    ]
    assert (case.property.address_line_1, case.property.postcode) == ("Flat 2, 10 High Street", "AB1 2CD")
    assert case.property.patch_source == "unresolved"  # no lookup row for AB1: for staff to resolve
    # The confirmation: one email to the applicant, about the case, on the delivery log.
    message = Message.objects.get()
    assert message.idempotency_key == f"case-{case.pk}-application-submitted"
    assert (message.channel, message.recipient_email, message.regarding) == ("email", tenant.email, case)
    assert number in message.subject and number in message.body and case.application_code in message.body
    assert message.status == "pending"
    assert CaseActivity.objects.filter(case=case, kind="status_changed", to_status="application_match").exists()
    assert CaseActivity.objects.filter(case=case, kind="message").exists()

    page = signed_in.get(response.url).content.decode()
    assert number in page and case.application_code in page and "What happens next" in page


def test_submitting_twice_sends_one_confirmation(signed_in, tenant):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number)
    submit(signed_in, number)
    again = submit(signed_in, number)
    assert again.url == reverse("portal-application-submitted", args=[number])
    with pytest.raises(errors.Conflict):
        services.tenant_application_submit(actor=tenant, application=application, signed_name="Tara Tenant")
    assert application_submitted_notify(case=application.case) == Message.objects.get()
    assert Message.objects.count() == 1 and Contact.objects.count() == 2


def test_a_landlord_code_is_checked_and_the_confirmation_still_sent_dhc_1669(signed_in, tenant):
    landlord = landlord_case(applicant=make_applicant("lena@test.example", kind=User.Kind.LANDLORD))
    number = start(signed_in).case.number
    quoted = {**STEPS["home"], "landlord_known_by": "code", "landlord_code": "ZZZZ-9999"}
    wrong = signed_in.post(step_url(number, "home"), quoted)
    assert "There is no open landlord application with the code ZZZZ-9999" in wrong.content.decode()
    code = landlord.application_code.replace("-", "").lower()
    fill(signed_in, number, home={"landlord_known_by": "code", "landlord_code": code, "landlord_name": "ignored"})
    case = Case.objects.get(number=number)
    assert case.claimed_application_code == landlord.application_code
    assert TenantApplication.objects.get(case=case).answers["home"]["landlord_name"] == ""
    fill(signed_in, number, "household", "income", "rent-owed", "expenses", "consent")
    submit(signed_in, number)
    case.refresh_from_db()
    assert case.status == "application_match"  # the landlord has not submitted yet
    message = Message.objects.get(idempotency_key=confirmation_key(case))  # DHC-1669: sent with a code too
    assert message.recipient_email == tenant.email
    page = signed_in.get(reverse("portal-application-submitted", args=[number])).content.decode()
    assert "We will match your application with theirs" in page


def test_a_waiting_landlord_application_is_matched_on_submit(signed_in):
    lena = make_applicant("lena@test.example", kind=User.Kind.LANDLORD)
    landlord = landlord_case(applicant=lena)
    case_services.case_submit(actor=lena, case=landlord, signed_name="Lena Lord")
    number = start(signed_in).case.number
    fill(signed_in, number, home={"landlord_known_by": "code", "landlord_code": landlord.application_code})
    submit(signed_in, number)
    case = Case.objects.get(number=number)
    landlord.refresh_from_db()
    assert (case.status, landlord.status, landlord.parent) == ("chaser", "chaser", case)
    assert Message.objects.filter(idempotency_key=confirmation_key(case)).count() == 1


def test_a_failure_in_submit_leaves_the_draft_as_it_was(signed_in, monkeypatch):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number)

    def broken(*, case):
        raise RuntimeError("the mail system is down")

    monkeypatch.setattr(services, "application_submitted_notify", broken)
    with pytest.raises(RuntimeError):
        submit(signed_in, number)
    case = Case.objects.get(number=number)
    assert (case.status, case.signed_name, case.contact_id, case.property_id) == ("draft", "", None, None)
    assert not Contact.objects.exists() and not Household.objects.exists() and not Property.objects.exists()


def test_a_duplicate_opened_since_the_start_is_caught_at_submit(signed_in, tenant, client):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number)
    # Someone else's application for the same home, slipped in after this one started.
    other = tenant_case(applicant=make_applicant("o@test.example"))
    TenantApplication.objects.create(case=other, address_key=application.address_key)
    response = submit(signed_in, number)
    content = response.content.decode()
    assert "Another application for this home or household has been opened" in content
    assert other.number not in content
    assert Case.objects.get(number=number).status == "draft" and not Message.objects.exists()


def test_the_spanish_confirmation_for_a_tenant_reading_in_spanish(client, programme):
    tenant = make_applicant("maria@test.example", language="es", first_name="María")
    client.force_login(tenant)
    number = start(client).case.number
    fill(client, number)
    submit(client, number)
    assert Message.objects.get().subject.startswith("Hemos recibido su solicitud")
    assert Case.objects.get(number=number).contact.preferred_language == "es"  # letters in Spanish too


def test_a_property_already_recorded_is_used_not_doubled(signed_in):
    from casework.services import people

    known = people.property_create(
        actor=None, address_line_1="FLAT 2, 10 HIGH STREET", town="Anytown", postcode="AB12CD"
    )
    number = start(signed_in).case.number
    fill(signed_in, number)
    submit(signed_in, number)
    assert Case.objects.get(number=number).property == known and Property.objects.count() == 1


def test_english_when_the_language_has_no_active_template(client, programme):
    Template.objects.filter(key="portal-application-submitted-es").update(is_active=False)
    tenant = make_applicant("maria@test.example", language="es")
    client.force_login(tenant)
    number = start(client).case.number
    fill(client, number)
    submit(client, number)
    assert Message.objects.get().subject.startswith("We have received your application")


def test_the_confirmation_templates_are_valid_templates():
    from communications.rendering import template_problems

    for template in Template.objects.filter(key__startswith="portal-application-submitted"):
        assert template.is_active and template.version == 1
        problems = template_problems(
            channel=template.channel,
            subject=template.subject,
            body=template.body,
            required_fields=template.required_fields,
        )
        assert problems == {}, template.key


def test_every_portal_language_has_its_confirmation_email(settings):
    from portal.services.confirmations import confirmation_template

    for code, _name in settings.PORTAL_LANGUAGES:
        expected = "portal-application-submitted" if code.startswith("en") else f"portal-application-submitted-{code}"
        assert confirmation_template(code).key == expected, code
    assert "ពាក្យស្នើសុំ" in confirmation_template("km").subject


# --- who may not ---------------------------------------------------------------------------------


def _urls(number):
    return [
        reverse("portal-application-resume", args=[number]),
        reverse("portal-application-review", args=[number]),
        reverse("portal-application-submitted", args=[number]),
        *(step_url(number, step) for step in STEPS),
    ]


def test_another_tenants_application_is_not_found_on_every_url(client, programme):
    owner = make_applicant("owner@test.example")
    client.force_login(owner)
    number = start(client).case.number
    client.force_login(make_applicant("nosy@test.example"))
    for url in _urls(number):
        assert client.get(url).status_code == 404, url
        posted = client.post(url, {"signed_name": "X", "confirm": "on", **STEPS["income"]}).status_code
        assert posted == (405 if url.endswith(("/resume/", "/submitted/")) else 404), url
    assert TenantApplication.objects.get(case__number=number).completed_steps == []


def test_staff_are_refused_every_page(client, caseworker, programme):
    owner = make_applicant("owner@test.example")
    client.force_login(owner)
    number = start(client).case.number
    client.force_login(caseworker)
    for url in [START_URL, *_urls(number)]:
        assert client.get(url).status_code == 403, url


def test_a_submitted_application_cannot_be_changed(signed_in, tenant):
    application = start(signed_in)
    number = application.case.number
    fill(signed_in, number)
    submit(signed_in, number)
    response = signed_in.post(step_url(number, "income"), STEPS["income"])
    assert response.url == reverse("portal-application-submitted", args=[number])
    with pytest.raises(errors.Conflict):
        services.tenant_application_step_save(actor=tenant, application=application, step="income", data={})


def test_the_code_claim_service_is_for_the_applicant_of_a_draft(tenant, caseworker):
    case = tenant_case(applicant=tenant)
    with pytest.raises(errors.PermissionDenied):
        case_services.application_code_claim(actor=caseworker, case=case, code="")
    with pytest.raises(errors.ValidationError):
        case_services.application_code_claim(actor=tenant, case=case, code=case.application_code)
