"""Demo cases: case types with their picklists, teams and queues, and cases of every type on every
chevron, each put there through the real services (so every case has an honest timeline), with
some notes, @mentions, tasks and reviews on them. Run by casework.demo.seed after the people and
places exist; a second run creates nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from casework.models import (
    AdviceStatement,
    Case,
    CaseType,
    EnquiryForm,
    EnquiryQuestion,
    PathStep,
    Queue,
    ReferralReason,
    ReferralSubtype,
    RequestSubtype,
    RequestType,
    SlaRule,
    SlaRung,
    Team,
    TeamMembership,
    Tenancy,
    Workflow,
    WorkflowPath,
)
from casework.services import cases as case_services
from casework.services import clocks as clock_services
from casework.services import notes as note_services
from casework.services import paths as path_services
from casework.services import reviews as review_services
from casework.services import tasks as task_services
from core.models import User
from core.seeding import DemoContext

# code, name, workflow, prefix, {request type: [subtypes]}
CASE_TYPES = [
    (
        "raft-tenant",
        "Rental assistance: tenant application",
        Workflow.RENTAL_TENANT,
        "RAFT",
        {"Rent arrears": ["Arrears only", "Arrears and future rent"], "Moving costs": ["First month and deposit"]},
    ),
    ("raft-landlord", "Rental assistance: landlord application", Workflow.RENTAL_LANDLORD, "RAFL", {}),
    ("appeal", "Appeal", Workflow.APPEAL, "APL", {}),
    ("arrears", "Rent arrears", Workflow.ARREARS, "ARR", {"Arrears recovery": ["Current tenant", "Former tenant"]}),
    (
        "housing-options",
        "Housing options enquiry",
        Workflow.HOUSING_OPTIONS,
        "HOP",
        {
            "Threatened with homelessness": ["Notice from private landlord", "Family or friends asking to leave"],
            "Housing register": ["New application", "Change of circumstances"],
        },
    ),
    (
        "support",
        "Support referral",
        Workflow.SUPPORT,
        "SUP",
        {"Repairs": ["Damp and mould", "Heating and hot water"], "Tenancy sustainment": ["Budgeting", "Hoarding"]},
    ),
    ("rent-statement", "Rent statement (automated)", Workflow.AUTOMATED, "AUTO", {}),
]

# code, name, members, queues, {referral reason: [subtypes]}
TEAMS = [
    (
        "back-office",
        "Back office",
        ["caseworker@demo.example"],
        [("back-office-queue", "Back-office queue")],
        {"Contract change": ["Restore a tenancy", "Change of details"], "Payment query": ["Refund"]},
    ),
    ("appeals", "Appeals", ["supervisor@demo.example", "reviewer@demo.example"], [], {}),
    (
        "rents",
        "Rents",
        ["rents@demo.example"],
        [("rents-queue", "Rents queue")],
        {"Arrears advice": ["Arrangement request"]},
    ),
    (
        "housing-options",
        "Housing options",
        ["options@demo.example"],
        [("options-queue", "Housing options queue")],
        {"Homelessness prevention": ["Private rented sector offer"]},
    ),
]

# The chevron moves (staff transitions) that take a new case of each workflow to each status.
PATHS: dict[str, dict[str, list[str]]] = {
    Workflow.ARREARS: {
        "early_action": [],
        "arrangement": ["agree_arrangement"],
        "notice_served": ["serve_notice"],
        "court": ["serve_notice", "refer_to_court"],
        "eviction": ["serve_notice", "refer_to_court", "schedule_eviction"],
        "closed": ["agree_arrangement", "resolve"],
    },
    Workflow.HOUSING_OPTIONS: {
        "enquiry": [],
        "assessment": ["assess"],
        "action_plan": ["assess", "agree_housing_plan"],
        "closed": ["assess", "resolve"],
    },
    Workflow.SUPPORT: {
        "triage": [],
        "in_progress": ["start_work"],
        "on_hold": ["start_work", "put_on_hold"],
        "closed": ["start_work", "resolve"],
    },
    Workflow.AUTOMATED: {"open": [], "closed": ["resolve"]},
}
RENTAL_STAFF_PATH = ["refer_to_case_manager", "refer_to_reviewer", "approve_for_payment"]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _seed_configuration(ctx: DemoContext) -> dict[str, CaseType]:
    types = {}
    for code, name, workflow, prefix, picklists in CASE_TYPES:
        case_type, created = CaseType.objects.get_or_create(
            code=code, defaults={"name": name, "workflow": workflow, "number_prefix": prefix}
        )
        if created:
            ctx.created("case type")
        for request_name, subtypes in picklists.items():
            request_type, _ = RequestType.objects.get_or_create(case_type=case_type, name=request_name)
            for subtype in subtypes:
                RequestSubtype.objects.get_or_create(request_type=request_type, name=subtype)
        types[code] = case_type
    for code, name, members, queues, reasons in TEAMS:
        team, created = Team.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            ctx.created("team")
        for email in members:
            TeamMembership.objects.get_or_create(team=team, user=_user(email))
        for queue_code, queue_name in queues:
            Queue.objects.get_or_create(code=queue_code, defaults={"team": team, "name": queue_name})
        for reason_name, subtypes in reasons.items():
            reason, _ = ReferralReason.objects.get_or_create(team=team, name=reason_name)
            for subtype in subtypes:
                ReferralSubtype.objects.get_or_create(reason=reason, name=subtype)
    # The supervisor leads every team: SLA escalations for "the team leads" reach them.
    supervisor = _user("supervisor@demo.example")
    for team in Team.objects.all():
        TeamMembership.objects.update_or_create(team=team, user=supervisor, defaults={"is_lead": True})
    _seed_slas(ctx, types)
    _seed_housing_options(ctx, types)
    return types


# case type, name, chevron ("" the whole case), target in working days, pause chevrons, amber
# (working days before), what the target exceeded does
SLAS = [
    (
        "raft-tenant",
        "Chase within 5 working days",
        "chaser",
        5,
        [],
        1,
        {"notify_team_leads": True, "raise_priority": True},
    ),
    (
        "support",
        "Resolve within 10 working days",
        "",
        10,
        ["on_hold"],
        2,
        {"notify_team_leads": True, "add_escalation_skill": True},
    ),
    ("housing-options", "Assess within 2 working days", "enquiry", 2, [], 1, {"notify_team_leads": True}),
]


def _seed_housing_options(ctx: DemoContext, types: dict[str, CaseType]) -> None:
    """A homelessness enquiry form (three questions), its advice, and the assessment path its
    cases start on."""
    options = types.get("housing-options")
    if options is None or EnquiryForm.objects.filter(name="Homelessness enquiry").exists():
        return
    path = WorkflowPath.objects.create(case_type=options, name="Housing options assessment", starts_automatically=False)
    PathStep.objects.create(
        path=path,
        position=1,
        name="Assess",
        kind="task",
        task_subject="Assess the household's housing options",
        due_in_days=2,
        checklist="Confirm identity\nAsk where they slept last night\nAsk about income and debts",
    )
    PathStep.objects.create(
        path=path,
        position=2,
        name="Urgent?",
        kind="decision",
        branches="priority = urgent -> Same-day call\nelse -> Plan",
    )
    PathStep.objects.create(path=path, position=3, name="Same-day call", kind="task", task_subject="Call back today")
    PathStep.objects.create(
        path=path, position=4, name="Plan", kind="task", task_subject="Agree a personal housing plan", due_in_days=10
    )
    path_services.path_publish(path=path)
    form = EnquiryForm.objects.create(
        case_type=options,
        name="Homelessness enquiry",
        intro="Here is the advice we talked about. Keep it with your papers.",
        path=path,
    )
    questions = [
        ("homeless_tonight", "Do you have somewhere safe to sleep tonight?", "yes_no", ""),
        ("children", "How many children live with you?", "number", ""),
        ("tenure", "Where do you live now?", "choice", "Private rented\nSocial housing\nWith family or friends"),
    ]
    for position, (key, text, kind, options_text) in enumerate(questions, start=1):
        EnquiryQuestion.objects.create(
            form=form, position=position, key=key, text=text, kind=kind, options=options_text
        )
    statements = [
        (None, "How we can help", "We will assess your situation and agree a plan with you.", ""),
        (
            form,
            "Somewhere to stay tonight",
            "Call us before 5pm, or the out-of-hours line after.",
            "homeless_tonight = no",
        ),
        (
            form,
            "Families with children",
            "You may be in priority need. Tell us about any school moves.",
            "children > 0",
        ),
        (
            form,
            "Notices from a private landlord",
            "Bring any notice you were given: it may not be valid.",
            "tenure = Private rented",
        ),
    ]
    for position, (owner, title, body, condition) in enumerate(statements):
        AdviceStatement.objects.create(form=owner, position=position, title=title, body=body, condition=condition)
    ctx.created("enquiry form")


def _seed_slas(ctx: DemoContext, types: dict[str, CaseType]) -> None:
    """The rental timeouts, and an SLA on three programmes (amber tells the owner; exceeded tells
    the leads and more; a follow-on 2 working days later tells the owner again)."""
    for case_type in types.values():
        if clock_services.timeout_rules_install(case_type):
            ctx.created("timeout rule", 2)
    for code, name, status, days, pauses, amber, exceeded in SLAS:
        if code not in types:
            continue
        rule, created = SlaRule.objects.get_or_create(
            case_type=types[code],
            name=name,
            defaults={"status": status, "target_amount": days, "target_unit": "working_days", "pause_statuses": pauses},
        )
        if not created:
            continue
        ctx.created("SLA rule")
        SlaRung.objects.create(
            rule=rule, kind="amber", offset_amount=amber, offset_unit="working_days", notify_owner=True
        )
        SlaRung.objects.create(rule=rule, kind="exceeded", **exceeded)
        SlaRung.objects.create(
            rule=rule, kind="follow_on", offset_amount=2, offset_unit="working_days", notify_owner=True
        )


def _rental_pair(types, tenant_user: User, landlord_user: User, contact, status: str) -> Case:
    """A tenant application (with its landlord application once past application match) at `status`."""
    chaser, reviewer = _user("chaser@demo.example"), _user("reviewer@demo.example")
    tenant = case_services.application_start(
        actor=tenant_user, case_type=types["raft-tenant"], contact=contact, description="Help with rent arrears"
    )
    if status == "draft":
        return tenant
    case_services.case_submit(actor=tenant_user, case=tenant, signed_name=tenant_user.get_full_name())
    if status == "application_match":
        return tenant
    landlord = case_services.application_start(
        actor=landlord_user,
        case_type=types["raft-landlord"],
        description="Landlord application",
        claimed_application_code=tenant.application_code,
    )
    case_services.case_submit(actor=landlord_user, case=landlord, signed_name=landlord_user.get_full_name())
    tenant.refresh_from_db()
    steps = {"chaser": 0, "case_manager": 1, "reviewer": 2, "payment": 3}.get(status, 2)
    for move in RENTAL_STAFF_PATH[:steps]:
        case_services.case_transition(actor=chaser, case=tenant, transition=move)
    if status == "denied":
        case_services.case_transition(
            actor=reviewer, case=tenant, transition="deny", reason="Household income over the limit"
        )
    tenant.refresh_from_db()
    return tenant


def seed(ctx: DemoContext) -> None:
    types = _seed_configuration(ctx)
    if Case.objects.exists():
        return
    tenancies = list(Tenancy.objects.filter(status=Tenancy.Status.ACTIVE).select_related("household").order_by("pk"))
    heads = [t.household.members.get(is_head=True).contact for t in tenancies]
    tenant_user, landlord_user = _user("tenant@demo.example"), _user("landlord@demo.example")
    chaser, manager = _user("chaser@demo.example"), _user("casemanager@demo.example")
    supervisor = _user("supervisor@demo.example")

    # Rental assistance: a pair on every chevron, and a denied application under appeal.
    pairs = [
        _rental_pair(types, tenant_user, landlord_user, heads[i], status)
        for i, status in enumerate(["draft", "application_match", "chaser", "case_manager", "reviewer", "payment"])
    ]
    # Landlord applications on their own: one not yet submitted, one waiting for its tenant (in draft).
    case_services.application_start(actor=landlord_user, case_type=types["raft-landlord"], description="Started")
    waiting = case_services.application_start(
        actor=landlord_user,
        case_type=types["raft-landlord"],
        description="Waiting for the tenant to submit",
        claimed_application_code=pairs[0].application_code,
    )
    case_services.case_submit(actor=landlord_user, case=waiting, signed_name=landlord_user.get_full_name())
    withdrawn = _rental_pair(types, tenant_user, landlord_user, heads[6], "application_match")
    case_services.case_withdraw(actor=tenant_user, case=withdrawn, reason="Found the money")
    for index, outcome in ((7, None), (8, "lodged"), (9, "upheld")):
        denied = _rental_pair(types, tenant_user, landlord_user, heads[index], "denied")
        if outcome is None:
            continue
        appeal = case_services.case_appeal(actor=tenant_user, case=denied, grounds="My overtime was counted twice")
        if outcome == "upheld":
            case_services.appeal_decide(actor=supervisor, appeal=appeal, overturn=False, reason="Income confirmed")
    under_review = _rental_pair(types, tenant_user, landlord_user, heads[10], "denied")
    appeal = case_services.case_appeal(actor=tenant_user, case=under_review, grounds="Wrong household size")
    case_services.case_transition(actor=supervisor, case=appeal, transition="start_review")

    # The other workflows: a case on every chevron, opened by a caseworker through the service.
    owners = {
        Workflow.ARREARS: _user("rents@demo.example"),
        Workflow.HOUSING_OPTIONS: _user("options@demo.example"),
        Workflow.SUPPORT: _user("caseworker@demo.example"),
        Workflow.AUTOMATED: None,
    }
    type_for = {t.workflow: t for t in types.values()}
    cursor = 11
    for workflow, paths in PATHS.items():
        for status, moves in paths.items():
            tenancy = tenancies[cursor % len(tenancies)]
            cursor += 1
            actor = owners[workflow]
            case = case_services.case_create(
                actor=actor,
                case_type=type_for[workflow],
                tenancy=tenancy,
                description=f"{type_for[workflow].name} ({Case.Status(status).label.lower()})",
                acknowledge_existing=True,
            )
            for move in moves:
                spec = case_services.STAFF_TRANSITIONS[move]
                case_services.case_transition(
                    actor=actor, case=case, transition=move, reason="Demo: done" if spec.needs_reason else ""
                )

    # Some everyday work on the chaser's case: a note with a mention, a task, a review.
    working = Case.objects.filter(workflow=Workflow.RENTAL_TENANT, status="chaser").first()
    note_services.note_add(
        actor=chaser, case=working, body="Landlord ledger received. @casemanager can you check the arrears figure?"
    )
    task_services.task_create(
        actor=chaser,
        case=working,
        subject="Call the tenant about the missing payslip",
        assignee=chaser,
        due_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    review_services.case_review_log(
        actor=manager,
        case=working,
        comment="Current Status: documents in\nPending Action Items: payslip\nPending Action Owner: chaser",
    )
    ctx.created("case", Case.objects.count())
