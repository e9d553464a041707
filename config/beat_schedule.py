"""The one place periodic jobs are scheduled. Business deadlines live in database rows and the
jobs here sweep for what is due, so nothing depends on beat's own state (docs/adr/0005)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Tells operators (on /healthz) that the scheduler and a worker are both alive.
    "record-worker-heartbeat": {
        "task": "core.tasks.record_heartbeat",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Routing's safety net: time out due offers and offer whatever still waits.
    "routing-sweep": {
        "task": "assignments.routing_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The supervisor charts' backlog over time: one snapshot per 15-minute slot (reruns write nothing).
    "backlog-snapshot": {
        "task": "assignments.backlog_snapshot",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
    # Messages: retries with backoff, hand-overs a dead worker left, providers' delivery news.
    "messages-sweep": {
        "task": "communications.messages_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # SLA rungs (amber warnings, targets exceeded, follow-ons) and timeouts (reminders, closing).
    "sla-sweep": {
        "task": "casework.sla_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "timeout-sweep": {
        "task": "casework.timeout_sweep",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # Workflow paths waiting on a delay (a fixed time, or until a date).
    "delays-sweep": {
        "task": "casework.delays_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Arrears: every account derived, its arrangement checked, classified, and the letters it
    # needs sent (after the housing system's nightly export has been imported).
    "arrears-nightly": {
        "task": "arrears.nightly_run",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 6 * 3600},
    },
    # Payments: each active stipend's months now due (the coming month, paid in advance).
    "payments-stipends": {
        "task": "payments.stipends_run",
        "schedule": crontab(hour=1, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # The weekly text-message nudge for accounts a little behind (arrears-worktray.md §6).
    "arrears-weekly-nudges": {
        "task": "arrears.weekly_nudges",
        "schedule": crontab(hour=8, minute=0, day_of_week="fri"),
        "options": {"expires": 4 * 3600},
    },
}
