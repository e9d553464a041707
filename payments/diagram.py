"""The payment status machine as a Mermaid state diagram, drawn from the transitions declared on
payments.models.Payment (django-fsm's metadata), so the diagram in docs/adr/0016 is the code's.
`manage.py payment_diagram` prints it; a test keeps the ADR's copy identical."""

from __future__ import annotations

from payments.models import Payment, PaymentStatus


def transitions() -> list[tuple[str, str, str]]:
    """Every (source, target, transition name) of Payment.status, in the order of the statuses
    and then of the transitions' declaration."""
    field = Payment._meta.get_field("status")
    edges = [(str(t.source), str(t.target), t.name) for t in field.get_all_transitions(Payment)]  # type: ignore[attr-defined]
    order = {status: i for i, status in enumerate(PaymentStatus.values)}
    declared = {name: i for i, name in enumerate(vars(Payment))}
    return sorted(edges, key=lambda e: (order[e[0]], declared.get(e[2], 0), order[e[1]]))


def final_statuses() -> list[str]:
    """The statuses no transition leaves (reached by one, but with no way out)."""
    edges = transitions()
    sources = {source for source, _, _ in edges}
    return [status for status in PaymentStatus.values if status not in sources]


def status_diagram() -> str:
    """A Mermaid `stateDiagram-v2` of the payment statuses: the initial status, every transition
    labelled with its name, and the statuses with no way out marked as final."""
    initial = Payment._meta.get_field("status").default
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    lines += [f"    {source} --> {target}: {name}" for source, target, name in transitions()]
    lines += [f"    {status} --> [*]" for status in final_statuses()]
    return "\n".join(lines) + "\n"
