"""Supervisors configure the router: routing rules per case type and chevron, the offer timeout and
flood guard, decline reasons. Every refusal writes nothing."""

import pytest

from assignments import config
from assignments.models import DeclineReason, RoutingRule, RoutingSettings
from core import errors
from core.audit import events_for
from tests.assignments.factories import SkillFactory
from tests.assignments.factories_routing import DeclineReasonFactory
from tests.casework.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant_type():
    return CaseTypeFactory(workflow="rental_tenant")


def _set(actor, case_type, status="chaser", skills=(), **options):
    return config.routing_rule_set(actor=actor, case_type=case_type, status=status, skills=list(skills), **options)


# --- routing rules ---------------------------------------------------------------------------------


def test_a_supervisor_sets_a_rule_and_it_is_audited(supervisor, tenant_type):
    chaser, raft = SkillFactory(code="chaser"), SkillFactory(code="raft", category="programme")

    rule = _set(supervisor, tenant_type, skills=[chaser], programme_skill=raft, require_patch=True)

    rule.refresh_from_db()
    assert (rule.case_type, rule.status, rule.programme_skill) == (tenant_type, "chaser", raft)
    assert (rule.require_patch, rule.require_language, rule.is_active) == (True, True, True)
    assert list(rule.skills.all()) == [chaser]
    assert rule.created_by == supervisor
    context = events_for(rule).get(pgh_label="insert").pgh_context
    assert context["user"] == supervisor.pk
    assert context["action"] == "routing_rule_set"
    assert context["skills"] == ["chaser"]


def test_setting_the_rule_again_replaces_it(supervisor, tenant_type):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl", category="language")
    first = _set(supervisor, tenant_type, skills=[chaser])
    second = _set(supervisor, tenant_type, skills=[polish], require_language=False, is_active=False)
    assert first.pk == second.pk
    assert RoutingRule.objects.count() == 1
    second.refresh_from_db()
    assert list(second.skills.all()) == [polish]
    assert (second.require_language, second.is_active) == (False, False)
    assert events_for(second).filter(pgh_label="update").get().pgh_context["skills"] == ["lang-pl"]


def test_an_inactive_skill_already_on_a_rule_may_stay(supervisor, tenant_type):
    retired = SkillFactory(code="retired")
    rule = _set(supervisor, tenant_type, skills=[retired])
    retired.is_active = False
    retired.save()
    _set(supervisor, tenant_type, skills=[retired], require_patch=True)
    rule.refresh_from_db()
    assert rule.require_patch is True
    assert list(rule.skills.all()) == [retired]


@pytest.mark.parametrize(
    ("workflow", "status", "message"),
    [
        ("rental_tenant", "closed", "A closed case is never routed: choose an open chevron."),
        ("rental_tenant", "early_action", "'early_action' is not a chevron of Rental assistance: tenant application"),
        ("arrears", "chaser", "'chaser' is not a chevron of Arrears: choose one of Early action, Arrangement,"),
        ("support", "nonsense", "'nonsense' is not a chevron of Support referral"),
    ],
)
def test_the_status_must_be_an_open_chevron_of_the_case_type(supervisor, workflow, status, message):
    case_type = CaseTypeFactory(workflow=workflow)
    with pytest.raises(errors.ValidationError) as refused:
        _set(supervisor, case_type, status=status, skills=[SkillFactory()])
    assert refused.value.fields["status"][0].startswith(message)
    assert not RoutingRule.objects.exists()


def test_refuses_new_inactive_skills_and_a_programme_skill_that_is_not_one(supervisor, tenant_type):
    retired = SkillFactory(code="retired", inactive=True)
    not_a_programme = SkillFactory(code="chaser")
    with pytest.raises(errors.ValidationError) as refused:
        _set(supervisor, tenant_type, skills=[retired], programme_skill=not_a_programme)
    assert refused.value.fields == {
        "skills": ["Inactive skills cannot be required: retired."],
        "programme_skill": ["chaser is not a programme skill."],
    }
    old_programme = SkillFactory(code="old", category="programme", inactive=True)
    with pytest.raises(errors.ValidationError) as refused:
        _set(supervisor, tenant_type, programme_skill=old_programme)
    assert refused.value.fields == {"programme_skill": ["old is inactive."]}
    assert not RoutingRule.objects.exists()


def test_only_supervisors_set_rules(caseworker, tenant_type):
    with pytest.raises(errors.PermissionDenied, match=r"Only supervisors can change routing rules\."):
        _set(caseworker, tenant_type, skills=[SkillFactory()])
    assert not RoutingRule.objects.exists()


# --- the router's settings --------------------------------------------------------------------------


def test_a_supervisor_changes_the_timeout_and_flood_guard(supervisor):
    row = config.routing_settings_update(actor=supervisor, offer_timeout_minutes=1440, max_offers_per_minute=1)
    assert (row.offer_timeout_minutes, row.max_offers_per_minute) == (1440, 1)
    stored = RoutingSettings.current()
    assert (stored.offer_timeout_minutes, stored.max_offers_per_minute) == (1440, 1)
    assert RoutingSettings.objects.count() == 1


@pytest.mark.parametrize(
    ("timeout", "per_minute", "refused_fields"),
    [
        (0, 10, {"offer_timeout_minutes"}),
        (1441, 10, {"offer_timeout_minutes"}),
        (60, 0, {"max_offers_per_minute"}),
        (60, 1001, {"max_offers_per_minute"}),
        (True, 10, {"offer_timeout_minutes"}),
        ("60", 10.5, {"offer_timeout_minutes", "max_offers_per_minute"}),
    ],
)
def test_settings_out_of_range_are_refused(supervisor, timeout, per_minute, refused_fields):
    with pytest.raises(errors.ValidationError) as refused:
        config.routing_settings_update(
            actor=supervisor, offer_timeout_minutes=timeout, max_offers_per_minute=per_minute
        )
    assert set(refused.value.fields) == refused_fields
    stored = RoutingSettings.current()
    assert (stored.offer_timeout_minutes, stored.max_offers_per_minute) == (60, 10)


def test_only_supervisors_change_the_settings(caseworker):
    with pytest.raises(errors.PermissionDenied, match=r"Only supervisors can change the routing settings\."):
        config.routing_settings_update(actor=caseworker, offer_timeout_minutes=5, max_offers_per_minute=5)
    assert RoutingSettings.current().offer_timeout_minutes == 60


# --- decline reasons ---------------------------------------------------------------------------------


def test_decline_reasons_are_added_by_supervisors_with_unique_codes(supervisor, caseworker):
    reason = config.decline_reason_create(actor=supervisor, code=" At-Capacity ", label=" At capacity ")
    assert (reason.code, reason.label) == ("at-capacity", "At capacity")
    with pytest.raises(errors.ValidationError) as refused:
        config.decline_reason_create(actor=supervisor, code="at-capacity", label="Full")
    assert "code" in refused.value.fields
    with pytest.raises(errors.PermissionDenied):
        config.decline_reason_create(actor=caseworker, code="busy", label="Busy")
    assert list(DeclineReason.objects.values_list("code", flat=True)) == ["at-capacity"]
    DeclineReasonFactory(code="other")
    assert DeclineReason.objects.count() == 2
