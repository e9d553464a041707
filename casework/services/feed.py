"""The case feed: one timeline per case. Every casework service records its change here, and
other apps (letters, payments, routing) record theirs through feed_record."""

from __future__ import annotations

from casework.models import Case, CaseActivity


def feed_record(
    *,
    case: Case,
    kind: str,
    actor,
    summary: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    **links,
) -> CaseActivity:
    """Add an entry to `case`'s timeline. Call it inside the transaction of the change it
    describes. `links` may name a note, task or document, and `data` (a JSON-able dict)."""
    return CaseActivity.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        summary=summary[:500],
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        **links,
    )
