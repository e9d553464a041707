"""The SLA and timeout sweeps: fire every rung that is due, once.

Set-based, so a sweep's cost follows the number of rungs due, not the number of clocks: one
UPDATE claims a chunk of due milestones (the partial index on unfired, due ones finds them;
FOR UPDATE SKIP LOCKED lets two workers share the work without either firing a rung twice) and
the rungs' actions are applied to the chunk's cases a statement at a time. Each chunk commits
on its own, so a sweep that dies mid-way has fired (and acted on) whole chunks and nothing else;
the next run picks up the rest. Messages to applicants are sent after commit by a job, from an
outbox flag on the milestone that a later sweep hands to a new job if a worker died first.
"""

from __future__ import annotations

import datetime
import json
import socket
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from casework import signals
from casework.models import (
    Case,
    CaseActivity,
    Clock,
    ClockMilestone,
    ClockPause,
    ClosureStage,
    Notification,
    SlaRung,
    Status,
    SweepRun,
    TeamMembership,
)
from core.audit import audited
from core.models import User

CASE_TABLE = Case._meta.db_table
CLOCK_TABLE = Clock._meta.db_table
PAUSE_TABLE = ClockPause._meta.db_table
MILESTONE_TABLE = ClockMilestone._meta.db_table
ACTIVITY_TABLE = CaseActivity._meta.db_table
NOTIFICATION_TABLE = Notification._meta.db_table

CHUNK = 5000
# A milestone whose messages a job should have sent by now: handed to a new job.
MESSAGES_GRACE = datetime.timedelta(minutes=10)
# Sweep runs are kept this long (one a minute per kind).
RUNS_KEPT = datetime.timedelta(days=30)

_CLAIM = """
UPDATE casework_clockmilestone AS m
   SET fired_at = %(now)s, messages_pending = r.notify_applicant
  FROM casework_slarung AS r, casework_clock AS c
 WHERE m.id IN (
           SELECT id FROM casework_clockmilestone
            WHERE kind = %(kind)s AND fired_at IS NULL AND due_at IS NOT NULL AND due_at <= %(now)s
              AND rung_id IS NOT NULL
            ORDER BY due_at
            LIMIT %(chunk)s
              FOR UPDATE SKIP LOCKED)
   AND r.id = m.rung_id AND c.id = m.clock_id
RETURNING m.id, m.rung_id, c.id, c.case_id, m.due_at, r.kind
"""


@dataclass(frozen=True)
class Fired:
    milestone_id: int
    rung_id: int
    clock_id: int
    case_id: int
    due_at: datetime.datetime
    rung_kind: str


def _claim(kind: str, now: datetime.datetime, chunk: int) -> list[Fired]:
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"now": now, "kind": kind, "chunk": chunk})
        return [Fired(*row) for row in cursor.fetchall()]


def _mark_breached(fired: list[Fired]) -> None:
    exceeded = {(f.clock_id, f.due_at) for f in fired if f.rung_kind == SlaRung.Kind.EXCEEDED}
    if not exceeded:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE casework_clock AS c SET breached_at = v.due_at
                 FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, due_at)
                WHERE c.id = v.id AND c.breached_at IS NULL""",
            [[clock for clock, _ in exceeded], [due for _, due in exceeded]],
        )


def _effects(rung: SlaRung) -> list[str]:
    done = []
    if rung.raise_priority:
        done.append("made urgent")
    if rung.add_escalation_skill:
        done.append("escalated")
    if rung.move_to_queue_id:
        done.append(f"moved to {rung.move_to_queue}")
    told = [
        who
        for who, wanted in (
            ("the owner", rung.notify_owner),
            ("the team leads", rung.notify_team_leads),
            (str(rung.notify_group), rung.notify_group_id),
            ("the applicant", rung.notify_applicant),
        )
        if wanted
    ]
    if told:
        done.append("told " + ", ".join(told))
    if rung.close_case:
        done.append("closed as timed out")
    return done


def _recipients(rung: SlaRung, cases: list[Any]) -> dict[int, set[int]]:
    """Who is told about each case: {case id: {user ids}}. The owner (or, for a case in a queue,
    the leads of the queue's team), the leads of the case's team (the queue's team, or the
    owner's teams), a stakeholder group's members."""
    owner_ids = {c["owner_id"] for c in cases if c["owner_id"]}
    teams_of: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in TeamMembership.objects.filter(user_id__in=owner_ids).values_list("user_id", "team_id"):
        teams_of[user_id].add(team_id)
    queue_teams = {c["owner_queue__team_id"] for c in cases if c["owner_queue__team_id"]}
    leads_of: dict[int, set[int]] = defaultdict(set)
    all_teams = queue_teams | {t for teams in teams_of.values() for t in teams}
    for team_id, user_id in TeamMembership.objects.filter(team_id__in=all_teams, is_lead=True).values_list(
        "team_id", "user_id"
    ):
        leads_of[team_id].add(user_id)
    group = (
        set(User.objects.filter(groups=rung.notify_group_id, is_active=True).values_list("pk", flat=True))
        if rung.notify_group_id
        else set()
    )
    result = {}
    for case in cases:
        teams = (
            {case["owner_queue__team_id"]} if case["owner_queue__team_id"] else teams_of.get(case["owner_id"], set())
        )
        leads = {user for team in teams for user in leads_of.get(team, ())}
        users: set[int] = set(group)
        if rung.notify_owner:
            users |= {case["owner_id"]} if case["owner_id"] else leads
        if rung.notify_team_leads:
            users |= leads
        result[case["id"]] = users
    return result


def _update_cases(case_ids: list[int], assignments: list[str], unchanged: str, now) -> list[int]:
    """One UPDATE of the open cases among `case_ids` that `unchanged` (SQL) says still need it;
    returns the ids it changed. The audit trigger records each row under the sweep's context."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CASE_TABLE} SET {', '.join(assignments)}, updated_at = %s, updated_by_id = NULL "  # noqa: S608
            f"WHERE id = ANY(%s) AND status <> 'closed' AND ({unchanged}) RETURNING id",
            [now, case_ids],
        )
        return [row[0] for row in cursor.fetchall()]


def _change_cases(rung: SlaRung, case_ids: list[int], now) -> list[int]:
    """Make the open cases urgent, escalated and/or moved to the rung's queue, in one statement."""
    assignments, unchanged = [], []
    if rung.raise_priority:
        assignments.append("priority = 'urgent'")
        unchanged.append("priority <> 'urgent'")
    if rung.add_escalation_skill:
        assignments.append("is_escalated = true")
        unchanged.append("NOT is_escalated")
    if rung.move_to_queue_id:
        queue = int(rung.move_to_queue_id)
        assignments += ["owner_id = NULL", f"owner_queue_id = {queue}"]
        unchanged.append(f"owner_queue_id IS DISTINCT FROM {queue}")
    if not assignments:
        return []
    return _update_cases(case_ids, assignments, " OR ".join(unchanged), now)


def _close_timed_out(rung: SlaRung, case_ids: list[int], now: datetime.datetime) -> list[int]:
    """Close the cases still at the timed chevron, as the `time_out` transition would (the rule
    was checked at save to be one it allows), and stop their clocks. Returns the ids closed."""
    status = rung.rule.status
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CASE_TABLE} SET status = 'closed', status_before_close = status, "  # noqa: S608
            "closure_stage = %s, closed_at = %s, status_changed_at = %s, updated_at = %s, updated_by_id = NULL "
            "WHERE id = ANY(%s) AND status = %s RETURNING id",
            [ClosureStage.TIMED_OUT, now, now, now, case_ids, status],
        )
        closing = [row[0] for row in cursor.fetchall()]
        if not closing:
            return []
        cursor.execute(
            f"UPDATE {CLOCK_TABLE} SET state = 'stopped', stopped_at = %s, paused_at = NULL "  # noqa: S608
            "WHERE case_id = ANY(%s) AND state <> 'stopped' RETURNING id",
            [now, closing],
        )
        clock_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"UPDATE {PAUSE_TABLE} SET ended_at = %s WHERE clock_id = ANY(%s) AND ended_at IS NULL",  # noqa: S608
            [now, clock_ids],
        )
        # A stopped clock keeps the rungs it fired; the others never will (deleting them costs
        # less than moving them out of the due index).
        cursor.execute(
            f"DELETE FROM {MILESTONE_TABLE} WHERE clock_id = ANY(%s) AND fired_at IS NULL",  # noqa: S608
            [clock_ids],
        )
    from casework import tasks

    # What each stopped clock used, worked out on its calendar, after this commits.
    transaction.on_commit(partial(tasks.clocks_reproject.delay, clock_ids))
    return closing


def _insert_activities(rows: list[tuple], now) -> None:
    """Feed entries from (case id, kind, summary, from, to, reason, data) tuples, in one INSERT."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ACTIVITY_TABLE} (case_id, kind, at, summary, from_status, to_status, reason, data) "  # noqa: S608
            "SELECT v.c, v.k, %s, v.s, v.f, v.t, v.r, v.d::jsonb "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS v(c, k, s, f, t, r, d)",
            [now, *(list(column) for column in columns[:6]), [json.dumps(d) for d in columns[6]]],
        )


def _insert_notifications(rows: list[tuple[int, int, str]], now) -> list[int]:
    """In-app notifications from (recipient, case id, message) tuples; returns their ids."""
    if not rows:
        return []
    recipients, cases, messages = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {NOTIFICATION_TABLE} (recipient_id, kind, message, case_id, created_at) "  # noqa: S608
            "SELECT v.u, %s, v.m, v.c, %s FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(u, c, m) "
            "RETURNING id",
            [Notification.Kind.SLA, now, recipients, cases, messages],
        )
        return [row[0] for row in cursor.fetchall()]


def _act(fired: list[Fired], now: datetime.datetime) -> set[int]:
    """Apply each fired rung's actions to its cases; returns the ids of cases changed."""
    rungs = {
        rung.pk: rung
        for rung in SlaRung.objects.filter(pk__in={f.rung_id for f in fired}).select_related(
            "rule", "move_to_queue", "notify_group"
        )
    }
    by_rung: dict[int, list[Fired]] = defaultdict(list)
    for f in fired:
        by_rung[f.rung_id].append(f)
    changed: set[int] = set()
    activities: list[tuple] = []
    notifications: list[tuple[int, int, str]] = []
    status_label = dict(Status.choices)
    for rung_id, rows in by_rung.items():
        rung = rungs[rung_id]
        case_ids = sorted({f.case_id for f in rows})
        changed.update(_change_cases(rung, case_ids, now))
        if rung.notify_owner or rung.notify_team_leads or rung.notify_group_id:
            cases = list(
                Case.objects.filter(pk__in=case_ids).values("id", "number", "owner_id", "owner_queue__team_id")
            )
            recipients = _recipients(rung, cases)
            label = f"{rung.get_kind_display()} ({rung.rule.name})"
            for case in cases:
                notifications.extend(
                    (user, case["id"], f"{case['number']}: {label}") for user in recipients[case["id"]]
                )
        if rung.close_case:
            reason = f"{rung.rule.name}: {rung.rule.target_label} passed."
            data = {"transition": "time_out", "closure_stage": ClosureStage.TIMED_OUT, "rule": rung.rule_id}
            for case_id in _close_timed_out(rung, case_ids, now):
                changed.add(case_id)
                left = rung.rule.status
                summary = f"Timed out: {status_label[left]} → Closed (Timed out)"
                activities.append(
                    (case_id, CaseActivity.Kind.STATUS_CHANGED, summary, left, Status.CLOSED, reason, data)
                )
            continue
        summary = f"{rung.get_kind_display()}: {rung.rule.name}"
        effects = _effects(rung)
        if effects:
            summary = f"{summary} — {'; '.join(effects)}"[:500]
        activities.extend(
            (
                f.case_id,
                CaseActivity.Kind.SLA,
                summary,
                "",
                "",
                "",
                {"milestone": f.milestone_id, "rule": rung.rule_id, "rung": rung.kind, "due_at": f.due_at.isoformat()},
            )
            for f in rows
        )
    _insert_activities(activities, now)
    notification_ids = _insert_notifications(notifications, now)
    from casework import tasks

    if notification_ids:
        transaction.on_commit(partial(tasks.notification_emails_send.delay, notification_ids))
    with_messages = [f.milestone_id for f in fired if rungs[f.rung_id].notify_applicant]
    if with_messages:
        transaction.on_commit(partial(tasks.clock_messages_send.delay, with_messages))
    if changed:
        signals.cases_changed_by_rules.send(sender=Case, case_ids=sorted(changed), now=now)
    return changed


@contextmanager
def sweep_recorded(kind: str) -> Iterator[SweepRun]:
    """Record one run of a sweep (SLA, timeout, delay): the caller counts what it did on the row
    it is given; how long it took and any error are written however it ends. Runs older than
    RUNS_KEPT are let go."""
    started = timezone.now()
    run = SweepRun.objects.create(kind=kind, started_at=started, hostname=socket.gethostname()[:255])
    try:
        yield run
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["fired", "cases_changed", "finished_at", "error"])
        SweepRun.objects.filter(kind=kind, started_at__lt=started - RUNS_KEPT).delete()


def clocks_sweep(*, kind: str, now: datetime.datetime | None = None, chunk: int = CHUNK) -> SweepRun:
    """Fire every rung of `kind` ("sla" or "timeout") due by `now`, each once, and apply its
    actions; record the run (how many fired, how many cases changed, how long). Safe to run
    often and from several workers at once. Who: the scheduler."""
    with sweep_recorded(kind) as run:
        now = now or run.started_at
        while True:
            with transaction.atomic(), audited(actor=None, action=f"{kind}_sweep"):
                fired = _claim(kind, now, chunk)
                if fired:
                    _mark_breached(fired)
                    run.cases_changed += len(_act(fired, now))
            run.fired += len(fired)
            if len(fired) < chunk:
                break
        _hand_over_stale_messages(now)
    return run


def _hand_over_stale_messages(now: datetime.datetime) -> None:
    stale = list(
        ClockMilestone.objects.filter(messages_pending=True, fired_at__lt=now - MESSAGES_GRACE).values_list(
            "pk", flat=True
        )[:CHUNK]
    )
    if stale:
        from casework import tasks

        tasks.clock_messages_send.delay(stale)


def clock_messages_send(*, milestone_ids: list[int]) -> int:
    """Send the applicant the message of each fired rung that still owes one (each milestone's
    message has its own key, so a repeated job sends nothing twice). Returns how many were sent."""
    from casework.services.messages import case_message_send
    from core import errors

    sent = 0
    for milestone_id in milestone_ids:
        with transaction.atomic():
            milestone = (
                ClockMilestone.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("clock__case", "rung__template")
                .filter(pk=milestone_id, messages_pending=True)
                .first()
            )
            if milestone is None:
                continue
            case, rung = milestone.clock.case, milestone.rung
            if rung is not None and rung.template is not None and not case.is_closed:
                try:
                    _, made = case_message_send(
                        actor=None, case=case, template=rung.template, key=f"milestone-{milestone.pk}"
                    )
                    sent += made
                except (errors.ValidationError, errors.Conflict) as exc:
                    CaseActivity.objects.create(
                        case=case,
                        kind=CaseActivity.Kind.SLA,
                        summary=f"Could not send “{rung.template}” for {milestone.label}: {exc}"[:500],
                    )
            milestone.messages_pending = False
            milestone.save(update_fields=["messages_pending"])
    return sent
