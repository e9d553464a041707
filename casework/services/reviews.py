"""Log review: a caseworker's periodic review of a case. Each review is a completed "Case Review"
task (the history) and is stamped on the case as its latest review (overwritten by the next)."""

from __future__ import annotations

from django.db import transaction

from casework.models import REVIEW_MAX_LENGTH, REVIEW_TEMPLATE, Case, CaseActivity, Task
from casework.permissions import can_work_case
from casework.services.common import ensure_case_open, lock_case, require
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User

REVIEW_SUBJECT = "Case Review"
_CASE_REVIEW_FIELDS = ["last_reviewed_at", "last_reviewed_by", "last_review_comment"]


def _comment_error(comment: str) -> str | None:
    if not comment:
        return "Enter the review comment."
    if len(comment) > REVIEW_MAX_LENGTH:
        return f"The review comment can be at most {REVIEW_MAX_LENGTH} characters (you entered {len(comment)})."
    if comment == REVIEW_TEMPLATE.strip():
        return "Fill in the review template before logging the review."
    return None


@transaction.atomic
def case_review_log(*, actor: User, case: Case, comment: str) -> Task:
    """Log a review of `case`: creates a completed task "Case Review" (kind case_review, no due
    date, assigned to and completed by the actor, the comment as its description and outcome),
    stamps the case's last-reviewed at/by/comment (replacing the previous review) and its
    last-changed time, and records it on the feed. The comment is trimmed and may be at most
    REVIEW_MAX_LENGTH characters.

    Who: staff; a review always has a reviewer. Raises PermissionDenied; ValidationError (field
    "comment", the same text as the message) for a blank or over-long comment or the template
    left unfilled; Conflict on a closed case unless the actor is a supervisor. Nothing is
    written when it raises."""
    if actor is None:
        raise errors.PermissionDenied("A review is logged by a person.")
    require(actor, lambda user: can_work_case(user, case), "Only staff can log reviews.")
    comment = (comment or "").strip()
    message = _comment_error(comment)
    if message:
        raise errors.ValidationError(message, fields={"comment": [message]})
    case = lock_case(case)
    ensure_case_open(actor, case, doing="log a review")

    task = Task(
        case=case,
        kind=Task.Kind.CASE_REVIEW,
        subject=REVIEW_SUBJECT,
        description=comment,
        outcome=comment,
        assignee=actor,
        due_date=None,
    )
    task.complete(actor=actor)
    task.stamp(actor)
    case.stamp(actor)
    case.last_reviewed_at = case.updated_at
    case.last_reviewed_by = actor
    case.last_review_comment = comment
    with audited(actor=actor, action="case_review_log"):
        task.save()
        case.save(update_fields=[*_CASE_REVIEW_FIELDS, "updated_at", "updated_by"])
        feed_record(
            case=case, kind=CaseActivity.Kind.REVIEW_LOGGED, actor=actor, summary=f"Review logged by {actor}", task=task
        )
    return task
