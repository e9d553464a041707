"""Search across cases, contacts and properties: one box, grouped results, and a paginated
"show all" list for one group at a time."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from casework.selectors.search import GROUPS, search_for, search_querysets, search_text_clean
from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required

PAGE_SIZE = 25
GROUP_LIMIT = 10


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Case number, name, address or postcode"))
    # Carried in links, never typed: an error on it has no control to link to.
    type = forms.ChoiceField(required=False, choices=[("", "")] + [(g, g) for g in GROUPS], widget=forms.HiddenInput)


@require_GET
@staff_member_required
def search(request):
    """GET only (a search changes nothing): without `q` the empty form; with it, every group's
    first rows, or with `type` one group paginated."""
    form = SearchForm(request.GET, auto_id="search-%s")  # the ids of the hand-built box
    context: dict[str, object] = {"form": form}
    if "q" not in request.GET or not form.is_valid():
        return render(request, "casework/search.html", context, status=200 if "q" not in request.GET else 400)
    try:
        text = search_text_clean(form.cleaned_data["q"])
    except errors.ValidationError as exc:
        form_add_domain_error(form, exc)
        return render(request, "casework/search.html", context, status=400)
    group = form.cleaned_data["type"]
    if group:
        queryset = search_querysets(user=request.user, text=text)[group]
        context.update(text=text, group=group, page=Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")))
    else:
        context.update(text=text, results=search_for(user=request.user, text=text, limit=GROUP_LIMIT))
    return render(request, "casework/search.html", context)
