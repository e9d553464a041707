"""Saved worktray views: a caseworker names the filters and sort they are looking at, and later
opens them again from the worktray. Personal preferences, not casework: not audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from casework.models import SavedFilter
from casework.models.saved_filters import SAVED_FILTER_NAME_MAX_LENGTH
from casework.services.common import clean_text, constraint_errors
from core import errors
from core.models import User
from core.permissions import is_staff_member

QUERY_MAX_LENGTH: int = SavedFilter._meta.get_field("query").max_length or 500


@transaction.atomic
def saved_filter_save(*, actor: User, name: str, query: str) -> SavedFilter:
    """Save the worktray view `query` (its filter and sort parameters, url-encoded; the caller
    keeps only the worktray's own parameters) under `name` for `actor`. Who: any staff member,
    for themselves. Raises PermissionDenied for anyone else, ValidationError (field "name") for
    an empty or over-long name or one the actor already uses, (field "query") for an over-long
    query."""
    if not is_staff_member(actor):
        raise errors.PermissionDenied(_("Saved views are for staff."))
    name = clean_text(name)
    query = (query or "").strip().lstrip("?")
    if not name:
        raise errors.ValidationError(fields={"name": [_("Enter a name for this view.")]})
    if len(name) > SAVED_FILTER_NAME_MAX_LENGTH:
        too_long = _("The name must be %(max)d characters or fewer.") % {"max": SAVED_FILTER_NAME_MAX_LENGTH}
        raise errors.ValidationError(fields={"name": [too_long]})
    if len(query) > QUERY_MAX_LENGTH:
        raise errors.ValidationError(fields={"query": [_("This view has too many filters to save.")]})
    duplicate = _("You already have a saved view called “%(name)s”. Choose another name.") % {"name": name}
    if SavedFilter.objects.filter(user=actor, name__iexact=name).exists():
        raise errors.ValidationError(fields={"name": [duplicate]})
    with constraint_errors({"casework_saved_filter_name_once": ("name", duplicate)}):
        return SavedFilter.objects.create(user=actor, name=name, query=query)


@transaction.atomic
def saved_filter_delete(*, actor: User, saved_filter: SavedFilter) -> None:
    """Delete one of the actor's saved views. Who: only its owner. Raises PermissionDenied for
    anyone else (a supervisor included: saved views are personal)."""
    if not is_staff_member(actor) or saved_filter.user_id != actor.pk:
        raise errors.PermissionDenied(_("You can only delete your own saved views."))
    SavedFilter.objects.filter(pk=saved_filter.pk).delete()
