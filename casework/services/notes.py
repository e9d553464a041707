"""Notes on a case, with @mentions that notify the staff mentioned (in-app and by email).

A mention is written `@handle`, the handle being the local part of a staff member's email
(`@chaser` for chaser@demo.example). Where several staff share a local part the handle is
ambiguous and must be written as the full email (`@chaser@demo.example`). Handles resolve to
active staff only: applicants can never be mentioned. A handle that resolves to nobody is left as
plain text, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models.functions import Lower

from casework.models import NOTE_MAX_LENGTH, Case, CaseActivity, Note, NoteMention, Notification
from casework.permissions import can_work_case
from casework.services.common import ensure_case_open, lock_case, require
from casework.services.feed import feed_record
from casework.services.notifications import notify
from core import errors
from core.audit import audited
from core.models import User

# More people than this from one note is a broadcast, not a mention.
MAX_MENTIONS = 50

# "@" not glued to a word, dot or another "@" (so "tara@example.com" in a note is not a mention),
# then an email local part, optionally followed by "@domain" to make it a full email.
_MENTION = re.compile(r"(?<![\w.@+%-])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")


def _excerpt(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class Mentions:
    """The handles a note's body mentions (lower case, in order of first use): those that name
    one active staff member, and those that do not with why."""

    resolved: dict[str, User] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)

    @property
    def users(self) -> list[User]:
        return list({user.pk: user for user in self.resolved.values()}.values())


def mention_handles(body: str) -> list[str]:
    """The @handles written in `body`, lower-cased, each once, in the order first written. A
    full stop ending a sentence ("ask @chaser.") is not part of the handle."""
    handles: dict[str, None] = {}
    for match in _MENTION.finditer(body or ""):
        handle = match.group(1).rstrip(".").lower()
        if handle:
            handles.setdefault(handle, None)
    return list(handles)


def mentions_find(body: str) -> Mentions:
    """Resolve the @handles in `body` to active staff members (two queries, however many)."""
    handles = mention_handles(body)
    if not handles:
        return Mentions()
    staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    emails = [handle for handle in handles if "@" in handle]
    local_parts = [handle for handle in handles if "@" not in handle]
    by_email = {
        user.email_lower: user for user in staff.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    split = models.Func(models.F("email"), models.Value("@"), models.Value(1), function="split_part")
    local_part = Lower(models.ExpressionWrapper(split, output_field=models.CharField()))
    by_local: dict[str, list[User]] = {}
    for user in staff.annotate(handle=local_part).filter(handle__in=local_parts).order_by("email"):
        by_local.setdefault(user.handle, []).append(user)

    resolved: dict[str, User] = {}
    unresolved: dict[str, str] = {}
    for handle in handles:
        users = [by_email[handle]] if handle in by_email else by_local.get(handle, [])
        if len(users) == 1:
            resolved[handle] = users[0]
        elif users:
            unresolved[handle] = (
                f"Several staff members use @{handle}; write the full email instead, e.g. @{users[0].email.lower()}."
            )
        else:
            unresolved[handle] = f"No active staff member uses @{handle}."
    return Mentions(resolved=resolved, unresolved=unresolved)


@transaction.atomic
def note_add(*, actor: User, case: Case, body: str) -> Note:
    """Add a note to `case`'s feed. Every active staff member it @mentions is recorded
    (NoteMention) and notified in-app and by email, except the author. The returned note carries
    `mention_report` (a Mentions): which handles were resolved, and which were not and why.

    Who: staff; a note always has an author (the system records its changes as feed entries,
    not notes). Raises PermissionDenied; ValidationError (field "body") for a blank note, one
    over NOTE_MAX_LENGTH characters or one mentioning more than MAX_MENTIONS people; Conflict
    on a closed case unless the actor is a supervisor."""
    if actor is None:
        raise errors.PermissionDenied("A note needs an author; the system records its changes on the feed instead.")
    require(actor, lambda user: can_work_case(user, case), "Only staff can add notes to a case.")
    body = (body or "").strip()
    if not body:
        raise errors.ValidationError(fields={"body": ["Enter the note."]})
    if len(body) > NOTE_MAX_LENGTH:
        raise errors.ValidationError(
            fields={"body": [f"A note can be at most {NOTE_MAX_LENGTH:,} characters (you entered {len(body):,})."]}
        )
    mentions = mentions_find(body)
    if len(mentions.users) > MAX_MENTIONS:
        message = f"A note can mention at most {MAX_MENTIONS} people (this one mentions {len(mentions.users)})."
        raise errors.ValidationError(fields={"body": [message]})
    case = lock_case(case)
    ensure_case_open(actor, case, doing="add notes to it")

    note = Note(case=case, author=actor, body=body)
    with audited(actor=actor, action="note_add"):
        note.save()
        NoteMention.objects.bulk_create(NoteMention(note=note, user=user) for user in mentions.users)
        author = str(actor)
        feed_record(case=case, kind=CaseActivity.Kind.NOTE, actor=actor, summary=f"Note by {author}", note=note)
        notify(
            recipients=[user for user in mentions.users if user.pk != actor.pk],
            kind=Notification.Kind.MENTION,
            message=f"{author} mentioned you in a note on {case.number}: “{_excerpt(body, 300)}”",
            case=case,
            note=note,
        )
    note.mention_report = mentions  # type: ignore[attr-defined]
    return note
