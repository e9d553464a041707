"""Read-only representations of skills and routing profiles for the staff API."""

from __future__ import annotations

from rest_framework import serializers

from assignments.models import RoutingProfile, Skill
from core.models import User


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "code", "name", "category", "description", "is_active"]
        read_only_fields = fields


class SkillSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "code", "name", "category"]
        read_only_fields = fields


class StaffSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name"]
        read_only_fields = fields


class RoutingProfileSerializer(serializers.ModelSerializer):
    user = StaffSummarySerializer(read_only=True)
    skills = SkillSummarySerializer(many=True, read_only=True)

    class Meta:
        model = RoutingProfile
        fields = ["id", "user", "team", "capacity", "presence", "presence_changed_at", "skills", "updated_at"]
        read_only_fields = fields
