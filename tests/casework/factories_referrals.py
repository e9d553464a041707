"""Factories and helpers for teams, queues and referrals (the referrals slice)."""

from __future__ import annotations

from contextlib import contextmanager

import factory
from factory.django import DjangoModelFactory

from casework import signals
from casework.models import Referral, ReferralReason, ReferralSubtype
from tests.casework.factories import CaseFactory, TeamFactory


class ReferralReasonFactory(DjangoModelFactory):
    class Meta:
        model = ReferralReason

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Restore contract {n}")


class ReferralSubtypeFactory(DjangoModelFactory):
    class Meta:
        model = ReferralSubtype

    reason = factory.SubFactory(ReferralReasonFactory)
    name = factory.Sequence(lambda n: f"Missed payment {n}")


class ReferralFactory(DjangoModelFactory):
    """An open referral; `status="accepted"` or `"completed"` writes the status directly, as an
    import would (the transitions are what the tests exercise)."""

    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    reason = factory.SubFactory(ReferralReasonFactory)
    team = factory.LazyAttribute(lambda o: o.reason.team)
    comments = "Please restore the contract."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status", None)
        referral = model_class(*args, **kwargs)
        referral.save()
        if status:
            model_class.objects.filter(pk=referral.pk).update(status=status)
            referral = model_class.objects.get(pk=referral.pk)
        return referral


@contextmanager
def captured_owner_changes():
    """Collect what casework.signals.case_owner_changed is sent with, while the block runs."""
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    signals.case_owner_changed.connect(receiver, weak=False, dispatch_uid="test-captured-owner-changes")
    try:
        yield calls
    finally:
        signals.case_owner_changed.disconnect(dispatch_uid="test-captured-owner-changes")


def api_error(response, code: str) -> dict:
    """The API's error body, checked for its shape and `code`."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["code"] == code, body
    return body["error"]
