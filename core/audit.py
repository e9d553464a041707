"""The audit trail is django-pghistory: database triggers write an event row for every insert,
update and delete of a tracked model, in the same transaction as the change (bulk updates and
raw SQL included). This module attaches who and why to those rows (docs/adr/0004)."""

from __future__ import annotations

from contextlib import contextmanager

import pghistory
from pghistory.models import Events


@contextmanager
def audited(*, actor, action: str, **metadata):
    """Run a service's writes under an audit context: every event row they cause records the
    acting user (None for the system) and the service's name as the action."""
    with pghistory.context(user=actor.pk if actor is not None else None, action=action, **metadata):
        yield


def events_for(obj):
    """Every audit event about `obj`, newest first."""
    return Events.objects.tracks(obj).order_by("-pgh_created_at")
