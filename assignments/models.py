"""Skills and staff routing profiles: what each member of staff can take (skills), how much
(capacity) and whether they are taking work now (presence). Offers, queues and the routing engine
build on these."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

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


@pghistory.track()
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
        indexes = [models.Index(fields=["presence"], name="routingprofile_presence_idx")]

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
