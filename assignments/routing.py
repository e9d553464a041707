"""The routing engine: offers cases to the staff who can take them, Omni-Channel style.

Rules (issue 4): a case is routed when its chevron has a routing rule and nobody was assigned it by
hand. It is offered to someone available who holds every skill it needs and whose load (dynamic
cases accepted on their current chevron plus offers pending) is below their capacity; urgent
before normal, then longest waiting; to the least loaded person, ties to whoever was offered work
longest ago, then by id. Declined and lapsed offers are not repeated to the same person until
everyone eligible has had the case. A flood guard caps new offers per person per minute.

How it stays correct with several routers at once:
- cases are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two routers never hold the same
  case, and a partial unique index allows one pending offer per case;
- capacity (and the flood guard) is taken with one conditional UPDATE per person row
  (`load + n <= capacity`): PostgreSQL re-checks the condition against the latest row version, so
  two routers cannot both fill someone's last slot (locking only the case would allow that).
  A plan the UPDATE refuses is dropped and the case waits for the next pass.

Every function takes `now` (the simulator runs a simulated clock) and an optional `events` list
that receives a RoutingEvent per thing that happened.
"""

from __future__ import annotations

import contextvars
import datetime
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q

from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingRule, RoutingSettings, Skill
from casework.models import Case, Language

State = CaseRouting.State
FLOOD_WINDOW = datetime.timedelta(minutes=1)
BATCH_SIZE = 2000

# Set while the engine itself changes a case's owner (on accept), so the owner-changed hook does
# not mistake the router's own write for a manual assignment.
routing_write = contextvars.ContextVar("routing_write", default=False)


@dataclass(frozen=True)
class RoutingEvent:
    at: datetime.datetime
    event: str  # offered, accepted, declined, timed_out, withdrawn, awaiting, assigned, released, closed
    case_id: int
    user_id: int | None = None


def _emit(events: list | None, at, event: str, case_id: int, user_id: int | None = None) -> None:
    if events is not None:
        events.append(RoutingEvent(at, event, case_id, user_id))


# --- what a case needs ---------------------------------------------------------------------------


def required_skill_ids(case: Case) -> list[int] | None:
    """The skills a person needs to work `case` on its current chevron, or None when the chevron
    is not routed (no active rule, or closed). Derived skills (patch, language, escalation) count
    only where the service has defined them as skills: an organisation that does not route by
    language simply has no lang-* skills."""
    if case.is_closed:
        return None
    rule = (
        RoutingRule.objects.filter(case_type_id=case.case_type_id, status=case.status, is_active=True)
        .prefetch_related("skills")
        .first()
    )
    if rule is None:
        return None
    ids = {skill.pk for skill in rule.skills.all()}
    if rule.programme_skill_id:
        ids.add(rule.programme_skill_id)
    derived = []
    patch = case.property.patch if case.property is not None else None
    if rule.require_patch and patch is not None:
        derived.append(f"patch-{patch.code.lower()}")
    language = case.contact.preferred_language if case.contact is not None else Language.ENGLISH
    if rule.require_language and language != Language.ENGLISH:
        derived.append(f"lang-{language}")
    if case.is_escalated:
        derived.append("escalation")
    if derived:
        ids.update(Skill.objects.filter(code__in=derived, is_active=True).values_list("pk", flat=True))
    return sorted(ids)


def _priority_rank(case: Case) -> int:
    return 0 if case.priority == Case.Priority.URGENT else 1


# --- bookkeeping: what happens to a case's routing when something changes -------------------------


def _row(case_id: int) -> CaseRouting:
    row = CaseRouting.objects.select_for_update().filter(pk=case_id).first()
    if row is None:
        CaseRouting.objects.get_or_create(case_id=case_id)
        row = CaseRouting.objects.select_for_update().get(pk=case_id)
    return row


def _take_load(user_ids: Iterable[int]) -> None:
    """Give back one unit of load per id (an offer ended, or an accepted case left its chevron)."""
    counts: dict[int, int] = defaultdict(int)
    for user_id in user_ids:
        counts[user_id] += 1
    for user_id, n in counts.items():
        RoutingProfile.objects.filter(user_id=user_id).update(load=F("load") - n)


def _end_current(row: CaseRouting, *, now, events, offer_status: str = Offer.Status.WITHDRAWN) -> list[int]:
    """End whatever the router holds on this case: withdraw a pending offer, or give back the
    accepting person's load. Returns the people whose capacity that freed."""
    freed: list[int] = []
    if row.state == State.OFFERED:
        offer = Offer.objects.select_for_update().filter(case_id=row.pk, status=Offer.Status.PENDING).first()
        if offer is not None:
            Offer.objects.filter(pk=offer.pk).update(status=offer_status, responded_at=now)
            freed.append(offer.user_id)
            _emit(events, now, "withdrawn", row.pk, offer.user_id)
    elif row.state == State.ACCEPTED and row.assignee_id:
        freed.append(row.assignee_id)
    _take_load(freed)
    return freed


def _await(row: CaseRouting, case: Case, skills: list[int], *, now) -> None:
    row.state = State.AWAITING
    row.status = case.status
    row.skill_ids = skills
    row.priority_rank = _priority_rank(case)
    row.waiting_since = now
    row.excluded_user_ids = []
    row.assignee = None


def case_refresh(case: Case, *, now, events: list | None = None) -> list[int]:
    """Bring a case's routing up to date after it was created or changed chevron (or closed): a
    new chevron ends the old routing (offers withdrawn, load given back, a manual assignment
    released) and routes it afresh with the new chevron's skills. Returns the people whose
    capacity was freed. Call inside the transaction that changed the case."""
    row = _row(case.pk)
    if case.is_closed:
        freed = _end_current(row, now=now, events=events)
        if row.state != State.NOT_ROUTABLE:
            _emit(events, now, "closed", case.pk)
        row.state, row.status, row.assignee, row.excluded_user_ids = State.NOT_ROUTABLE, case.status, None, []
        row.updated_at = now
        row.save()
        return freed
    if row.status == case.status and row.state != State.NOT_ROUTABLE:
        return []
    freed = _end_current(row, now=now, events=events)
    skills = required_skill_ids(case)
    if skills is None:
        row.state, row.status, row.assignee, row.excluded_user_ids = State.NOT_ROUTABLE, case.status, None, []
    else:
        _await(row, case, skills, now=now)
    row.updated_at = now
    row.save()
    return freed


def case_requeue(case: Case, skills: list[int], *, now, events: list | None = None) -> list[int]:
    """Route `case` afresh needing exactly `skills` (the simulator's status change)."""
    row = _row(case.pk)
    freed = _end_current(row, now=now, events=events)
    _await(row, case, sorted(skills), now=now)
    row.updated_at = now
    row.save()
    return freed


def case_assigned_by_hand(case: Case, user_id: int, *, now, events: list | None = None) -> list[int]:
    """A person was given the case by hand: it leaves dynamic routing (and nobody's load) until
    its chevron changes or it is released. Going offline does not undo this. A closed case (a
    supervisor may still reassign one) stays out of routing: closing already ended it."""
    if case.is_closed:
        return []
    row = _row(case.pk)
    freed = _end_current(row, now=now, events=events)
    row.state, row.assignee_id, row.excluded_user_ids, row.status = State.MANUAL, user_id, [], case.status
    row.updated_at = now
    row.save()
    _emit(events, now, "assigned", case.pk, user_id)
    return freed


def case_queued(case: Case, *, now, events: list | None = None) -> list[int]:
    """The case was given to a team's work queue: the team takes it from there, not the router."""
    row = _row(case.pk)
    freed = _end_current(row, now=now, events=events)
    row.state, row.assignee, row.excluded_user_ids, row.status = State.NOT_ROUTABLE, None, [], case.status
    row.updated_at = now
    row.save()
    return freed


def case_released(case: Case, *, now, events: list | None = None, skills: list[int] | None = None) -> list[int]:
    """Released to the queue: back to dynamic routing, waiting from now, needing `skills` (by
    default what its routing rule asks for; the simulator passes the scenario's)."""
    row = _row(case.pk)
    freed = _end_current(row, now=now, events=events)
    if skills is None:
        skills = required_skill_ids(case)
    if skills is None:
        row.state, row.assignee = State.NOT_ROUTABLE, None
    else:
        _await(row, case, skills, now=now)
    row.updated_at = now
    row.save()
    _emit(events, now, "released", case.pk)
    return freed


def offers_withdraw_for(user_id: int, *, now, events: list | None = None) -> list[int]:
    """Someone went offline: withdraw their pending offers (their accepted cases stay theirs).
    The cases wait again with their original wait. Returns the case ids."""
    pending = Offer.objects.filter(user_id=user_id, status=Offer.Status.PENDING)
    # The routing rows before the offers: the order a manual assignment or an answer takes them in.
    locked = CaseRouting.objects.select_for_update().filter(pk__in=pending.values("case_id")).order_by("pk")
    list(locked.values_list("pk", flat=True))
    offers = list(pending.select_for_update().order_by("pk"))
    if not offers:
        return []
    case_ids = [offer.case_id for offer in offers]
    Offer.objects.filter(pk__in=[o.pk for o in offers]).update(status=Offer.Status.WITHDRAWN, responded_at=now)
    CaseRouting.objects.filter(pk__in=case_ids, state=State.OFFERED).update(state=State.AWAITING, updated_at=now)
    RoutingProfile.objects.filter(user_id=user_id).update(load=F("load") - len(offers))
    for offer in offers:
        _emit(events, now, "withdrawn", offer.case_id, user_id)
    return case_ids


def offer_accepted(offer: Offer, *, now, events: list | None = None) -> None:
    """The potential owner accepted: they own the case (their load already counts it)."""
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.ACCEPTED, responded_at=now)
    CaseRouting.objects.filter(pk=offer.case_id).update(
        state=State.ACCEPTED, assignee_id=offer.user_id, excluded_user_ids=[], updated_at=now
    )
    _emit(events, now, "accepted", offer.case_id, offer.user_id)


def offer_ended(offer: Offer, status: str, *, now, at=None, events: list | None = None) -> None:
    """A declined or lapsed offer: the person gives back the load and is not offered this case
    again this round; the case waits again, keeping its original wait."""
    at = at or now
    Offer.objects.filter(pk=offer.pk).update(status=status, responded_at=at)
    RoutingProfile.objects.filter(user_id=offer.user_id).update(load=F("load") - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CaseRouting._meta.db_table} SET state = %s, updated_at = %s, "  # noqa: S608 - our table
            "excluded_user_ids = array_append(array_remove(excluded_user_ids, %s), %s) "
            "WHERE case_id = %s AND state = %s",
            [State.AWAITING, at, offer.user_id, offer.user_id, offer.case_id, State.OFFERED],
        )
    _emit(events, at, "declined" if status == Offer.Status.DECLINED else "timed_out", offer.case_id, offer.user_id)


def offers_expire(*, now, events: list | None = None, limit: int = 1000) -> tuple[list[int], list[int]]:
    """Time out every pending offer due by `now` (each at its own expiry time). Returns (case
    ids to route again, people whose capacity was freed)."""
    due = list(
        Offer.objects.select_for_update(skip_locked=True)
        .filter(status=Offer.Status.PENDING, expires_at__lte=now)
        .order_by("expires_at", "pk")[:limit]
    )
    for offer in due:
        offer_ended(offer, Offer.Status.TIMED_OUT, now=now, at=offer.expires_at, events=events)
    return [o.case_id for o in due], [o.user_id for o in due]


# --- offering --------------------------------------------------------------------------------------


@dataclass
class _Staff:
    profile_id: int
    user_id: int
    load: int
    capacity: int
    last: float  # last_offered_at as a timestamp; -inf when never offered
    window_start: datetime.datetime | None
    in_window: int
    skills: frozenset[int]
    planned: int = 0

    def key(self) -> tuple[int, float, int]:
        return (self.load, self.last, self.user_id)


@dataclass
class _Pass:
    """One routing pass's view of the staff, kept in memory across its batches. Eligibility only
    shrinks within a pass (loads only rise), which is what makes the lazy heaps correct."""

    now: datetime.datetime
    max_per_minute: int
    timeout: datetime.timedelta
    staff: dict[int, _Staff] = field(default_factory=dict)
    by_skill: dict[int, set[int]] | None = None  # skill id -> profile ids, when all staff are loaded
    heaps: dict[tuple[int, ...], list] = field(default_factory=dict)

    def window_count(self, st: _Staff) -> int:
        if st.window_start is None or st.window_start <= self.now - FLOOD_WINDOW:
            return 0
        return st.in_window

    def can_take(self, st: _Staff) -> bool:
        return st.load < st.capacity and self.window_count(st) < self.max_per_minute

    def load_all(self) -> None:
        self.by_skill = defaultdict(set)
        for st in self._query(RoutingProfile.objects.all()):
            self.staff[st.profile_id] = st
            for skill in st.skills:
                self.by_skill[skill].add(st.profile_id)

    def _query(self, profiles) -> list[_Staff]:
        rows = profiles.filter(presence=RoutingProfile.Presence.AVAILABLE, load__lt=F("capacity")).values_list(
            "pk",
            "user_id",
            "load",
            "capacity",
            "last_offered_at",
            "offer_window_start",
            "offers_in_window",
            "skill_ids",
        )
        return [
            _Staff(
                pk, user_id, load, capacity, last.timestamp() if last else -math.inf, start, count, frozenset(skills)
            )
            for pk, user_id, load, capacity, last, start, count, skills in rows
        ]

    def heap_for(self, skills: tuple[int, ...]) -> list:
        heap = self.heaps.get(skills)
        if heap is not None:
            return heap
        if self.by_skill is not None:
            members = (
                set(self.staff) if not skills else set.intersection(*(self.by_skill.get(s, set()) for s in skills))
            )
        else:
            found = self._query(RoutingProfile.objects.filter(skill_ids__contains=list(skills)))
            for st in found:
                self.staff.setdefault(st.profile_id, st)
            members = {st.profile_id for st in found}
        heap = [(*self.staff[pid].key(), pid) for pid in members]
        heapq.heapify(heap)
        self.heaps[skills] = heap
        return heap

    def choose(self, skills: tuple[int, ...], excluded: set[int]) -> tuple[_Staff | None, bool]:
        """The least active person who can take a case needing `skills`, skipping `excluded`
        unless everyone who can take it is excluded (then the exclusions are cleared: True)."""
        heap = self.heap_for(skills)
        skipped = []
        chosen = None
        while heap:
            load, last, _user_id, pid = heap[0]
            st = self.staff[pid]
            if (load, last) != (st.load, st.last):
                heapq.heapreplace(heap, (*st.key(), pid))
                continue
            if not self.can_take(st):
                heapq.heappop(heap)  # full or flood-guarded: not again in this pass
                continue
            if st.user_id in excluded:
                skipped.append(heapq.heappop(heap))
                continue
            chosen = st
            break
        cleared = False
        if chosen is None and skipped:
            chosen, cleared = self.staff[skipped[0][3]], True
        for entry in skipped:
            heapq.heappush(heap, entry)
        return chosen, cleared

    def take(self, st: _Staff) -> None:
        if self.window_count(st) == 0:
            st.window_start, st.in_window = self.now, 0
        st.in_window += 1
        st.load += 1
        st.last = self.now.timestamp()
        st.planned += 1


def _claim(*, case_ids, for_skill_sets, after, limit):
    """The next batch of waiting cases in backlog order: all of them, or those among `case_ids`
    together with those that someone holding one of `for_skill_sets` could take."""
    claimed = CaseRouting.objects.select_for_update(skip_locked=True).filter(state=State.AWAITING)
    if case_ids is not None or for_skill_sets:
        scope = Q(pk__in=case_ids or [])
        for skills in for_skill_sets:
            scope |= Q(skill_ids__contained_by=list(skills))
        claimed = claimed.filter(scope)
    if after is not None:
        rank, since, case_id = after
        claimed = claimed.filter(
            Q(priority_rank__gt=rank)
            | Q(priority_rank=rank, waiting_since__gt=since)
            | Q(priority_rank=rank, waiting_since=since, case_id__gt=case_id)
        )
    return list(
        claimed.order_by("priority_rank", "waiting_since", "case_id").values_list(
            "case_id", "skill_ids", "excluded_user_ids", "priority_rank", "waiting_since"
        )[:limit]
    )


_GUARD_SQL = """
UPDATE {table} AS p SET
  load = p.load + v.n,
  last_offered_at = %(now)s,
  offers_in_window = CASE WHEN p.offer_window_start IS NULL OR p.offer_window_start <= %(cut)s
                          THEN v.n ELSE p.offers_in_window + v.n END,
  offer_window_start = CASE WHEN p.offer_window_start IS NULL OR p.offer_window_start <= %(cut)s
                            THEN %(now)s ELSE p.offer_window_start END
FROM unnest(%(ids)s::bigint[], %(ns)s::int[]) AS v(id, n)
WHERE p.id = v.id AND p.presence = 'available' AND p.load + v.n <= p.capacity
  AND (CASE WHEN p.offer_window_start IS NULL OR p.offer_window_start <= %(cut)s
            THEN v.n ELSE p.offers_in_window + v.n END) <= %(max)s
RETURNING p.id
"""

_OFFERED_SQL = """
UPDATE {table} AS r SET state = 'offered', updated_at = %(now)s,
  excluded_user_ids = CASE WHEN v.cleared THEN '{{}}'::bigint[] ELSE r.excluded_user_ids END
FROM unnest(%(ids)s::bigint[], %(cleared)s::boolean[]) AS v(id, cleared)
WHERE r.case_id = v.id
"""


def _take_capacity(plan: dict[int, int], *, now, max_per_minute: int) -> set[int]:
    """Atomically add each person's planned offers to their load, where it still fits their
    capacity, presence and flood guard. Returns the profile ids that took them."""
    if not plan:
        return set()
    ids, ns = zip(*sorted(plan.items()), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            _GUARD_SQL.format(table=RoutingProfile._meta.db_table),
            {"now": now, "cut": now - FLOOD_WINDOW, "ids": list(ids), "ns": list(ns), "max": max_per_minute},
        )
        return {row[0] for row in cursor.fetchall()}


def route(
    *,
    now: datetime.datetime,
    case_ids: Iterable[int] | None = None,
    for_user_id: int | None = None,
    for_user_ids: Iterable[int] = (),
    events: list | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Offer waiting cases: the given ones and those `for_user_id`/`for_user_ids` could take
    (people who just became able to take work), all in one pass in backlog order; or, given
    neither, the whole backlog. Returns the number of offers made. An "awaiting" event is
    reported for each of `case_ids` left waiting. Each batch is its own transaction (savepoint
    inside an outer one)."""
    settings_row = RoutingSettings.current()
    pass_ = _Pass(
        now=now,
        max_per_minute=settings_row.max_offers_per_minute,
        timeout=datetime.timedelta(minutes=settings_row.offer_timeout_minutes),
    )
    wanted = list(case_ids) if case_ids is not None else None
    users = list(dict.fromkeys([*([] if for_user_id is None else [for_user_id]), *for_user_ids]))
    skill_sets = list(RoutingProfile.objects.filter(user_id__in=users).values_list("skill_ids", flat=True))
    if (wanted is not None or users) and not wanted and not skill_sets:
        return 0
    if wanted is None or users:
        pass_.load_all()  # a backlog pass: every available person, one query
    made = 0
    after = None
    while True:
        with transaction.atomic():
            batch = _claim(case_ids=wanted, for_skill_sets=skill_sets, after=after, limit=batch_size)
            if not batch:
                break
            made += _offer_batch(pass_, batch, events=events, report_awaiting=set(wanted or ()))
        after = (*batch[-1][3:], batch[-1][0])
        if len(batch) < batch_size:
            break
    return made


def route_after(
    *, now: datetime.datetime, case_ids: Iterable[int] = (), freed_user_ids: Iterable[int] = (), events=None
) -> int:
    """Event-driven routing after a change: offer the cases it sent back to routing together with
    the waiting work that anyone whose capacity it freed could take, in one pass in backlog order.
    Routing the affected cases first, or one freed person's work before another's, would hand a
    freed slot to a just-declined or just-released normal case ahead of an urgent or
    longer-waiting case that was only waiting for that slot. Returns the number of offers made."""
    case_ids, freed_user_ids = list(case_ids), list(freed_user_ids)
    if not case_ids and not freed_user_ids:
        return 0
    return route(now=now, case_ids=case_ids, for_user_ids=freed_user_ids, events=events)


def sweep(*, now: datetime.datetime, events: list | None = None) -> int:
    """The periodic safety net behind event-driven routing: time out due offers, then offer the
    whole backlog in one pass, so their cases take their place in backlog order (routing them
    first would give the slots they free back to them ahead of older or urgent cases). Returns
    the number of offers made."""
    with transaction.atomic():
        offers_expire(now=now, events=events)
    return route(now=now, events=events)


def _offer_batch(pass_: _Pass, batch, *, events, report_awaiting: set[int]) -> int:
    now = pass_.now
    planned: list[tuple[int, _Staff, bool]] = []
    unplaced: list[int] = []
    for case_id, skills, excluded, _rank, _since in batch:
        st, cleared = pass_.choose(tuple(skills), set(excluded))
        if st is None:
            unplaced.append(case_id)
            continue
        pass_.take(st)
        planned.append((case_id, st, cleared))
    plan: dict[int, int] = defaultdict(int)
    for _, st, _ in planned:
        plan[st.profile_id] += 1
    took = _take_capacity(plan, now=now, max_per_minute=pass_.max_per_minute)
    for pid in set(plan) - took:
        # Someone else's router filled them first (or they went offline): drop the plan for them.
        st = pass_.staff[pid]
        st.load = st.capacity
    placed = [(case_id, st, cleared) for case_id, st, cleared in planned if st.profile_id in took]
    unplaced += [case_id for case_id, st, _ in planned if st.profile_id not in took]
    if placed:
        Offer.objects.bulk_create(
            [
                Offer(case_id=case_id, user_id=st.user_id, offered_at=now, expires_at=now + pass_.timeout)
                for case_id, st, _ in placed
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                _OFFERED_SQL.format(table=CaseRouting._meta.db_table),
                {"now": now, "ids": [c for c, _, _ in placed], "cleared": [cl for _, _, cl in placed]},
            )
        for case_id, st, _ in placed:
            _emit(events, now, "offered", case_id, st.user_id)
    for case_id in unplaced:
        if case_id in report_awaiting:
            _emit(events, now, "awaiting", case_id)
    return len(placed)


def loads_reconcile() -> int:
    """Recompute every person's load from the offers and cases (the counters' source of truth);
    returns how many were wrong. For tests, benchmarks and an operator's repair: it must not run
    while routers are working, as it would count their uncommitted offers out."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH actual AS (
              SELECT p.id,
                     (SELECT count(*) FROM {Offer._meta.db_table} o
                       WHERE o.user_id = p.user_id AND o.status = 'pending')
                   + (SELECT count(*) FROM {CaseRouting._meta.db_table} r
                       WHERE r.assignee_id = p.user_id AND r.state = 'accepted') AS load
              FROM {RoutingProfile._meta.db_table} p
            )
            UPDATE {RoutingProfile._meta.db_table} p SET load = a.load
            FROM actual a WHERE p.id = a.id AND p.load <> a.load
            """  # noqa: S608 - our own table names
        )
        return cursor.rowcount


def rule_changed(case_type_id: int, status: str, *, now, events: list | None = None) -> list[int]:
    """A routing rule for this case type and chevron was added, changed or switched off: bring
    the open cases on it up to date. Waiting cases get the new skills and keep their wait; cases
    that were not routed (no rule before) start waiting now, unless someone owns them or a team
    queue does. Returns the case ids now waiting, for the caller to route."""
    waiting = []
    cases = Case.objects.filter(case_type_id=case_type_id, status=status).select_related("property__patch", "contact")
    for case in cases:
        row = _row(case.pk)
        if row.state in (State.OFFERED, State.ACCEPTED, State.MANUAL):
            continue  # already with someone; the new rule applies from the next chevron
        skills = required_skill_ids(case)
        if skills is None:
            row.state = State.NOT_ROUTABLE
        elif row.state == State.AWAITING:
            row.skill_ids = skills
            waiting.append(case.pk)
        elif case.owner_id is None and case.owner_queue_id is None:
            _await(row, case, skills, now=now)
            waiting.append(case.pk)
        else:
            continue
        row.updated_at = now
        row.save()
    return waiting
