"""The router's configuration in the admin: routing rules (a chevron of the case type's workflow),
the one row of routing settings, decline reasons; offers and case routing states read-only."""

import pytest

from assignments.models import CaseRouting, DeclineReason, Offer, RoutingRule, RoutingSettings
from core.audit import events_for
from tests.assignments.factories import SkillFactory
from tests.assignments.factories_routing import (
    CaseRoutingFactory,
    DeclineReasonFactory,
    OfferFactory,
    RoutingRuleFactory,
    StaffProfileFactory,
)
from tests.casework.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db

RULES = "/admin/assignments/routingrule/"


@pytest.fixture
def signed_in(client, supervisor):
    client.force_login(supervisor)
    return client


def _rule_form(case_type, status, skills=(), **fields):
    return {
        "case_type": case_type.pk,
        "status": status,
        "skills": [s.pk for s in skills],
        "require_language": "on",
        "is_active": "on",
        **fields,
    }


def test_the_router_s_pages_load_for_a_supervisor(signed_in):
    chaser = SkillFactory(code="chaser")
    rule = RoutingRuleFactory(skills=[chaser])
    reason = DeclineReasonFactory()
    routing = CaseRoutingFactory(skills=[chaser])
    offer = OfferFactory(case=routing.case, decline_reason=reason, status=Offer.Status.DECLINED)
    profile = StaffProfileFactory(skills=[chaser])
    pages = [
        RULES,
        f"{RULES}add/",
        f"{RULES}{rule.pk}/change/",
        "/admin/assignments/declinereason/",
        f"/admin/assignments/declinereason/{reason.pk}/change/",
        "/admin/assignments/offer/",
        f"/admin/assignments/offer/{offer.pk}/change/",
        "/admin/assignments/caserouting/",
        f"/admin/assignments/caserouting/{routing.pk}/change/",
        f"/admin/assignments/routingprofile/{profile.pk}/change/",
        "/admin/assignments/routingprofile/",
    ]
    for page in pages:
        assert signed_in.get(page).status_code == 200, page
    changelist = signed_in.get("/admin/assignments/caserouting/").content.decode()
    assert routing.case.number in changelist
    assert "chaser" in changelist  # the skills needed, by code


def test_the_routing_profile_page_shows_the_router_s_counters_read_only(signed_in):
    profile = StaffProfileFactory(load=7)
    page = signed_in.get(f"/admin/assignments/routingprofile/{profile.pk}/change/")
    assert page.context["adminform"].form.fields.keys().isdisjoint({"load", "last_offered_at"})
    assert {"load", "last_offered_at"} <= set(page.context["adminform"].readonly_fields)


def test_offers_and_case_routing_are_read_only_and_searchable_by_case_number(signed_in):
    wanted, other = OfferFactory(), OfferFactory()
    CaseRoutingFactory(case=wanted.case, state=CaseRouting.State.OFFERED)
    CaseRoutingFactory(case=other.case)
    for url in ("/admin/assignments/offer/", "/admin/assignments/caserouting/"):
        page = signed_in.get(url, {"q": wanted.case.number})
        assert page.context["cl"].result_count == 1, url
    assert signed_in.get("/admin/assignments/caserouting/", {"state": "awaiting"}).context["cl"].result_count == 1
    assert signed_in.get("/admin/assignments/offer/", {"status": "pending"}).context["cl"].result_count == 2
    assert signed_in.get("/admin/assignments/offer/add/").status_code == 403
    assert signed_in.post(f"/admin/assignments/offer/{wanted.pk}/delete/").status_code == 403
    assert Offer.objects.count() == 2


def test_a_supervisor_adds_a_rule(signed_in, supervisor):
    case_type = CaseTypeFactory(workflow="arrears")
    officer = SkillFactory(code="rents_officer")
    arrears = SkillFactory(code="arrears", category="programme")

    response = signed_in.post(
        f"{RULES}add/",
        _rule_form(case_type, "court", [officer], programme_skill=arrears.pk, require_patch="on"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get()
    assert (rule.case_type, rule.status, rule.programme_skill, rule.require_patch) == (
        case_type,
        "court",
        arrears,
        True,
    )
    assert list(rule.skills.all()) == [officer]
    context = events_for(rule).get(pgh_label="insert").pgh_context
    assert (context["user"], context["action"]) == (supervisor.pk, "routing_rule_set")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("chaser", "&#x27;chaser&#x27; is not a chevron of Arrears"),
        ("closed", "Select a valid choice. closed is not one of the available choices."),  # not even offered
    ],
)
def test_the_rule_s_status_must_be_an_open_chevron_of_its_case_type(signed_in, status, message):
    case_type = CaseTypeFactory(workflow="arrears")
    response = signed_in.post(f"{RULES}add/", _rule_form(case_type, status, [SkillFactory()]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_a_rule_s_programme_must_be_a_programme_skill(signed_in):
    chaser = SkillFactory(code="chaser")
    response = signed_in.post(
        f"{RULES}add/", _rule_form(CaseTypeFactory(), "chaser", [chaser], programme_skill=chaser.pk)
    )
    assert response.status_code == 200
    assert not RoutingRule.objects.exists()


def test_changing_a_rule_keeps_its_case_type_and_chevron(signed_in):
    old, new = SkillFactory(code="chaser"), SkillFactory(code="lang-pl")
    rule = RoutingRuleFactory(skills=[old])
    response = signed_in.post(
        f"{RULES}{rule.pk}/change/",
        {"status": "reviewer", "case_type": CaseTypeFactory(workflow="arrears").pk, "skills": [new.pk]},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert (rule.status, rule.case_type.workflow) == ("chaser", "rental_tenant")
    assert list(rule.skills.all()) == [new]
    assert (rule.require_language, rule.is_active) == (False, False)  # unticked boxes


def test_there_is_one_settings_row_changed_in_place(signed_in):
    response = signed_in.get("/admin/assignments/routingsettings/")
    assert response.status_code == 302
    assert response.url == "/admin/assignments/routingsettings/1/change/"
    assert signed_in.get(response.url).status_code == 200
    assert signed_in.get("/admin/assignments/routingsettings/add/").status_code == 403
    assert signed_in.post("/admin/assignments/routingsettings/1/delete/").status_code == 403

    changed = signed_in.post(response.url, {"offer_timeout_minutes": "30", "max_offers_per_minute": "5"})
    assert changed.status_code == 302
    stored = RoutingSettings.current()
    assert (stored.offer_timeout_minutes, stored.max_offers_per_minute) == (30, 5)


def test_settings_out_of_range_are_refused_in_the_admin(signed_in):
    RoutingSettings.current()
    response = signed_in.post(
        "/admin/assignments/routingsettings/1/change/", {"offer_timeout_minutes": "1441", "max_offers_per_minute": "0"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The offer timeout must be a whole number of minutes from 1 to 1440." in page
    assert "The flood guard must be a whole number of offers from 1 to 1000." in page
    stored = RoutingSettings.current()
    assert (stored.offer_timeout_minutes, stored.max_offers_per_minute) == (60, 10)


def test_a_supervisor_adds_a_decline_reason_whose_code_is_then_fixed(signed_in):
    response = signed_in.post(
        "/admin/assignments/declinereason/add/", {"code": "at-capacity", "label": "At capacity", "is_active": "on"}
    )
    assert response.status_code == 302
    reason = DeclineReason.objects.get()
    signed_in.post(
        f"/admin/assignments/declinereason/{reason.pk}/change/",
        {"code": "changed", "label": "Full up", "is_active": ""},
    )
    reason.refresh_from_db()
    assert (reason.code, reason.label, reason.is_active) == ("at-capacity", "Full up", False)
