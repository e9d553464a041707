"""Cases, their types and their chevron state machines; teams and the work queues that can own a
case. Fields, constraints and transitions only: every write goes through casework.services.cases,
which locks the row, checks who is acting, calls one transition and records it on the feed.

One `status` field serves every workflow. Each workflow (the case type's `workflow`, copied onto
the case and never changed) has its own chevrons; the transitions below name their sources, so a
transition of one workflow can never fire on a case of another (see WORKFLOWS for the chevron
order each one shows).
"""

from __future__ import annotations

import builtins
import secrets
from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connection, models
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.models.people import Contact, Property, Tenancy
from core.models import Stamped

CASE_NUMBER_SEQUENCE = "casework_case_number_seq"


class Workflow(models.TextChoices):
    """Which state machine a case follows. Fixed by the case type."""

    RENTAL_TENANT = "rental_tenant", "Rental assistance: tenant application"
    RENTAL_LANDLORD = "rental_landlord", "Rental assistance: landlord application"
    APPEAL = "appeal", "Appeal"
    ARREARS = "arrears", "Arrears"
    HOUSING_OPTIONS = "housing_options", "Housing options"
    SUPPORT = "support", "Support referral"
    AUTOMATED = "automated", "Automated (no human step)"


RENTAL_WORKFLOWS = (Workflow.RENTAL_TENANT, Workflow.RENTAL_LANDLORD)


class Status(models.TextChoices):
    # Rental assistance (tenant and landlord applications)
    DRAFT = "draft", "Draft"
    APPLICATION_MATCH = "application_match", "Application match"
    CHASER = "chaser", "Chaser"
    CASE_MANAGER = "case_manager", "Case manager"
    REVIEWER = "reviewer", "Reviewer"
    PAYMENT = "payment", "Payment"
    # Appeal
    LODGED = "lodged", "Lodged"
    UNDER_REVIEW = "under_review", "Under review"
    # Arrears
    EARLY_ACTION = "early_action", "Early action"
    ARRANGEMENT = "arrangement", "Arrangement"
    NOTICE_SERVED = "notice_served", "Notice served"
    COURT = "court", "Court"
    EVICTION = "eviction", "Eviction"
    # Housing options
    ENQUIRY = "enquiry", "Enquiry"
    ASSESSMENT = "assessment", "Assessment"
    ACTION_PLAN = "action_plan", "Personal housing plan"
    # Support referral
    TRIAGE = "triage", "Triage"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold"
    # Automated
    OPEN = "open", "Open"
    # Every workflow
    CLOSED = "closed", "Closed"


S = Status

# The chevrons each workflow shows, in order. The first is where a new case starts.
WORKFLOWS: dict[str, tuple[str, ...]] = {
    Workflow.RENTAL_TENANT: (S.DRAFT, S.APPLICATION_MATCH, S.CHASER, S.CASE_MANAGER, S.REVIEWER, S.PAYMENT, S.CLOSED),
    Workflow.RENTAL_LANDLORD: (S.DRAFT, S.APPLICATION_MATCH, S.CHASER, S.CASE_MANAGER, S.REVIEWER, S.PAYMENT, S.CLOSED),
    Workflow.APPEAL: (S.LODGED, S.UNDER_REVIEW, S.CLOSED),
    Workflow.ARREARS: (S.EARLY_ACTION, S.ARRANGEMENT, S.NOTICE_SERVED, S.COURT, S.EVICTION, S.CLOSED),
    Workflow.HOUSING_OPTIONS: (S.ENQUIRY, S.ASSESSMENT, S.ACTION_PLAN, S.CLOSED),
    Workflow.SUPPORT: (S.TRIAGE, S.IN_PROGRESS, S.ON_HOLD, S.CLOSED),
    Workflow.AUTOMATED: (S.OPEN, S.CLOSED),
}

RENTAL_OPEN = (S.DRAFT, S.APPLICATION_MATCH, S.CHASER, S.CASE_MANAGER, S.REVIEWER, S.PAYMENT)
# A tenant may withdraw until the case has been approved for payment.
WITHDRAWABLE = (S.DRAFT, S.APPLICATION_MATCH, S.CHASER, S.CASE_MANAGER, S.REVIEWER)
ARREARS_OPEN = (S.EARLY_ACTION, S.ARRANGEMENT, S.NOTICE_SERVED, S.COURT, S.EVICTION)
OTHER_OPEN = (S.ENQUIRY, S.ASSESSMENT, S.ACTION_PLAN, S.TRIAGE, S.IN_PROGRESS, S.ON_HOLD, S.OPEN, *ARREARS_OPEN)


class ClosureStage(models.TextChoices):
    """Why a case closed. Suspected fraud is deliberately absent: it is a flag on an open or
    closed case (Case.suspected_fraud), never a reason for closing."""

    PAID = "paid", "Paid"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DUPLICATE = "duplicate", "Duplicate"
    TIMED_OUT = "timed_out", "Timed out"
    INELIGIBLE = "ineligible", "Ineligible"
    RESOLVED = "resolved", "Resolved"
    UPHELD = "upheld", "Appeal upheld (decision stands)"
    OVERTURNED = "overturned", "Appeal overturned (decision reversed)"


class Priority(models.TextChoices):
    NORMAL = "normal", "Normal"
    URGENT = "urgent", "Urgent"


class Source(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    WALK_IN = "walk_in", "Walk-in"
    LETTER = "letter", "Letter"
    SYSTEM = "system", "System"


@pghistory.track()
class Team(Stamped):
    """A team of staff (back office, appeals, rents). Referrals go to a team; its queues hold work."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="Where the team's shared notifications go.")
    calendar = models.ForeignKey(
        "casework.Calendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text="The working time this team's cases are timed on; empty: the case type's, else the default.",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    is_lead = models.BooleanField(default=False, help_text="Team leads are told when the team's cases escalate.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="casework_team_member_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


@pghistory.track()
class Queue(Stamped):
    """A team's work queue. A case owned by a queue waits there until someone in the team takes it."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="queues")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["team__name", "name"]

    def __str__(self) -> str:
        return self.name


_PREFIX = RegexValidator(r"^[A-Z]{2,8}$", "Use 2 to 8 capital letters, e.g. RAFT.")


@pghistory.track()
class CaseType(Stamped):
    """A kind of case, configured by supervisors: its name, number prefix and workflow. The
    workflow cannot change once a case of the type exists (see casework.services.cases)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    workflow = models.CharField(max_length=20, choices=Workflow.choices)
    number_prefix = models.CharField(
        max_length=8, validators=[_PREFIX], help_text="Case numbers read PREFIX-YEAR-000123."
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Inactive types keep their cases but take no new ones.")
    calendar = models.ForeignKey(
        "casework.Calendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_types",
        help_text="The programme's working time for its cases' clocks (unless their team has its own).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(workflow__in=Workflow.values), name="casework_casetype_workflow_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class RequestType(models.Model):
    """A case type's "customer request type" picklist entry (the primary reason for the case)."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="request_types")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_type_id", "name"]
        constraints = [models.UniqueConstraint(fields=["case_type", "name"], name="casework_request_type_unique")]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class RequestSubtype(models.Model):
    """The secondary reason, within a request type."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="subtypes")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["request_type_id", "name"]
        constraints = [models.UniqueConstraint(fields=["request_type", "name"], name="casework_request_subtype_unique")]

    def __str__(self) -> str:
        return self.name


def application_code_new() -> str:
    """A code one side of a rental application gives the other (the tenant to their landlord, or a
    landlord who applied first to their tenant) so the two applications can be matched: short,
    unambiguous when read aloud (no 0/O or 1/I), and unguessable enough not to be enumerated."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def transition_sources(name: str) -> list[str]:
    """The chevrons the Case transition `name` can leave from (read from its declaration)."""
    meta = getattr(getattr(Case, name, None), "_django_fsm", None)
    return [source for source in (meta.transitions if meta else {}) if source != "*"]


def _is_rental(case: Any) -> bool:  # Any: django-fsm types conditions over Model
    return case.workflow in RENTAL_WORKFLOWS


def _is_workflow(*workflows: str):
    def condition(case: Any) -> bool:
        return case.workflow in workflows

    condition.__name__ = f"workflow_is_{'_or_'.join(workflows)}"
    return condition


@pghistory.track()
class Case(FSMModelMixin, Stamped):
    """A piece of casework: its number, type, status (the chevron), owner and links.

    Transitions are pure: they move `status` and set the closing fields; they never save, send or
    check who is acting. casework.services.cases calls them under a row lock and records them."""

    Status = Status
    Workflow = Workflow
    ClosureStage = ClosureStage
    Priority = Priority
    Source = Source

    number = models.CharField(max_length=30, unique=True, editable=False)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    workflow = models.CharField(max_length=20, choices=Workflow.choices, editable=False)
    status = FSMField(max_length=20, choices=Status.choices, protected=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    status_before_close = models.CharField(max_length=20, choices=Status.choices, blank=True, editable=False)
    closure_stage = models.CharField(max_length=20, choices=ClosureStage.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    is_escalated = models.BooleanField(default=False)
    suspected_fraud = models.BooleanField(default=False, help_text="A flag for investigation, never a closure stage.")

    # Foreign keys whose lookups an index in Meta already serves (it leads with the key) have no
    # index of their own: every index is written again by each update that cannot stay on its
    # page, and cases are updated in bulk by the sweeps.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,
        help_text="The portal user whose application this is; they (and only they) may sign and submit it.",
    )
    tenancy = models.ForeignKey(Tenancy, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="A landlord application's tenant case, or an appeal's original case.",
    )

    request_type = models.ForeignKey(RequestType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    request_subtype = models.ForeignKey(
        RequestSubtype, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PHONE)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        db_index=False,
    )
    owner_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", db_index=False
    )

    # Rental assistance: this application's code, and the other side's code its applicant entered
    # to be matched with it (a landlord quoting the tenant's, or a tenant quoting the landlord's).
    application_code = models.CharField(max_length=9, unique=True, null=True, blank=True, editable=False)
    claimed_application_code = models.CharField(max_length=9, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)

    # Log review: the latest review only; the full history is the "Case Review" tasks.
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("reopen_case", "Can reopen a closed case")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="casework_case_status_known"),
            models.CheckConstraint(
                condition=(
                    models.Q(status="closed", closure_stage__in=ClosureStage.values, closed_at__isnull=False)
                    | (~models.Q(status="closed") & models.Q(closure_stage="", closed_at__isnull=True))
                ),
                name="casework_case_closed_has_stage",
                violation_error_message="A closed case needs a closure stage, and only a closed case has one.",
            ),
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True) | models.Q(owner_queue__isnull=True),
                name="casework_case_one_owner",
                violation_error_message="A case is owned by a person or a queue, not both.",
            ),
            # A tenant case has one live landlord case; extras are closed as duplicates and unlinked.
            models.UniqueConstraint(
                fields=["parent"],
                condition=models.Q(workflow="rental_landlord") & ~models.Q(status="closed"),
                name="casework_case_one_live_landlord_case",
                violation_error_message="This tenant case already has a landlord case.",
            ),
            # An applicant may appeal a decision once.
            models.UniqueConstraint(
                fields=["parent"],
                condition=models.Q(workflow="appeal"),
                name="casework_case_one_appeal",
                violation_error_message="This decision has already been appealed.",
            ),
            models.CheckConstraint(
                condition=models.Q(workflow__in=["rental_tenant", "rental_landlord"])
                | models.Q(application_code__isnull=True),
                name="casework_case_code_on_rental_cases",
            ),
        ]
        indexes = [
            models.Index(fields=["workflow", "status"], name="case_workflow_status_idx"),
            models.Index(fields=["owner", "status"], name="case_owner_status_idx"),
            models.Index(fields=["owner_queue", "status"], name="case_queue_status_idx"),
            models.Index(fields=["contact", "case_type"], name="case_contact_type_idx"),
            models.Index(fields=["claimed_application_code"], name="case_claimed_code_idx"),
            models.Index(fields=["applicant"], name="case_applicant_idx"),
            # Newest-first lists and the supervisors' "time to first action" over recent cases.
            models.Index(fields=["created_at"], name="case_created_idx"),
        ]
        triggers = [pgtrigger.ReadOnly(name="case_identity_read_only", fields=["number", "case_type", "workflow"])]

    def __str__(self) -> str:
        return self.number or f"New {self.case_type}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and not self.number:
            self._prepare_new()
        super().save(*args, **kwargs)

    def _prepare_new(self) -> None:
        """Number the case from a database sequence (unique under any concurrency, never reused:
        a rolled-back insert leaves a gap rather than handing its number to someone else), and
        start it on its workflow's first chevron."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [CASE_NUMBER_SEQUENCE])
            value = cursor.fetchone()[0]
        self.workflow = self.case_type.workflow
        self.number = f"{self.case_type.number_prefix}-{timezone.localdate().year}-{value:06d}"
        if not self.status:
            # Placing a new case on its first chevron is not a transition; the protected field's
            # descriptor refuses all assignment, so set the attribute's stored value directly.
            self.__dict__["status"] = WORKFLOWS[self.workflow][0]
        if self.workflow in RENTAL_WORKFLOWS and not self.application_code:
            self.application_code = application_code_new()

    @builtins.property  # `property` is a field name in this class
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @builtins.property
    def chevrons(self) -> tuple[str, ...]:
        return WORKFLOWS[self.workflow]

    def chevron_steps(self) -> list[dict]:
        """The chevron bar: each chevron of the workflow with its label and whether it is done,
        the current one, or still to do."""
        chevrons = self.chevrons
        current = chevrons.index(self.status) if self.status in chevrons else -1
        return [
            {
                "status": status,
                "label": Status(status).label,
                "state": "done" if i < current else "current" if i == current else "to_do",
            }
            for i, status in enumerate(chevrons)
        ]

    def _close(self, stage: str) -> None:
        self.status_before_close = self.status
        self.closure_stage = stage
        self.closed_at = timezone.now()

    # --- rental assistance -------------------------------------------------------------------
    # Who may call each transition is decided in casework.services.cases (CASE_TRANSITIONS).

    @transition(field=status, source=S.DRAFT, target=S.APPLICATION_MATCH, conditions=[_is_rental])
    def submit(self) -> None:
        """The applicant signs and submits their application."""

    @transition(field=status, source=S.APPLICATION_MATCH, target=S.CHASER, conditions=[_is_rental])
    def match(self) -> None:
        """Paired with the other side's application; both move to the chaser."""

    @transition(field=status, source=S.CHASER, target=S.DRAFT, conditions=[_is_rental])
    def send_back_to_draft(self) -> None:
        """The chaser returns the application to the applicant for action."""
        self.submitted_at = None

    @transition(field=status, source=S.CHASER, target=S.APPLICATION_MATCH, conditions=[_is_rental])
    def return_to_application_match(self) -> None:
        """The other side of a matched pair was sent back to draft; this side waits for it."""

    @transition(field=status, source=S.CHASER, target=S.CASE_MANAGER, conditions=[_is_rental])
    def refer_to_case_manager(self) -> None:
        """The chaser has everything needed; a case manager assesses it."""

    @transition(field=status, source=S.CASE_MANAGER, target=S.REVIEWER, conditions=[_is_rental])
    def refer_to_reviewer(self) -> None:
        """The case manager recommends a decision; a reviewer checks it."""

    @transition(field=status, source=S.REVIEWER, target=S.PAYMENT, conditions=[_is_rental])
    def approve_for_payment(self) -> None:
        """The reviewer approves the application; payments take over."""

    @transition(field=status, source=S.PAYMENT, target=S.CLOSED, conditions=[_is_rental])
    def close_paid(self) -> None:
        self._close(ClosureStage.PAID)

    @transition(field=status, source=[S.CASE_MANAGER, S.REVIEWER], target=S.CLOSED, conditions=[_is_rental])
    def deny(self) -> None:
        self._close(ClosureStage.DENIED)

    @transition(field=status, source=[S.CHASER, S.CASE_MANAGER, S.REVIEWER], target=S.CLOSED, conditions=[_is_rental])
    def close_ineligible(self) -> None:
        self._close(ClosureStage.INELIGIBLE)

    @transition(field=status, source=WITHDRAWABLE, target=S.CLOSED, conditions=[_is_rental])
    def withdraw(self) -> None:
        self._close(ClosureStage.WITHDRAWN)

    @transition(
        field=status,
        source=[S.DRAFT, S.APPLICATION_MATCH, S.CHASER, S.CASE_MANAGER, S.REVIEWER, *OTHER_OPEN, S.LODGED],
        target=S.CLOSED,
    )
    def close_duplicate(self) -> None:
        self._close(ClosureStage.DUPLICATE)

    @transition(field=status, source=[S.DRAFT, S.APPLICATION_MATCH], target=S.CLOSED, conditions=[_is_rental])
    def time_out(self) -> None:
        """No resubmission within 14 days of being sent back, or no landlord within 21 days."""
        self._close(ClosureStage.TIMED_OUT)

    # --- appeal ------------------------------------------------------------------------------

    @transition(field=status, source=S.LODGED, target=S.UNDER_REVIEW, conditions=[_is_workflow(Workflow.APPEAL)])
    def start_review(self) -> None:
        """The appeals reviewer takes the appeal up."""

    @transition(field=status, source=S.UNDER_REVIEW, target=S.CLOSED, conditions=[_is_workflow(Workflow.APPEAL)])
    def uphold(self) -> None:
        """The original decision stands."""
        self._close(ClosureStage.UPHELD)

    @transition(field=status, source=S.UNDER_REVIEW, target=S.CLOSED, conditions=[_is_workflow(Workflow.APPEAL)])
    def overturn(self) -> None:
        """The original decision is reversed; the original case is reopened by the service."""
        self._close(ClosureStage.OVERTURNED)

    # --- arrears -----------------------------------------------------------------------------

    @transition(field=status, source=[S.EARLY_ACTION, S.NOTICE_SERVED], target=S.ARRANGEMENT)
    def agree_arrangement(self) -> None:
        """The tenant agreed to pay the arrears off in instalments."""

    @transition(field=status, source=S.ARRANGEMENT, target=S.EARLY_ACTION)
    def break_arrangement(self) -> None:
        """Instalments were missed; recovery action resumes."""

    @transition(field=status, source=[S.EARLY_ACTION, S.ARRANGEMENT], target=S.NOTICE_SERVED)
    def serve_notice(self) -> None:
        """A notice of seeking possession (NOSP) was served."""

    @transition(field=status, source=S.NOTICE_SERVED, target=S.COURT)
    def refer_to_court(self) -> None:
        """A possession claim was made."""

    @transition(field=status, source=S.COURT, target=S.EVICTION)
    def schedule_eviction(self) -> None:
        """The court granted possession and an eviction date is set."""

    # --- housing options ---------------------------------------------------------------------

    @transition(field=status, source=S.ENQUIRY, target=S.ASSESSMENT)
    def assess(self) -> None:
        """An officer assesses the household's housing situation."""

    @transition(field=status, source=S.ASSESSMENT, target=S.ACTION_PLAN)
    def agree_housing_plan(self) -> None:
        """A personal housing plan is agreed with the household."""

    # --- support referral --------------------------------------------------------------------

    @transition(field=status, source=[S.TRIAGE, S.ON_HOLD], target=S.IN_PROGRESS)
    def start_work(self) -> None:
        """Support work starts (or resumes after a hold)."""

    @transition(field=status, source=S.IN_PROGRESS, target=S.ON_HOLD)
    def put_on_hold(self) -> None:
        """Waiting on someone outside the team."""

    # --- every workflow but rental assistance and appeals ------------------------------------

    @transition(field=status, source=OTHER_OPEN, target=S.CLOSED)
    def resolve(self) -> None:
        self._close(ClosureStage.RESOLVED)

    @transition(field=status, source=S.CLOSED, target=RETURN_VALUE(*[s for s in Status.values if s != S.CLOSED]))
    def reopen(self) -> str:
        """A supervisor reopens a closed case: it returns to the chevron it closed from."""
        previous = self.status_before_close or WORKFLOWS[self.workflow][0]
        self.closure_stage = ""
        self.closed_at = None
        self.status_before_close = ""
        return previous


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-object grants on cases, with a real foreign key so checks are joins,
    not text casts. For exceptions only (an advocate acting on one applicant's case); who sees a
    case is otherwise relational (casework.selectors.cases)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
