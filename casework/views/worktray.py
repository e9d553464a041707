"""My worktray (/staff/): a caseworker's open cases (filtered, sorted, paginated, counted per
chevron), their tasks due, where they were @mentioned and their saved views. Thin: the reads are
casework.selectors.worktray, the only writes are the saved-view services. The whole page renders
in a constant number of queries whatever the caseload (tests/casework/test_worktray_views.py)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from casework.forms import GovukMixin
from casework.models import Case, CaseType, Patch, Status
from casework.models.saved_filters import SAVED_FILTER_NAME_MAX_LENGTH
from casework.selectors import worktray as selectors
from casework.services import saved_filters as saved_filter_services
from casework.views.worktray_table import worktray_table_class
from core import errors
from core.forms import form_add_domain_error
from core.permissions import has_role, is_supervisor, staff_member_required
from core.roles import Role
from core.selectors import heartbeat_get

CASES_PER_PAGE = 25


class CountedPaginator(Paginator):
    """A paginator told how many rows there are, by a count the page has already made."""

    def __init__(self, object_list, per_page, *args, count: int, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count = count  # in place of Paginator's cached COUNT(*) query


class WorktrayFilterForm(GovukMixin, forms.Form):
    """The filters' form, in GOV.UK markup through {% govuk_field %}, its fields `filter-<name>`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)


class WorktrayFilter(django_filters.FilterSet):
    """The worktray's filters. Patch is the property's patch, else the tenancy's property's
    (selectors.patch_filter): arrears officers work by patch (seed 001)."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Chevron"),
        choices=[(status, Status(status).label) for status in selectors.OPEN_STATUSES],
        empty_label=gettext_lazy("All chevrons"),
    )
    case_type = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Case type"),
        queryset=CaseType.objects.order_by("name"),
        empty_label=gettext_lazy("All types"),
    )
    priority = django_filters.ChoiceFilter(
        label=gettext_lazy("Priority"),
        choices=sorted(Case.Priority.choices, key=lambda choice: selectors.PRIORITY_RANK.get(choice[0], 99)),
        empty_label=gettext_lazy("All priorities"),
    )
    patch = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Patch"),
        queryset=Patch.objects.order_by("code"),
        method="filter_patch",
        empty_label=gettext_lazy("All patches"),
    )

    class Meta:
        model = Case
        fields = ["status", "case_type", "priority", "patch"]
        form = WorktrayFilterForm

    def filter_patch(self, queryset, name, value):
        return queryset.filter(selectors.patch_filter(value))

    def qs_without(self, name: str):
        """The cases filtered by everything but `name` (the chevron counts ignore the chevron
        filter, so each count says what its link will show). No further queries to validate."""
        cases = self.queryset.all()
        if self.is_bound and self.form.is_valid():
            for key, value in self.form.cleaned_data.items():
                if key != name:
                    cases = self.filters[key].filter(cases, value)
        return cases


class SavedFilterForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name this view"),
        max_length=SAVED_FILTER_NAME_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Enter a name for this view.")},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20", "id": "saved-view-name"}),
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)


def _page(request, *, save_form: SavedFilterForm | None = None, status: int = 200):
    user = request.user
    base = selectors.worktray_case_list_for(user=user)
    filters = WorktrayFilter(request.GET or None, queryset=base)
    valid = not filters.is_bound or filters.form.is_valid()
    current_status = filters.form.cleaned_data.get("status", "") if filters.is_bound and valid else ""
    counts = selectors.chevron_counts(filters.qs_without("status"), current=current_status)
    paginate: dict = {"per_page": CASES_PER_PAGE}
    if valid:
        # The chevron counts already say how many cases the list holds: no second COUNT query.
        listed = sum(count["count"] for count in counts if not current_status or count["status"] == current_status)
        paginate.update(paginator_class=CountedPaginator, count=listed)
    table = worktray_table_class()(filters.qs)  # configured once, below (given the request, it would paginate twice)
    RequestConfig(request, paginate=paginate).configure(table)
    for count in counts:
        count["query"] = selectors.worktray_query(request.GET, status=count["status"])
    query = selectors.worktray_query(request.GET)
    saved = list(selectors.saved_filter_list_for(user=user))
    supervisor = is_supervisor(user)  # loads the person's roles once; has_role reuses them
    context = {
        "filters": filters,
        "table": table,
        "counts": counts,
        "counts_total": sum(count["count"] for count in counts),
        "all_query": selectors.worktray_query(request.GET, status=None),
        "current_status": current_status,
        "query": query,
        "tasks": selectors.worktray_task_list_for(user=user),
        "mentions": selectors.mention_list_for(user=user),
        "saved_filters": saved,
        "save_form": save_form or SavedFilterForm(initial={"query": query}),
        "is_supervisor": supervisor,
        "roles": [role.label for role in Role if has_role(user, role)],
        "heartbeat": heartbeat_get(name="worker"),
    }
    return render(request, "casework/worktray.html", context, status=status)


@require_GET
@staff_member_required
def worktray(request):
    return _page(request)


@require_POST
@staff_member_required
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        # Only the worktray's own parameters are kept, whatever was posted.
        query = selectors.worktray_query(QueryDict(form.cleaned_data["query"]))
        try:
            saved = saved_filter_services.saved_filter_save(
                actor=request.user, name=form.cleaned_data["name"], query=query
            )
        except errors.DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved this view as “%(name)s”.") % {"name": saved.name})
            return redirect(_worktray_url(saved.query))
    # Re-show the worktray the person was looking at, with the form's errors.
    request.GET = QueryDict(form.data.get("query", ""))
    return _page(request, save_form=form, status=400)


@require_POST
@staff_member_required
def saved_filter_delete(request, saved_filter_id: int):
    saved = selectors.saved_filter_get(user=request.user, saved_filter_id=saved_filter_id)
    saved_filter_services.saved_filter_delete(actor=request.user, saved_filter=saved)
    messages.success(request, _("Deleted the saved view “%(name)s”.") % {"name": saved.name})
    return redirect(_worktray_url(selectors.worktray_query(QueryDict(request.POST.get("query", "")))))


def _worktray_url(query: str) -> str:
    url = reverse("staff-home")
    return f"{url}?{query}" if query else url
