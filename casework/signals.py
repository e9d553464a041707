"""Hooks other apps (routing, automation, arrears, payments, communications) connect to, so they
can react to casework without casework importing them.

Sent inside the service's transaction, after the change is saved: a receiver's own writes commit
or roll back with it. A receiver that starts a job or talks to the outside world must defer that
with transaction.on_commit.
"""

from django.dispatch import Signal

# case, actor
case_created = Signal()
# case, actor, from_status, to_status, transition (the method name), reason
case_status_changed = Signal()
# case, actor, previous_owner, previous_queue
case_owner_changed = Signal()
# case_ids, now: cases an SLA or timeout rule changed in bulk (priority, escalation, owner, status)
cases_changed_by_rules = Signal()
