"""Organisations involved in a case (landlord, installer, contractor, agency, advocate): link and
unlink. Both are written to the case's feed (append-only), so an unlinked organisation's part in
the case stays on the record; the audit trail (pghistory) also keeps each link as it was added."""

from __future__ import annotations

from django.db import transaction

from casework.models import Case, CaseActivity, CaseOrganisation, Organisation
from casework.permissions import can_work_case
from casework.services.common import constraint_errors, ensure_case_open, lock_case, require
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User

_DUPLICATE = "{organisation} is already on this case as {role}."


def _ensure_may_change(actor: User | None, case: Case, *, doing: str) -> None:
    require(actor, lambda user: can_work_case(user, case), "Only staff can change the organisations on a case.")
    ensure_case_open(actor, case, doing=doing)


def _role_label(role: str) -> str:
    return CaseOrganisation.Role(role).label.lower()


def _record(case: Case, actor, organisation: Organisation, role: str, change: str, reason: str = "") -> None:
    feed_record(
        case=case,
        kind=CaseActivity.Kind.UPDATED,
        actor=actor,
        summary=f"{organisation.name} {change} as {_role_label(role)}",
        reason=(reason or "").strip(),
        data={"organisation_id": organisation.pk, "role": role, "change": f"organisation_{change}"},
    )


@transaction.atomic
def case_organisation_add(*, actor: User | None, case: Case, organisation: Organisation, role: str) -> CaseOrganisation:
    """Record that `organisation` is involved in `case` as `role`. A case may have several
    organisations in one role (two contractors), and one organisation in several roles, but an
    organisation has each role on a case once. Who: staff (or the system); not on a closed case,
    except supervisors. Raises PermissionDenied, Conflict (closed case), or ValidationError for an
    unknown role or a role the organisation already has on the case."""
    if role not in CaseOrganisation.Role.values:
        choices = ", ".join(CaseOrganisation.Role.values)
        raise errors.ValidationError(fields={"role": [f"Choose a role: one of {choices}."]})
    case = lock_case(case)
    _ensure_may_change(actor, case, doing="change the organisations on it")
    duplicate = errors.ValidationError(
        fields={"role": [_DUPLICATE.format(organisation=organisation.name, role=_role_label(role))]}
    )
    if CaseOrganisation.objects.filter(case=case, organisation=organisation, role=role).exists():
        raise duplicate
    link = CaseOrganisation(case=case, organisation=organisation, role=role)
    link.stamp(actor)
    with audited(actor=actor, action="case_organisation_add"):
        # The row lock on the case makes the check above hold; the constraint is the backstop.
        with constraint_errors({"casework_case_organisation_once": ("role", duplicate.fields["role"][0])}):
            link.save()
        _record(case, actor, organisation, role, "added")
    return link


@transaction.atomic
def case_organisation_remove(*, actor: User | None, link: CaseOrganisation, reason: str = "") -> None:
    """Take an organisation's role off a case (the feed records who did it, and why). Who: staff (or the system);
    not on a closed case, except supervisors. Raises PermissionDenied or Conflict (closed case)."""
    case = lock_case(link.case)
    _ensure_may_change(actor, case, doing="change the organisations on it")
    current = CaseOrganisation.objects.select_related("organisation").filter(pk=link.pk, case=case).first()
    if current is None:
        raise errors.NotFound("That organisation is no longer linked to this case.")
    link = current
    organisation, role = link.organisation, link.role
    with audited(actor=actor, action="case_organisation_remove"):
        link.delete()
        _record(case, actor, organisation, role, "removed", reason=reason)
