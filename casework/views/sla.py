"""Supervisors' list of cases past their SLA's amber warning or target: most overdue first,
filtered by amber or exceeded and by case type, each with its owner and time to or since the
target."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from casework.forms import GovukMixin
from casework.models import CaseType
from casework.selectors.clocks import sla_badge, sla_problem_list_for
from core.permissions import staff_member_required

PAGE_SIZE = 50


class SlaFilterForm(GovukMixin, forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Amber and exceeded")), ("amber", _("Amber only")), ("exceeded", _("Exceeded only"))],
    )
    case_type = forms.ModelChoiceField(
        label=_("Case type"), required=False, queryset=CaseType.objects.order_by("name"), empty_label=_("All")
    )


@require_GET
@staff_member_required
def sla_list(request):
    form = SlaFilterForm(request.GET or None, auto_id="sla-%s")
    filters = form.cleaned_data if form.is_valid() else {}
    case_type = filters.get("case_type")
    clocks = sla_problem_list_for(
        user=request.user, state=filters.get("state", ""), case_type_id=case_type.pk if case_type else None
    )
    page = Paginator(clocks, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (clock, sla_badge(warn_at=clock.warn_at, target_at=clock.target_at, paused=False)) for clock in page.object_list
    ]
    return render(request, "casework/sla_list.html", {"form": form, "page": page, "rows": rows}, status=200)
