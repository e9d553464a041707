"""What the staff pages and the API call a recommended action. Rent and leasehold service-charge
accounts share the rule engine, but a leaseholder is never served a NOSP: the same step is their
letter before action, and their letters are the leasehold Letter 1 and Letter 2."""

from __future__ import annotations

from arrears.models.accounts import AccountKind
from arrears.rules import Classification

_SERVICE_CHARGE_LABELS = {
    Classification.SEND_LETTER_ONE: "Send leasehold Letter 1",
    Classification.SEND_LETTER_TWO: "Send leasehold Letter 2",
    Classification.SEND_NOSP: "Send letter before action",
}


def action_label(classification: str, kind: str) -> str:
    """The recommended action as people on that kind of account's worktray call it ("" for an
    account not yet classified)."""
    if not classification:
        return ""
    try:
        value = Classification(classification)
    except ValueError:
        return classification
    if kind == AccountKind.SERVICE_CHARGE and value in _SERVICE_CHARGE_LABELS:
        return _SERVICE_CHARGE_LABELS[value]
    return str(value.label)


def action_choices(kind: str) -> list[tuple[str, str]]:
    """Every recommended action with its label for `kind`, in the rules' order of definition
    (for filters and charts)."""
    return [(value, action_label(value, kind)) for value in Classification.values]
