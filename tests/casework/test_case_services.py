"""Case services: creating and editing cases, and the rental-assistance rules around the
chevrons (matching, sending back, withdrawing, appeals, closed cases)."""

from __future__ import annotations

import datetime
import re

import pytest

from casework import signals
from casework.models import Case, CaseActivity, Notification, RequestSubtype, RequestType, Task, Tenancy, Workflow
from casework.services import cases as case_services
from core import errors
from core.audit import events_for
from core.models import User
from core.services import user_create
from tests.casework.factories import (
    CaseFactory,
    CaseTypeFactory,
    ContactFactory,
    QueueFactory,
    TeamFactory,
    TenancyFactory,
    landlord_case,
    team_member,
    tenant_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant_user(db) -> User:
    return user_create(actor=None, email="tina@test.example", kind=User.Kind.TENANT)


@pytest.fixture
def landlord_user(db) -> User:
    return user_create(actor=None, email="larry@test.example", kind=User.Kind.LANDLORD)


@pytest.fixture
def received(request):
    """Every case_status_changed signal sent during the test."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    signals.case_status_changed.connect(receiver)
    request.addfinalizer(lambda: signals.case_status_changed.disconnect(receiver))
    return calls


# --- creating -----------------------------------------------------------------------------------


def test_create_numbers_the_case_and_defaults_the_owner_to_the_creator(caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    case = case_services.case_create(
        actor=caseworker, case_type=case_type, contact=ContactFactory(), description="Boiler"
    )
    assert re.fullmatch(rf"SUP-{datetime.date.today().year}-\d{{6}}", case.number)
    assert (case.owner, case.status, case.created_by) == (caseworker, "triage", caseworker)
    assert case.activities.get().kind == CaseActivity.Kind.CREATED


def test_create_asks_first_when_the_contact_has_an_open_case_of_that_type(caseworker):
    contact = ContactFactory()
    existing = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), contact=contact)
    with pytest.raises(errors.ValidationError) as refused:
        case_services.case_create(actor=caseworker, case_type=existing.case_type, contact=contact)
    assert existing.number in refused.value.fields["acknowledge_existing"][0]
    assert Case.objects.count() == 1
    case = case_services.case_create(
        actor=caseworker, case_type=existing.case_type, contact=contact, acknowledge_existing=True
    )
    assert case.pk != existing.pk


def test_closed_cases_do_not_count_as_existing(caseworker):
    contact = ContactFactory()
    closed = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), contact=contact, status="closed")
    case_services.case_create(actor=caseworker, case_type=closed.case_type, contact=contact)


@pytest.mark.parametrize("status", [Tenancy.Status.ENDED, Tenancy.Status.PENDING_CANCELLATION])
def test_a_case_on_a_tenancy_that_is_not_active_needs_confirming(caseworker, status):
    tenancy = TenancyFactory(status=status, end_date=datetime.date(2026, 1, 31))
    case_type = CaseTypeFactory(workflow=Workflow.ARREARS)
    with pytest.raises(errors.ValidationError) as refused:
        case_services.case_create(actor=caseworker, case_type=case_type, tenancy=tenancy)
    assert "confirm_inactive_tenancy" in refused.value.fields
    assert not Case.objects.exists()
    case = case_services.case_create(
        actor=caseworker, case_type=case_type, tenancy=tenancy, confirm_inactive_tenancy=True
    )
    head = tenancy.household.members.get(is_head=True).contact
    assert (case.contact, case.property, case.tenancy) == (head, tenancy.property, tenancy)


def test_picklists_must_belong_to_the_case_type(caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    other = RequestType.objects.create(case_type=CaseTypeFactory(workflow=Workflow.ARREARS), name="Other")
    mine = RequestType.objects.create(case_type=case_type, name="Repairs")
    foreign_subtype = RequestSubtype.objects.create(request_type=other, name="Elsewhere")
    with pytest.raises(errors.ValidationError) as refused:
        case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory(), request_type=other)
    assert "request_type" in refused.value.fields
    with pytest.raises(errors.ValidationError) as refused:
        case_services.case_create(
            actor=caseworker,
            case_type=case_type,
            contact=ContactFactory(),
            request_type=mine,
            request_subtype=foreign_subtype,
        )
    assert "request_subtype" in refused.value.fields
    assert not Case.objects.exists()


def test_applicants_cannot_open_staff_cases(applicant):
    with pytest.raises(errors.PermissionDenied):
        case_services.case_create(
            actor=applicant, case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), contact=ContactFactory()
        )


def test_a_failed_create_leaves_a_gap_not_a_reused_number(caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    first = case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory())
    with pytest.raises(errors.ValidationError):
        case_services.case_create(
            actor=caseworker,
            case_type=case_type,
            contact=ContactFactory(),
            owner=caseworker,
            owner_queue=QueueFactory(),
        )
    second = case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory())
    assert int(second.number[-6:]) > int(first.number[-6:])


# --- editing --------------------------------------------------------------------------------------


def test_the_case_type_cannot_be_changed(caseworker):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT))
    with pytest.raises(errors.Conflict, match="case type cannot be changed"):
        case_services.case_update(actor=caseworker, case=case, case_type=CaseTypeFactory(workflow=Workflow.ARREARS))
    case.refresh_from_db()
    assert case.case_type.workflow == Workflow.SUPPORT


def test_the_database_refuses_a_type_change_too(caseworker):
    from django.db import DatabaseError, transaction

    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT))
    with pytest.raises(DatabaseError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(case_type=CaseTypeFactory(workflow=Workflow.ARREARS))


def test_changing_the_tenancy_moves_the_contact_and_address(caseworker):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.ARREARS), tenancy=TenancyFactory())
    new_tenancy = TenancyFactory()
    case = case_services.case_update(actor=caseworker, case=case, tenancy=new_tenancy)
    case.refresh_from_db()
    assert case.contact == new_tenancy.household.members.get(is_head=True).contact
    assert case.property == new_tenancy.property
    assert case.activities.filter(kind=CaseActivity.Kind.UPDATED).exists()


# --- submitting and matching ---------------------------------------------------------------------------


def test_only_the_applicant_submits(caseworker, tenant_user):
    case = tenant_case(applicant=tenant_user)
    with pytest.raises(errors.PermissionDenied, match="staff cannot move a case out of draft"):
        case_services.case_submit(actor=caseworker, case=case, signed_name="Casey Worker")
    case.refresh_from_db()
    assert case.status == "draft"
    case_services.case_submit(actor=tenant_user, case=case, signed_name="Tina Tenant")
    case.refresh_from_db()
    assert (case.status, case.signed_name) == ("application_match", "Tina Tenant")


def test_staff_cannot_move_draft_or_application_match_on_by_hand(caseworker):
    for status in ("draft", "application_match"):
        case = tenant_case(status=status)
        for move in ("submit", "match", "refer_to_case_manager"):
            with pytest.raises((errors.ValidationError, errors.TransitionNotAllowed)):
                case_services.case_transition(actor=caseworker, case=case, transition=move)
        case.refresh_from_db()
        assert case.status == status


def test_submitting_matches_a_waiting_landlord_by_the_tenants_code(tenant_user, landlord_user, received):
    tenant = tenant_case(applicant=tenant_user)
    landlord = landlord_case(applicant=landlord_user, claimed_application_code=tenant.application_code)
    case_services.case_submit(actor=landlord_user, case=landlord, signed_name="Larry Lord")
    landlord.refresh_from_db()
    assert (landlord.status, landlord.parent) == ("application_match", None)  # tenant still in draft

    case_services.case_submit(actor=tenant_user, case=tenant, signed_name="Tina Tenant")
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status, landlord.parent) == ("chaser", "chaser", tenant)
    assert [(c["case"].pk, c["to_status"]) for c in received][-2:] == [(landlord.pk, "chaser"), (tenant.pk, "chaser")]


def test_a_tenant_quoting_the_code_of_a_landlord_who_applied_first_is_matched(tenant_user, landlord_user):
    landlord = landlord_case(applicant=landlord_user)
    assert landlord.application_code  # both sides have a code to give the other
    case_services.case_submit(actor=landlord_user, case=landlord, signed_name="Larry Lord")
    tenant = case_services.application_start(
        actor=tenant_user,
        case_type=tenant_case().case_type,
        claimed_application_code=landlord.application_code.lower(),
    )
    assert tenant.claimed_application_code == landlord.application_code

    case_services.case_submit(actor=tenant_user, case=tenant, signed_name="Tina Tenant")
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status, landlord.parent) == ("chaser", "chaser", tenant)


def test_a_landlord_submitting_after_the_tenant_quoted_their_code_is_matched(tenant_user, landlord_user):
    landlord = landlord_case(applicant=landlord_user)
    tenant = tenant_case(applicant=tenant_user, claimed_application_code=landlord.application_code)
    case_services.case_submit(actor=tenant_user, case=tenant, signed_name="Tina Tenant")
    case_services.case_submit(actor=landlord_user, case=landlord, signed_name="Larry Lord")
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status, landlord.parent) == ("chaser", "chaser", tenant)


@pytest.mark.parametrize("whose", ["unknown", "same side", "closed"])
def test_starting_with_a_code_that_is_not_an_open_application_of_the_other_side_is_refused(tenant_user, whose):
    other = {
        "unknown": None,
        "same side": tenant_case(),
        "closed": landlord_case(status="closed", closure_stage="withdrawn"),
    }[whose]
    code = other.application_code if other else "ABCD-EFGH"
    with pytest.raises(errors.ValidationError) as refused:
        case_services.application_start(
            actor=tenant_user, case_type=tenant_case().case_type, claimed_application_code=code
        )
    assert f"There is no open application with the code {code}" in str(refused.value.fields)
    assert not Case.objects.filter(applicant=tenant_user).exists()


@pytest.mark.parametrize("tenant_status", ["draft", "chaser", "case_manager", "payment"])
def test_matching_needs_both_in_application_match(caseworker, tenant_status):
    tenant = tenant_case(status=tenant_status)
    landlord = landlord_case(status="application_match")
    with pytest.raises(errors.TransitionNotAllowed, match="both are in Application match"):
        case_services.case_match(actor=caseworker, tenant_case=tenant, landlord_case=landlord)
    landlord.refresh_from_db()
    assert (landlord.status, landlord.parent) == ("application_match", None)


@pytest.mark.parametrize("landlord_status", ["draft", "chaser", "reviewer"])
def test_matching_refuses_a_landlord_case_not_in_application_match(caseworker, landlord_status):
    tenant = tenant_case(status="application_match")
    landlord = landlord_case(status=landlord_status)
    with pytest.raises(errors.TransitionNotAllowed):
        case_services.case_match(actor=caseworker, tenant_case=tenant, landlord_case=landlord)
    tenant.refresh_from_db()
    assert tenant.status == "application_match"


def test_extra_landlord_cases_are_closed_as_duplicates_and_unlinked(caseworker):
    tenant = tenant_case(status="application_match")
    linked_extra = landlord_case(status="application_match", parent=tenant)
    code_extra = landlord_case(status="draft", claimed_application_code=tenant.application_code)
    chosen = landlord_case(status="application_match")
    case_services.case_match(actor=caseworker, tenant_case=tenant, landlord_case=chosen)
    for extra in (linked_extra, code_extra):
        extra.refresh_from_db()
        assert (extra.status, extra.closure_stage, extra.parent) == ("closed", "duplicate", None)
    chosen.refresh_from_db()
    assert (chosen.status, chosen.parent) == ("chaser", tenant)
    assert list(tenant.children.exclude(status="closed")) == [chosen]


def test_only_tenant_and_landlord_cases_are_matched(caseworker):
    tenant = tenant_case(status="application_match")
    with pytest.raises(errors.ValidationError):
        case_services.case_match(
            actor=caseworker, tenant_case=tenant, landlord_case=tenant_case(status="application_match")
        )


# --- sending back, landlord activity, withdrawing ---------------------------------------------------


@pytest.fixture
def matched_pair(tenant_user, landlord_user):
    tenant = tenant_case(applicant=tenant_user, status="chaser")
    landlord = landlord_case(applicant=landlord_user, status="chaser", parent=tenant)
    return tenant, landlord


def test_sending_the_tenant_case_back_returns_the_landlord_case_to_application_match(
    caseworker, matched_pair, tenant_user
):
    tenant, landlord = matched_pair
    case_services.case_send_back_to_draft(actor=caseworker, case=tenant, reason="Payslips missing")
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status, landlord.parent) == ("draft", "application_match", tenant)
    notice = Notification.objects.get(recipient=tenant_user)
    assert "Payslips missing" in notice.message
    change = tenant.activities.get(kind=CaseActivity.Kind.STATUS_CHANGED)
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        "chaser",
        "draft",
        caseworker,
        "Payslips missing",
    )
    # The tenant resubmits: the pair is matched again at once.
    case_services.case_submit(actor=tenant_user, case=tenant, signed_name="Tina Tenant")
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status) == ("chaser", "chaser")


def test_sending_the_landlord_case_back_returns_the_tenant_case_to_application_match(caseworker, matched_pair):
    tenant, landlord = matched_pair
    case_services.case_send_back_to_draft(actor=caseworker, case=landlord, reason="W-9 missing")
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status) == ("application_match", "draft")


def test_sending_back_needs_a_reason(caseworker, matched_pair):
    tenant, _ = matched_pair
    with pytest.raises(errors.ValidationError):
        case_services.case_send_back_to_draft(actor=caseworker, case=tenant, reason="  ")
    tenant.refresh_from_db()
    assert tenant.status == "chaser"


def test_the_landlord_case_follows_the_tenant_case(caseworker, matched_pair):
    tenant, landlord = matched_pair
    for move in ("refer_to_case_manager", "refer_to_reviewer", "approve_for_payment"):
        case_services.case_transition(actor=caseworker, case=tenant, transition=move)
    landlord.refresh_from_db()
    assert landlord.status == "payment"
    with pytest.raises(errors.Conflict, match="work the tenant case"):
        case_services.case_transition(actor=caseworker, case=landlord, transition="refer_to_case_manager")


def test_landlord_activity_after_payment_never_returns_the_case_to_chaser(landlord_user, tenant_user):
    tenant = tenant_case(applicant=tenant_user, status="payment")
    landlord = landlord_case(applicant=landlord_user, status="payment", parent=tenant)
    with pytest.raises(errors.TransitionNotAllowed):
        case_services.case_submit(actor=landlord_user, case=landlord, signed_name="Larry Lord")
    with pytest.raises(errors.TransitionNotAllowed):
        case_services.case_withdraw(actor=landlord_user, case=landlord)
    tenant.refresh_from_db()
    landlord.refresh_from_db()
    assert (tenant.status, landlord.status) == ("payment", "payment")


@pytest.mark.parametrize("status", ["draft", "application_match", "chaser", "case_manager", "reviewer"])
def test_the_tenant_can_withdraw_until_payment(tenant_user, status):
    case = tenant_case(applicant=tenant_user, status=status)
    case_services.case_withdraw(actor=tenant_user, case=case)
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == ("closed", "withdrawn")


def test_withdrawing_in_payment_is_refused(tenant_user):
    case = tenant_case(applicant=tenant_user, status="payment")
    with pytest.raises(errors.TransitionNotAllowed):
        case_services.case_withdraw(actor=tenant_user, case=case)


def test_someone_elses_application_cannot_be_withdrawn(tenant_user):
    other = user_create(actor=None, email="other@test.example", kind=User.Kind.TENANT)
    case = tenant_case(applicant=tenant_user)
    with pytest.raises(errors.PermissionDenied):
        case_services.case_withdraw(actor=other, case=case)


def test_a_withdrawn_tenant_application_takes_its_landlord_application_with_it(tenant_user, matched_pair):
    tenant, landlord = matched_pair
    case_services.case_withdraw(actor=tenant_user, case=tenant)
    landlord.refresh_from_db()
    assert (landlord.status, landlord.closure_stage) == ("closed", "withdrawn")


# --- appeals -----------------------------------------------------------------------------------------


@pytest.fixture
def appeals_team(make_staff):
    team = TeamFactory(code="appeals", name="Appeals")
    reviewer = make_staff(email="appeals@test.example")
    team_member(team, reviewer)
    CaseTypeFactory(workflow=Workflow.APPEAL)
    return team, reviewer


def test_a_denial_can_be_appealed_once(tenant_user, appeals_team):
    team, reviewer = appeals_team
    denied = tenant_case(applicant=tenant_user, status="closed", closure_stage="denied")
    appeal = case_services.case_appeal(actor=tenant_user, case=denied, grounds="My income was misread")
    assert (appeal.workflow, appeal.status, appeal.parent, appeal.applicant) == (
        "appeal",
        "lodged",
        denied,
        tenant_user,
    )
    task = Task.objects.get(case=appeal)
    assert (task.kind, task.assignee_team, task.status) == ("appeal_review", team, "open")
    assert Notification.objects.filter(recipient=reviewer, task=task).exists()

    with pytest.raises(errors.Conflict, match="can be appealed once"):
        case_services.case_appeal(actor=tenant_user, case=denied, grounds="Again")
    assert Case.objects.filter(workflow="appeal").count() == 1


@pytest.mark.parametrize(("status", "stage"), [("closed", "withdrawn"), ("closed", "paid"), ("reviewer", "")])
def test_only_denials_are_appealed(tenant_user, appeals_team, status, stage):
    case = tenant_case(applicant=tenant_user, status=status, closure_stage=stage)
    with pytest.raises(errors.Conflict, match="Only a denied application"):
        case_services.case_appeal(actor=tenant_user, case=case, grounds="Please")
    assert not Case.objects.filter(workflow="appeal").exists()


def test_an_overturned_appeal_reopens_the_original_decision(caseworker, tenant_user, appeals_team):
    denied = tenant_case(applicant=tenant_user, status="reviewer")
    case_services.case_transition(actor=caseworker, case=denied, transition="deny", reason="Over income")
    appeal = case_services.case_appeal(actor=tenant_user, case=denied, grounds="Income was misread")
    case_services.appeal_decide(actor=caseworker, appeal=appeal, overturn=True, reason="Income recalculated")
    appeal.refresh_from_db()
    denied.refresh_from_db()
    assert (appeal.status, appeal.closure_stage) == ("closed", "overturned")
    assert (denied.status, denied.closure_stage) == ("reviewer", "")


# --- closed cases ---------------------------------------------------------------------------------------


def test_a_closed_case_is_read_only_for_caseworkers(caseworker):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="closed")
    attempts = [
        lambda: case_services.case_update(actor=caseworker, case=case, description="edited"),
        lambda: case_services.case_flag_fraud(actor=caseworker, case=case, suspected=True, reason="Odd"),
        lambda: case_services.case_owner_set(actor=caseworker, case=case, owner=caseworker),
        lambda: case_services.case_transition(actor=caseworker, case=case, transition="resolve", reason="x"),
    ]
    for attempt in attempts:
        with pytest.raises(errors.Conflict, match="is closed"):
            attempt()
    case.refresh_from_db()
    assert (case.description, case.suspected_fraud, case.owner) == ("Test case", False, None)


def test_only_a_supervisor_reopens_and_with_a_reason(caseworker, supervisor):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="in_progress")
    case_services.case_transition(actor=caseworker, case=case, transition="resolve", reason="Done")
    with pytest.raises(errors.PermissionDenied):
        case_services.case_reopen(actor=caseworker, case=case, reason="More to do")
    with pytest.raises(errors.ValidationError):
        case_services.case_reopen(actor=supervisor, case=case, reason="")
    case_services.case_reopen(actor=supervisor, case=case, reason="Tenant called back")
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == ("in_progress", "")


def test_closing_needs_a_reason_and_is_audited(caseworker):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="in_progress")
    with pytest.raises(errors.ValidationError):
        case_services.case_transition(actor=caseworker, case=case, transition="resolve")
    case_services.case_transition(actor=caseworker, case=case, transition="resolve", reason="Fixed")
    event = events_for(case).get(pgh_context__action="case_resolve")
    assert event.pgh_context["user"] == caseworker.pk
    assert (event.pgh_data["status"], event.pgh_data["closure_stage"]) == ("closed", "resolved")


def test_the_fraud_flag_is_a_flag_not_a_closure(caseworker):
    case = tenant_case(status="reviewer")
    case_services.case_flag_fraud(actor=caseworker, case=case, suspected=True, reason="Duplicate bank details")
    case.refresh_from_db()
    assert (case.suspected_fraud, case.status) == (True, "reviewer")


# --- owners ----------------------------------------------------------------------------------------------


def test_owner_is_a_person_or_a_queue(caseworker):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), owner=caseworker)
    queue = QueueFactory()
    case_services.case_owner_set(actor=caseworker, case=case, queue=queue)
    case.refresh_from_db()
    assert (case.owner, case.owner_queue) == (None, queue)
    with pytest.raises(errors.ValidationError):
        case_services.case_owner_set(actor=caseworker, case=case, owner=caseworker, queue=queue)
