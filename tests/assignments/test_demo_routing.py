"""The demo router configuration: settings, decline reasons and a routing rule for every chevron of
the demo case types that needs a person; a second seed creates nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from assignments.models import CaseRouting, DeclineReason, Offer, RoutingRule, RoutingSettings

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _rules() -> dict[tuple[str, str], tuple[list[str], str | None, bool, bool]]:
    return {
        (rule.case_type.code, rule.status): (
            sorted(skill.code for skill in rule.skills.all()),
            rule.programme_skill.code if rule.programme_skill else None,
            rule.require_patch,
            rule.require_language,
        )
        for rule in RoutingRule.objects.select_related("case_type", "programme_skill").prefetch_related("skills")
    }


def test_the_demo_configures_the_router_once():
    first_output = _seed()
    assert "routing rule" in first_output
    assert "decline reason" in first_output
    rules = _rules()
    counts = (RoutingRule.objects.count(), DeclineReason.objects.count(), RoutingSettings.objects.count())

    assert "created: nothing new" in _seed()
    assert _rules() == rules
    assert (RoutingRule.objects.count(), DeclineReason.objects.count(), RoutingSettings.objects.count()) == counts

    for code in ("raft-tenant", "raft-landlord"):
        for status in ("chaser", "case_manager", "reviewer"):
            assert rules[(code, status)] == ([status], "raft", False, True)
    for status in ("early_action", "arrangement", "notice_served", "court", "eviction"):
        assert rules[("arrears", status)] == (["rents_officer"], "arrears", True, True)
    for status in ("enquiry", "assessment", "action_plan"):
        assert rules[("housing-options", status)] == (["housing_options"], None, False, True)
    assert rules[("support", "triage")] == (["case_manager"], None, False, True)
    # Appeals are worked through tasks and the rent statement has no human step: no rules.
    assert not {code for code, _ in rules} & {"appeal", "rent-statement"}
    assert len(rules) == 6 + 5 + 3 + 1
    assert set(DeclineReason.objects.values_list("label", flat=True)) >= {
        "Conflict of interest",
        "Not my patch",
        "At capacity",
        "Going on leave",
        "Other",
    }
    assert RoutingSettings.current().offer_timeout_minutes == 60


def test_the_demo_rental_team_has_offers_waiting_for_them():
    call_command("seed_demo", stdout=StringIO())
    chaser_offers = Offer.objects.filter(user__email="chaser@demo.example", status="pending")
    assert chaser_offers.exists()
    assert all(offer.case.status == "chaser" for offer in chaser_offers)
    assert CaseRouting.objects.filter(state="awaiting").exists()  # e.g. housing options: nobody available
