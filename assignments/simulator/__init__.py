"""The routing simulator: plays a scenario (staff, cases, events on a simulated clock) through the
real routing engine on the real database, and reports what happened. Supervisors use it for
what-if staffing questions (`manage.py routing_simulate SCENARIO.json`); tests use it to state
the routing rules as scenarios.

Input (JSON):
    {"settings": {"offer_timeout_minutes": 60, "max_offers_per_minute": 10},
     "staff": [{"id": "s1", "skills": ["chaser"], "capacity": 100, "presence": "available"}],
     "cases": [{"id": "c1", "skills": ["chaser"], "priority": "normal", "ready_at": "2025-01-06T09:00:00Z"}],
     "events": [{"at": "2025-01-06T09:05:00Z", "type": "accept", "case": "c1", "staff": "s1"}, ...]}
`settings`, staff `capacity` (100) and `presence` (available) and case `priority` (normal) may be
left out. Event types and their fields: tick; accept, decline (case, staff); presence (staff,
presence); assign (case, staff: by hand); release (case); status_change (case, skills); close
(case); add_case (case: a case object, ready_at defaulting to the event's time); capacity (staff,
capacity). Times are ISO 8601; without an offset they are UTC.

Output: {"log": [{"at", "event", "case", "staff"}, ...],
         "final": {"cases": {"c1": {"state", "staff"}}, "staff": {"s1": {"load": 1}}},
         "ignored": [{"at", "type", "case", "staff", "reason"}, ...]}
`log` events are the engine's: offered, accepted, declined, timed_out, withdrawn, awaiting,
assigned, released, closed. `ignored` lists scripted events that production would have refused or
that change nothing when they come (accepting an offer that has already lapsed or gone to someone
else, working a closed case, releasing a case nobody holds, setting the presence someone has).

How a scenario is played, in time order:
- before anything at time T, every offer due by T times out, each at its own expiry time, and
  its case is routed again at that time (as if each offer had its own timer; in production the
  one-minute sweep notices it);
- cases become ready at their `ready_at` (those ready at the same instant together) and are routed;
- each event does what the service would, then routes what production routes after it
  (routing.route_after): the case(s) it affected together with the waiting work that anyone whose
  capacity it freed could take, in one pass in backlog order. A status change routes the case
  afresh with the given skills (ending a manual assignment, freeing whoever held it); closing
  withdraws its offer or frees its holder. A `tick` is the periodic sweep (routing.sweep): time
  out due offers and offer the whole backlog, which is also when someone held back by the flood
  guard gets the rest of their work.

`on_step`, for tests: called after every step with a Step (its time, kind, event and log lines)
inside the run's transaction, so invariants can be checked against the routing tables.

Isolation: everything runs in one transaction that is rolled back at the end. Inside it the
routing tables (profiles, their skills, case routing, offers, settings) are shadowed by empty
temporary tables of the same shape, so live staff and cases are neither seen nor locked and a
simulation can run against the production database. Scratch staff users, a scratch case type and
the cases are written to the real tables and rolled back with the rest.
"""

from assignments.simulator.play import Simulation, Step, run
from assignments.simulator.scenario import EVENT_FIELDS, Scenario, ScenarioError, iso, load, parse, render

__all__ = ["EVENT_FIELDS", "Scenario", "ScenarioError", "Simulation", "Step", "iso", "load", "parse", "render", "run"]
