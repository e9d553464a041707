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
  A plan the UPDATE refuses is dropped and the case waits for the next pass;
- the people's rows are locked in id order before that UPDATE, so routers whose batches share
  people never deadlock on each other.

How it stays fast (bench/test_routing_*.py): one claim and one write statement per batch of cases;
the choice itself is made in memory on bit masks (per skill, per load level), so each case costs a
few integer operations however many people and skill sets there are; and routing a handful of
cases (an event) asks SQL only for the few people who could be chosen.

Every function takes `now` (the simulator runs a simulated clock) and an optional `events` list
that receives a RoutingEvent per thing that happened.
"""

from __future__ import annotations

import bisect
import contextvars
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

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


def _active_rule(case_type_id: int, status: str) -> RoutingRule | None:
    return (
        RoutingRule.objects.filter(case_type_id=case_type_id, status=status, is_active=True)
        .prefetch_related("skills")
        .first()
    )


def _derived_codes(rule: RoutingRule, case: Case) -> list[str]:
    """The skill codes this case adds to its rule's: patch, language, escalation."""
    derived = []
    patch = case.property.patch if case.property is not None else None
    if rule.require_patch and patch is not None:
        derived.append(f"patch-{patch.code.lower()}")
    language = case.contact.preferred_language if case.contact is not None else Language.ENGLISH
    if rule.require_language and language != Language.ENGLISH:
        derived.append(f"lang-{language}")
    if case.is_escalated:
        derived.append("escalation")
    return derived


def _rule_skill_ids(rule: RoutingRule) -> set[int]:
    ids = {skill.pk for skill in rule.skills.all()}
    if rule.programme_skill_id:
        ids.add(rule.programme_skill_id)
    return ids


def required_skill_ids(case: Case) -> list[int] | None:
    """The skills a person needs to work `case` on its current chevron, or None when the chevron
    is not routed (no active rule, or closed). Derived skills (patch, language, escalation) count
    only where the service has defined them as skills: an organisation that does not route by
    language simply has no lang-* skills."""
    if case.is_closed:
        return None
    rule = _active_rule(case.case_type_id, case.status)
    if rule is None:
        return None
    ids = _rule_skill_ids(rule)
    derived = _derived_codes(rule, case)
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


def case_escalated(case: Case, *, now, events: list | None = None) -> list[int]:
    """An SLA rule made the case urgent or escalated it. With a person (accepted, or assigned
    by hand) it stays theirs, at its new priority; waiting, it keeps its place in the backlog but
    needs the new skills (escalation); offered, the offer is withdrawn and it is routed afresh to
    someone who holds them. Returns the people whose capacity was freed."""
    row = _row(case.pk)
    if row.state in (State.ACCEPTED, State.MANUAL):
        row.priority_rank = _priority_rank(case)
        row.save(update_fields=["priority_rank"])
        return []
    skills = required_skill_ids(case)
    freed = _end_current(row, now=now, events=events)
    if skills is None:
        row.state, row.assignee = State.NOT_ROUTABLE, None
    else:
        waiting = row.waiting_since
        _await(row, case, skills, now=now)
        row.waiting_since = waiting or now
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

# A pass over at most this many given cases (an event: a new case, a decline) asks SQL for the few
# people who could be chosen; bigger passes load everyone who can take work, once.
SMALL_PASS = 32


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


def _lowest_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _mask(positions: Iterable[int], size: int) -> int:
    bits = bytearray((size + 7) // 8)
    for pos in positions:
        bits[pos >> 3] |= 1 << (pos & 7)
    return int.from_bytes(bits, "little")


class _Pool:
    """The people one batch or pass can offer work to, indexed so that finding the least active
    eligible holder of a skill set takes a few operations on bit masks (Python ints), however
    many people and skill sets there are.

    Each person has a bit in two orders: by (last offered, user id), and by user id. Per load
    level, three masks hold the people on that load in key order: those last offered before
    `now` (first order), those last offered at `now` - everyone offered work in this pass - (by
    user id, the only tie-break left among them), and those last offered after `now` (a clock
    that went backwards; first order again). A skill set's holders are the AND of its skills'
    masks, in both orders. Eligibility only shrinks within a pass (loads only rise), so someone
    who can take no more simply leaves the masks."""

    def __init__(self, people: Iterable[_Staff], *, now: datetime.datetime, max_per_minute: int) -> None:
        self.now, self.now_ts, self.max_per_minute = now, now.timestamp(), max_per_minute
        self.people = sorted((st for st in people if self.can_take(st)), key=lambda st: (st.last, st.user_id))
        size = len(self.people)
        self.by_uid = sorted(range(size), key=lambda i: self.people[i].user_id)  # rank by user id -> index
        self.uid_rank = [0] * size
        for rank, i in enumerate(self.by_uid):
            self.uid_rank[i] = rank
        self.index = {st.user_id: i for i, st in enumerate(self.people)}
        holders: dict[int, list[int]] = defaultdict(list)
        levels: dict[int, tuple[list[int], list[int], list[int]]] = defaultdict(lambda: ([], [], []))
        self.group = [0] * size
        for i, st in enumerate(self.people):
            for skill in st.skills:
                holders[skill].append(i)
            group = 0 if st.last < self.now_ts else 1 if st.last == self.now_ts else 2
            self.group[i] = group
            levels[st.load][group].append(self.uid_rank[i] if group == 1 else i)
        self.skill_masks = {
            skill: (_mask(found, size), _mask((self.uid_rank[i] for i in found), size))
            for skill, found in holders.items()
        }
        self.everyone = (1 << size) - 1
        self.alive = self.everyone  # first order: everyone still in some level's masks
        self.levels = {load: [_mask(found, size) for found in groups] for load, groups in levels.items()}
        self.order = sorted(self.levels)
        self.sets: dict[tuple[int, ...], tuple[int, int]] = {}

    def window_count(self, st: _Staff) -> int:
        if st.window_start is None or st.window_start <= self.now - FLOOD_WINDOW:
            return 0
        return st.in_window

    def can_take(self, st: _Staff) -> bool:
        return st.load < st.capacity and self.window_count(st) < self.max_per_minute

    def _holders(self, skills: tuple[int, ...]) -> tuple[int, int]:
        found = self.sets.get(skills)
        if found is None:
            first = by_uid = self.everyone
            for skill in skills:
                in_first, in_uid = self.skill_masks.get(skill, (0, 0))
                first, by_uid = first & in_first, by_uid & in_uid
            found = self.sets[skills] = (first, by_uid)
        return found

    def _first(self, first: int, by_uid: int) -> int | None:
        """The least active person among those masks, in key order level by level."""
        for load in self.order:
            before, at_now, after = self.levels[load]
            if found := before & first:
                return _lowest_bit(found)
            if found := at_now & by_uid:
                return self.by_uid[_lowest_bit(found)]
            if found := after & first:
                return _lowest_bit(found)
        return None

    def choose(self, skills: tuple[int, ...], excluded: Iterable[int]) -> tuple[int | None, bool]:
        """The least active person who can take a case needing `skills`, skipping `excluded`
        user ids unless everyone who can take it is excluded (then the exclusions are cleared:
        True). Returns an index into self.people, or None."""
        first, by_uid = self._holders(skills)
        if not first & self.alive:
            return None, False
        skip_first = skip_uid = 0
        for user_id in excluded:
            i = self.index.get(user_id)
            if i is not None:
                skip_first |= 1 << i
                skip_uid |= 1 << self.uid_rank[i]
        if skip_first & first & self.alive:
            chosen = self._first(first & ~skip_first, by_uid & ~skip_uid)
            if chosen is None:
                return self._first(first, by_uid), True
            return chosen, False
        return self._first(first, by_uid), False

    def _leave(self, i: int) -> None:
        load, group = self.people[i].load, self.group[i]
        masks = self.levels[load]
        masks[group] &= ~(1 << (self.uid_rank[i] if group == 1 else i))
        if not any(masks):
            del self.levels[load]
            self.order.remove(load)

    def take(self, i: int) -> None:
        """Plan one more offer to person i: their load, last offer and flood window move on."""
        st = self.people[i]
        self._leave(i)
        if self.window_count(st) == 0:
            st.window_start, st.in_window = self.now, 0
        st.in_window += 1
        st.load += 1
        st.last = self.now_ts
        if not self.can_take(st):
            self.alive &= ~(1 << i)
            return
        masks = self.levels.get(st.load)
        if masks is None:
            masks = self.levels[st.load] = [0, 0, 0]
            bisect.insort(self.order, st.load)
        masks[1] |= 1 << self.uid_rank[i]
        self.group[i] = 1

    def drop(self, i: int) -> None:
        """Person i can take nothing more in this pass (another router filled them first, or
        they went offline)."""
        if self.alive & (1 << i):
            self._leave(i)
            self.alive &= ~(1 << i)


_PROFILES = RoutingProfile._meta.db_table
_STAFF_COLUMNS = (
    "p.id, p.user_id, p.load, p.capacity, p.last_offered_at, p.offer_window_start, p.offers_in_window, p.skill_ids"
)
_ELIGIBLE = (
    "p.presence = 'available' AND p.load < p.capacity AND (p.offer_window_start IS NULL "
    "OR p.offer_window_start <= %(cut)s OR p.offers_in_window < %(max)s)"
)
_EVERYONE_SQL = f"SELECT {_STAFF_COLUMNS} FROM {_PROFILES} p WHERE {_ELIGIBLE}"  # noqa: S608 - our table
# For each skill set, the first n eligible holders in the order people are chosen in: enough for a
# small batch (see _candidates), in one statement.
_CANDIDATES_SQL = f"""
SELECT DISTINCT ON (p.id) {_STAFF_COLUMNS}
FROM unnest(%(sets)s::text[], %(limits)s::int[]) AS s(skills, n)
CROSS JOIN LATERAL (
  SELECT * FROM {_PROFILES} p WHERE {_ELIGIBLE} AND p.skill_ids @> s.skills::bigint[]
  ORDER BY p.load, p.last_offered_at NULLS FIRST, p.user_id LIMIT s.n
) AS p
"""  # noqa: S608 - our table


def _pg_array(values: Iterable) -> str:
    """A PostgreSQL array literal of numbers or booleans: much cheaper to send than a list."""
    return "{" + ",".join("t" if v is True else "f" if v is False else str(v) for v in values) + "}"


def _staff(sql: str, params: dict) -> list[_Staff]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            _Staff(
                pk, user_id, load, capacity, last.timestamp() if last else -math.inf, start, count, frozenset(skills)
            )
            for pk, user_id, load, capacity, last, start, count, skills in cursor.fetchall()
        ]


def _candidates(batch, *, now, max_per_minute: int) -> list[_Staff]:
    """The people who could be chosen for a small batch. For each skill set, the first
    len(batch) + (people excluded from its cases) + 1 eligible holders in key order are enough:
    while the batch is planned, at most len(batch) - 1 of them have been offered something (and
    so moved down the order), so an untouched, not excluded one always remains ahead of every
    holder not fetched. Fewer rows than asked means all the holders."""
    excluded: dict[tuple[int, ...], set[int]] = defaultdict(set)
    for _case_id, skills, skip, _rank, _since in batch:
        excluded[tuple(skills)].update(skip)
    sets = list(excluded)
    return _staff(
        _CANDIDATES_SQL,
        {
            "sets": [_pg_array(skills) for skills in sets],
            "limits": [len(batch) + len(excluded[skills]) + 1 for skills in sets],
            "cut": now - FLOOD_WINDOW,
            "max": max_per_minute,
        },
    )


_CLAIM_SQL = """
SELECT r.case_id, r.skill_ids, r.excluded_user_ids, r.priority_rank, r.waiting_since::text AS since
FROM {table} r WHERE r.state = 'awaiting' {filters}
ORDER BY r.priority_rank, r.waiting_since, r.case_id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
"""


def _claim(*, case_ids, for_skill_sets, after, limit):
    """Lock the next waiting cases in routing order that no other router holds: all of them, or
    those among `case_ids` together with those that someone holding one of `for_skill_sets`
    could take. `after` is the last claimed case's (priority rank, wait as text, id): the cursor
    through the backlog."""
    filters, params = [], {"limit": limit}
    if case_ids is not None or for_skill_sets:
        scope = ["r.case_id = ANY(%(ids)s::bigint[])"]
        params["ids"] = _pg_array(case_ids or [])
        for n, skills in enumerate(for_skill_sets):
            scope.append(f"r.skill_ids <@ %(skills{n})s::bigint[]")
            params[f"skills{n}"] = _pg_array(skills)
        filters.append(f"AND ({' OR '.join(scope)})")
    if after is not None:
        filters.append(
            "AND (r.priority_rank, r.waiting_since, r.case_id) > (%(rank)s, %(since)s::timestamptz, %(case)s)"
        )
        params["rank"], params["since"], params["case"] = after
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL.format(table=CaseRouting._meta.db_table, filters=" ".join(filters)), params)
        return cursor.fetchall()


# One statement per batch: take each person's planned offers from their capacity where it still
# fits (capacity, presence and flood guard re-checked on the latest row, so two routers cannot
# both fill someone's last slot), then write the offers of the people who took them and mark
# those cases offered. People's rows are locked in id order first, so routers never deadlock.
_OFFER_SQL = """
WITH plan AS (
  SELECT * FROM unnest(%(cases)s::bigint[], %(profiles)s::bigint[], %(users)s::bigint[], %(cleared)s::boolean[])
    AS x(case_id, profile_id, user_id, cleared)
), wanted AS (
  SELECT profile_id AS id, count(*)::int AS n FROM plan GROUP BY profile_id
), locked AS MATERIALIZED (
  SELECT p.id FROM {profiles} p WHERE p.id IN (SELECT id FROM wanted) ORDER BY p.id FOR NO KEY UPDATE
), took AS (
  UPDATE {profiles} AS p SET
    load = p.load + v.n,
    last_offered_at = %(now)s,
    offers_in_window = CASE WHEN p.offer_window_start IS NULL OR p.offer_window_start <= %(cut)s
                            THEN v.n ELSE p.offers_in_window + v.n END,
    offer_window_start = CASE WHEN p.offer_window_start IS NULL OR p.offer_window_start <= %(cut)s
                              THEN %(now)s ELSE p.offer_window_start END
  FROM wanted v JOIN locked USING (id)
  WHERE p.id = v.id AND p.presence = 'available' AND p.load + v.n <= p.capacity
    AND (CASE WHEN p.offer_window_start IS NULL OR p.offer_window_start <= %(cut)s
              THEN v.n ELSE p.offers_in_window + v.n END) <= %(max)s
  RETURNING p.id
), placed AS (
  SELECT plan.* FROM plan JOIN took ON took.id = plan.profile_id
), offered AS (
  INSERT INTO {offers} (case_id, user_id, status, offered_at, expires_at, note)
  SELECT case_id, user_id, 'pending', %(now)s, %(expires)s, '' FROM placed
), routed AS (
  UPDATE {routing} AS r SET state = 'offered', updated_at = %(now)s,
    excluded_user_ids = CASE WHEN placed.cleared THEN '{{}}'::bigint[] ELSE r.excluded_user_ids END
  FROM placed WHERE r.case_id = placed.case_id
)
SELECT id FROM took
"""


def _write_offers(pool: _Pool, planned, *, timeout, max_per_minute: int) -> set[int]:
    """Make the planned offers that still fit; returns the profile ids that took theirs."""
    now = pool.now
    with connection.cursor() as cursor:
        cursor.execute(
            _OFFER_SQL.format(profiles=_PROFILES, offers=Offer._meta.db_table, routing=CaseRouting._meta.db_table),
            {
                "cases": _pg_array(case_id for case_id, _, _ in planned),
                "profiles": _pg_array(pool.people[i].profile_id for _, i, _ in planned),
                "users": _pg_array(pool.people[i].user_id for _, i, _ in planned),
                "cleared": _pg_array(cleared for _, _, cleared in planned),
                "now": now,
                "expires": now + timeout,
                "cut": now - FLOOD_WINDOW,
                "max": max_per_minute,
            },
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
    max_per_minute = settings_row.max_offers_per_minute
    timeout = datetime.timedelta(minutes=settings_row.offer_timeout_minutes)
    wanted = list(case_ids) if case_ids is not None else None
    users = list(dict.fromkeys([*([] if for_user_id is None else [for_user_id]), *for_user_ids]))
    skill_sets = list(RoutingProfile.objects.filter(user_id__in=users).values_list("skill_ids", flat=True))
    if (wanted is not None or users) and not wanted and not skill_sets:
        return 0
    pool = None
    if wanted is None or users or len(wanted) > SMALL_PASS:
        # A pass over many cases: everyone who can take work, one query, kept across batches.
        people = _staff(_EVERYONE_SQL, {"cut": now - FLOOD_WINDOW, "max": max_per_minute})
        pool = _Pool(people, now=now, max_per_minute=max_per_minute)
    made = 0
    after = None
    while True:
        with transaction.atomic():
            batch = _claim(case_ids=wanted, for_skill_sets=skill_sets, after=after, limit=batch_size)
            if not batch:
                break
            if pool is None:  # a few given cases: only the people who could be chosen for them
                candidates = _candidates(batch, now=now, max_per_minute=max_per_minute)
                batch_pool = _Pool(candidates, now=now, max_per_minute=max_per_minute)
            else:
                batch_pool = pool
            made += _offer_batch(
                batch_pool,
                batch,
                timeout=timeout,
                max_per_minute=max_per_minute,
                events=events,
                report_awaiting=set(wanted or ()),
            )
        after = (*batch[-1][3:], batch[-1][0])
        if len(batch) < batch_size or (wanted is None and pool is not None and not pool.alive):
            break  # the end of the backlog, or nobody left who can take anything in this pass
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


def _offer_batch(pool: _Pool, batch, *, timeout, max_per_minute: int, events, report_awaiting: set[int]) -> int:
    now = pool.now
    planned: list[tuple[int, int, bool]] = []  # (case id, index into pool.people, exclusions cleared)
    unplaced: list[int] = []
    for case_id, skills, excluded, _rank, _since in batch:
        chosen, cleared = pool.choose(tuple(skills), excluded)
        if chosen is None:
            unplaced.append(case_id)
            continue
        pool.take(chosen)
        planned.append((case_id, chosen, cleared))
    placed = 0
    if planned:
        took = _write_offers(pool, planned, timeout=timeout, max_per_minute=max_per_minute)
        for case_id, i, _ in planned:
            if pool.people[i].profile_id in took:
                placed += 1
                _emit(events, now, "offered", case_id, pool.people[i].user_id)
            else:
                # Someone else's router filled them first (or they went offline): drop the plan
                # for them, and offer them nothing more in this pass.
                pool.drop(i)
                unplaced.append(case_id)
    for case_id in unplaced:
        if case_id in report_awaiting:
            _emit(events, now, "awaiting", case_id)
    return placed


@transaction.atomic
def loads_reconcile() -> int:
    """Recompute every person's load from the offers and cases (the counters' source of truth);
    returns how many were wrong. An operator's repair (a supervisor starts it from the jobs page),
    safe while routers work: it first locks every routing profile in id order, the order routers
    lock people in, so it waits for routers that hold some to commit, and routers that start
    after it wait for it. The recount then reads only committed offers, and every other load
    change is relative (load = load ± n), so it applies on top of the corrected value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {RoutingProfile._meta.db_table} ORDER BY id FOR UPDATE"  # noqa: S608 - our own table
        )
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
    queue does. Returns the case ids now waiting, for the caller to route. A handful of queries
    whatever the number of cases: the rule, the skill codes and the routing rows are read once."""
    cases = list(
        Case.objects.filter(case_type_id=case_type_id, status=status).select_related("property__patch", "contact")
    )
    if not cases:
        return []
    rule = _active_rule(case_type_id, status)
    rule_ids = _rule_skill_ids(rule) if rule is not None else set()
    skill_by_code = dict(Skill.objects.filter(is_active=True).values_list("code", "pk"))
    CaseRouting.objects.bulk_create([CaseRouting(case_id=case.pk) for case in cases], ignore_conflicts=True)
    rows = CaseRouting.objects.select_for_update().in_bulk([case.pk for case in cases])
    waiting = []
    for case in cases:
        row = rows[case.pk]
        if row.state in (State.OFFERED, State.ACCEPTED, State.MANUAL):
            continue  # already with someone; the new rule applies from the next chevron
        if rule is None:
            row.state = State.NOT_ROUTABLE
        else:
            derived = {skill_by_code[code] for code in _derived_codes(rule, case) if code in skill_by_code}
            skills = sorted(rule_ids | derived)
            if row.state == State.AWAITING:
                row.skill_ids = skills
            elif case.owner_id is None and case.owner_queue_id is None:
                _await(row, case, skills, now=now)
            else:
                continue
            waiting.append(case.pk)
        row.updated_at = now
        row.save()
    return waiting
