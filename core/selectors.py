"""Reads that core owns."""

from __future__ import annotations

from core.models import Heartbeat, User


def heartbeat_get(*, name: str) -> Heartbeat | None:
    return Heartbeat.objects.filter(name=name).first()


def staff_with_roles():
    """Active staff with their role groups loaded in one extra query."""
    return User.objects.filter(kind=User.Kind.STAFF, is_active=True).prefetch_related("groups")
