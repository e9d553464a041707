"""Kinds of long work in routing that staff start from the jobs page (see core.jobs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assignments import routing
from core.jobs import job_kind, job_progress
from core.permissions import is_supervisor


@job_kind(
    "routing.loads_reconcile",
    label=_("Recount staff loads"),
    who_may_start=is_supervisor,
    start_button=_("Recount staff loads"),
)
def loads_recount(job, **params) -> dict:
    """Recompute every person's load from their pending offers and accepted cases. One SQL
    statement, so progress is 0 of 1, then done."""
    job_progress(job.pk, done=0, total=1, message=str(_("Counting offers and cases for each person")))
    corrected = routing.loads_reconcile()
    message = ngettext(
        "%(count)d load was wrong and is corrected.", "%(count)d loads were wrong and are corrected.", corrected
    ) % {"count": corrected}
    return {"message": message}
