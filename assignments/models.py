"""Skills and staff routing profiles: what each member of staff can take (skills), how much
(capacity) and whether they are taking work now (presence). Offers, queues and the routing engine
build on these."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from core.models import Stamped


@pghistory.track()
class Skill(Stamped):
    """Something a case needs of the person who works it: a function (chaser, reviewer), a
    patch, a language, a programme, or the escalation skill added by SLA rules."""

    class Category(models.TextChoices):
        FUNCTION = "function", "Function"
        REGION = "region", "Region"
        PATCH = "patch", "Patch"
        LANGUAGE = "language", "Language"
        PROGRAMME = "programme", "Programme"
        ESCALATION = "escalation", "Escalation"
        OTHER = "other", "Other"

    code = models.SlugField(
        max_length=50, unique=True, help_text="Stable identifier used by routing rules, e.g. lang-pl."
    )
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Inactive skills can no longer be granted.")

    class Meta:
        ordering = ["category", "code"]
        indexes = [models.Index(fields=["category", "code"], name="skill_category_code_idx")]

    def __str__(self) -> str:
        return self.name


# The router's counters change with every offer; auditing them would bury the real changes (skills,
# capacity, presence) in noise, so they are not tracked (offers have their own table).
@pghistory.track(exclude=["load", "last_offered_at", "offer_window_start", "offers_in_window"])
class RoutingProfile(Stamped):
    """A member of staff as the router sees them. Presence changes only through
    assignments.services.presence_set."""

    class Presence(models.TextChoices):
        AVAILABLE = "available", "Available"
        BUSY = "busy", "Busy"
        OFFLINE = "offline", "Offline"

    MIN_CAPACITY = 1
    MAX_CAPACITY = 1000

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="routing_profile",
        limit_choices_to={"kind": "staff"},
    )
    skills = models.ManyToManyField(Skill, through="RoutingProfileSkill", related_name="routing_profiles", blank=True)
    capacity = models.PositiveIntegerField(
        default=100, help_text="How much dynamically routed work (accepted plus offered) this person can hold."
    )
    presence = models.CharField(max_length=20, choices=Presence.choices, default=Presence.OFFLINE)
    presence_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    team = models.CharField(max_length=100, blank=True)

    # The router's own bookkeeping, kept on this row so that checking and taking capacity is one
    # conditional UPDATE (no write skew between routers): see assignments.routing.
    skill_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    load = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Dynamically routed cases accepted (still on their chevron) plus offers pending.",
    )
    last_offered_at = models.DateTimeField(null=True, blank=True, editable=False)
    offer_window_start = models.DateTimeField(null=True, blank=True, editable=False)
    offers_in_window = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=1000),
                name="assignments_routingprofile_capacity_range",
                violation_error_message="Capacity must be between 1 and 1000.",
            ),
        ]
        # The router's first filter: who is available now.
        indexes = [
            models.Index(fields=["presence"], name="routingprofile_presence_idx"),
            GinIndex(fields=["skill_ids"], name="routingprofile_skills_gin"),
        ]

    def __str__(self) -> str:
        return f"Routing profile of {self.user}"


class RoutingProfileSkill(models.Model):
    """A skill granted to a member of staff: the profile-skill link, made explicit so that
    granting and revoking skills is audited (skill.granted / skill.revoked events)."""

    # Indexed by the unique constraint (profile, skill) and by (skill, profile) below, which the
    # router uses to find who holds a skill; single-column indexes would only duplicate them.
    profile = models.ForeignKey(RoutingProfile, on_delete=models.CASCADE, related_name="skill_grants", db_index=False)
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="grants", db_index=False)

    class Meta:
        ordering = ["profile_id", "skill__category", "skill__code"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="assignments_routingprofile_skill_once"),
        ]
        indexes = [models.Index(fields=["skill", "profile"], name="profileskill_skill_idx")]

    def __str__(self) -> str:
        return f"{self.skill} for {self.profile.user}"


pghistory.track(pghistory.InsertEvent("skill.granted"), pghistory.DeleteEvent("skill.revoked"))(RoutingProfileSkill)


# --- routing ------------------------------------------------------------------------------------


@pghistory.track()
class RoutingSettings(models.Model):
    """The router's tunables, one row, edited by supervisors in the admin."""

    offer_timeout_minutes = models.PositiveIntegerField(
        default=60, help_text="How long a person has to accept an offer before it goes to someone else."
    )
    max_offers_per_minute = models.PositiveIntegerField(
        default=10,
        help_text="Flood guard: at most this many new offers per person per minute (someone back from leave "
        "is not handed a full caseload at once).",
    )

    class Meta:
        verbose_name = "routing settings"
        verbose_name_plural = "routing settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="assignments_routingsettings_single_row"),
            models.CheckConstraint(
                condition=models.Q(offer_timeout_minutes__gte=1, max_offers_per_minute__gte=1),
                name="assignments_routingsettings_positive",
            ),
        ]

    def __str__(self) -> str:
        return "Routing settings"

    @classmethod
    def current(cls) -> RoutingSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


@pghistory.track()
class RoutingRule(Stamped):
    """Which skills a case type needs on one chevron; a chevron with a rule needs a person and is
    routed. Besides the listed skills, a rule can require skills derived from the case: the
    property's patch (patch-<code>), the contact's language when not English (lang-<code>) and a
    programme skill. An escalated case also needs `escalation`."""

    case_type = models.ForeignKey("casework.CaseType", on_delete=models.CASCADE, related_name="routing_rules")
    status = models.CharField(max_length=20, help_text="The chevron (case status) this rule routes.")
    skills = models.ManyToManyField(Skill, related_name="routing_rules", blank=True)
    programme_skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="e.g. raft"
    )
    require_patch = models.BooleanField(default=False, help_text="Only staff holding the property's patch skill.")
    require_language = models.BooleanField(
        default=True, help_text="Only staff speaking the contact's preferred language, when it is not English."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_type__name", "status"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "status"], name="assignments_routingrule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}: {self.status}"


@pghistory.track()
class DeclineReason(models.Model):
    """A reason offered to staff when they decline an offer (configurable list)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class CaseRouting(models.Model):
    """Where a case stands with the router: not routable, awaiting assignment, offered, accepted
    (dynamically) or manually assigned; which skills it needs now; since when it has waited.
    One row per case, written only by assignments.routing."""

    class State(models.TextChoices):
        NOT_ROUTABLE = "not_routable", "Not routed"
        AWAITING = "awaiting", "Awaiting assignment"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        MANUAL = "manual", "Manually assigned"

    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, primary_key=True, related_name="routing")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NOT_ROUTABLE)
    status = models.CharField(max_length=20, blank=True, help_text="The chevron this routing is for.")
    skill_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    priority_rank = models.PositiveSmallIntegerField(default=1, help_text="0 urgent, 1 normal: lower goes first.")
    waiting_since = models.DateTimeField(null=True, blank=True)
    excluded_user_ids = ArrayField(
        models.BigIntegerField(), default=list, blank=True, help_text="Declined or let an offer lapse this round."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="routed_cases"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["priority_rank", "waiting_since", "case"],
                name="caserouting_backlog_idx",
                condition=models.Q(state="awaiting"),
            ),
            GinIndex(fields=["skill_ids"], name="caserouting_skills_gin"),
            models.Index(fields=["assignee", "state"], name="caserouting_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="awaiting") | models.Q(waiting_since__isnull=False),
                name="assignments_caserouting_awaiting_has_wait",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["accepted", "manual"]) | models.Q(assignee__isnull=False),
                name="assignments_caserouting_owned_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_state_display()}"


class Offer(models.Model):
    """A case offered to one person, who is its potential owner until they accept, decline or
    the offer times out. At most one pending offer per case."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        TIMED_OUT = "timed_out", "Timed out"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="offers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.ForeignKey(DeclineReason, null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="assignments_offer_one_pending_per_case"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="offer_user_status_idx"),
            models.Index(fields=["expires_at"], name="offer_pending_expiry_idx", condition=models.Q(status="pending")),
            # The supervisors' chart of offer outcomes per day reads ended offers by when they ended.
            models.Index(
                fields=["responded_at"], name="offer_responded_idx", condition=models.Q(responded_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} offered to {self.user}"


# --- the supervisor charts ------------------------------------------------------------------------


class BacklogSnapshot(models.Model):
    """The routing backlog at one moment, written every 15 minutes by the backlog snapshot job so
    the supervisor charts can show the backlog over time (the live tables only say how it is now).
    One row per time slot and skill set, plus one row per slot with an empty `skill_set` for the
    total; the unique constraint makes a second run in the same slot write nothing."""

    TOTAL = ""  # the `skill_set` of the all-skills total row

    taken_at = models.DateTimeField(help_text="The start of the 15-minute slot this snapshot is for.")
    skill_set = models.CharField(
        max_length=500, blank=True, help_text="The skill codes, sorted and comma-separated; empty for the total."
    )
    cases = models.PositiveIntegerField(help_text="Cases awaiting assignment.")
    oldest_wait_seconds = models.PositiveIntegerField(default=0, help_text="How long the longest of them had waited.")

    class Meta:
        ordering = ["-taken_at", "skill_set"]
        constraints = [
            models.UniqueConstraint(fields=["taken_at", "skill_set"], name="assignments_backlogsnapshot_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.skill_set or 'total'}: {self.cases}"
