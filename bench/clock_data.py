"""SLA and timeout clocks at scale, made with set-based SQL: open tenant applications, each with
a running SLA clock (amber, exceeded and follow-on milestones) and a draft timeout clock
(reminder and closing milestones). A share of them is due now: those SLA clocks have had their
amber warning and reach their target; those timeout clocks have reminded and reach their close."""

from __future__ import annotations

import datetime

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.db import connection

from casework.models import CASE_NUMBER_SEQUENCE, Case, CaseType, Clock, ClockMilestone, SlaRule, SlaRung
from casework.selectors.calendars import default_calendar
from casework.services.clocks import timeout_rules_install
from core.models import User

CASE_TABLE = Case._meta.db_table
CLOCK_TABLE = Clock._meta.db_table
MILESTONE_TABLE = ClockMilestone._meta.db_table
BENCH_TYPE = "bench-clocks"


def clocks_create(*, now: datetime.datetime, cases: int, due_share: float, staff: int = 200) -> CaseType:
    """`cases` open tenant applications at Draft, owned by `staff` people, with their clocks."""
    with pgtrigger.ignore():  # no audit history for generated rows
        return _create(now, cases, due_share, staff)


def _create(now, cases, due_share, staff) -> CaseType:
    case_type, _ = CaseType.objects.get_or_create(
        code=BENCH_TYPE, defaults={"name": "Bench clocks", "workflow": "rental_tenant", "number_prefix": "CLK"}
    )
    timeout_rules_install(case_type)
    sla = SlaRule.objects.create(
        name="Decide within 10 working days", case_type=case_type, target_amount=10, target_unit="working_days"
    )
    SlaRung.objects.create(rule=sla, kind="amber", offset_amount=2, offset_unit="working_days", notify_owner=True)
    SlaRung.objects.create(rule=sla, kind="exceeded", raise_priority=True, add_escalation_skill=True, notify_owner=True)
    SlaRung.objects.create(rule=sla, kind="follow_on", offset_amount=5, offset_unit="working_days", notify_owner=True)
    timeout = SlaRule.objects.get(case_type=case_type, kind="timeout", status="draft")
    unusable = make_password(None)
    owners = User.objects.bulk_create(
        User(email=f"clock{n}@bench.example", kind=User.Kind.STAFF, password=unusable, last_name=f"Owner {n}")
        for n in range(staff)
    )
    calendar = default_calendar()
    template = Case(number="TEMPLATE-CLOCKS", case_type=case_type, workflow=case_type.workflow)
    template.__dict__["status"] = "draft"
    template.created_at = template.updated_at = template.status_changed_at = now
    Case.objects.bulk_create([template])
    columns = [str(f.column) for f in Case._meta.concrete_fields if f.column not in ("id", "number", "owner_id")]
    due_every = round(1 / due_share)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CASE_TABLE} (number, owner_id, {', '.join(columns)}) "  # noqa: S608 - our table
            "SELECT %s || lpad(nextval(%s)::text, 7, '0'), (%s::bigint[])[1 + g %% %s], "
            f"{', '.join('t.' + c for c in columns)} "
            f"FROM {CASE_TABLE} t, generate_series(1, %s) AS g WHERE t.id = %s",
            [f"CLK-{now.year}-", CASE_NUMBER_SEQUENCE, [u.pk for u in owners], staff, cases, template.pk],
        )
        cursor.execute(f"DELETE FROM {CASE_TABLE} WHERE id = %s", [template.pk])  # noqa: S608
        # One clock per rule per case; every `due_every`-th case is due now.
        for rule, days in ((sla, 14), (timeout, 14)):
            budget = datetime.timedelta(days=days)
            cursor.execute(
                f"INSERT INTO {CLOCK_TABLE} (rule_id, case_id, calendar_id, state, started_at, budget, elapsed, "  # noqa: S608
                "remaining, measured_at, warn_at, target_at) "
                "SELECT %s, c.id, %s, 'running', s.started, %s, interval '0', %s, s.started, s.started + %s, "
                "s.started + %s "
                f"FROM {CASE_TABLE} c, LATERAL (SELECT CASE WHEN c.id %% %s = 0 THEN %s::timestamptz - %s "
                "  ELSE %s::timestamptz - interval '1 day' * (c.id %% %s) END AS started) s "
                "WHERE c.case_type_id = %s",
                [
                    rule.pk,
                    calendar.pk,
                    budget,
                    budget,
                    budget - datetime.timedelta(days=3),
                    budget,
                    due_every,
                    now,
                    budget + datetime.timedelta(minutes=1),
                    now,
                    days - 4,
                    case_type.pk,
                ],
            )
        # Milestones: the warning is due 3 days before the target (and has fired where the target
        # is due now), follow-ons 5 days after it.
        for rung in SlaRung.objects.filter(rule__case_type=case_type):
            offset = {"amber": -3, "exceeded": 0, "follow_on": 5}[rung.kind]
            due = datetime.timedelta(days=offset)
            cursor.execute(
                f"INSERT INTO {MILESTONE_TABLE} (clock_id, rung_id, kind, label, due_at, fired_at, messages_pending) "  # noqa: S608
                "SELECT k.id, %s, %s, %s, k.target_at + %s, "
                "CASE WHEN %s AND k.target_at + %s <= %s THEN k.target_at + %s END, false "
                f"FROM {CLOCK_TABLE} k WHERE k.rule_id = %s",
                [rung.pk, rung.rule.kind, str(rung), due, rung.kind == "amber", due, now, due, rung.rule_id],
            )
    return case_type


def vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        for table in (CASE_TABLE, CLOCK_TABLE, MILESTONE_TABLE):
            cursor.execute(f"VACUUM ANALYZE {table}")
