"""The case page: where the case is (the chevron bar), what it is about, and what can be done
next. Sections (tasks, feed, documents, reviews, referrals, appointments; later letters, SLA,
payments, consents) are partials that htmx refreshes in place."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from casework.selectors.cases import case_get
from core.permissions import staff_member_required


@require_GET
@staff_member_required
def case_detail(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    return render(request, "casework/case_detail.html", {"case": case})
