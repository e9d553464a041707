"""Query-string filters for the skills and routing-profile API."""

from __future__ import annotations

import django_filters

from assignments.models import RoutingProfile, Skill


class SkillFilter(django_filters.FilterSet):
    class Meta:
        model = Skill
        fields = ["category", "is_active"]


class RoutingProfileFilter(django_filters.FilterSet):
    skill = django_filters.CharFilter(
        field_name="skills__code", help_text="Only people holding this skill (code), e.g. lang-pl."
    )

    class Meta:
        model = RoutingProfile
        fields = ["presence", "team", "skill"]
