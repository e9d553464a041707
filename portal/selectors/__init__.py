"""Every read the portal makes, scoped to the signed-in applicant: an applicant sees only their
own applications (and those they have been granted, e.g. an advocate acting for someone), never
anyone else's, whatever id a URL carries. Each area of the portal adds its reads in a module
of this package (portal/selectors/<area>.py); these are the ones every area shares."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case
from casework.selectors.cases import case_list_for
from portal.models import ApplicantProfile, Notice
from portal.permissions import is_applicant


def profile_for(user) -> ApplicantProfile:
    """The applicant's portal profile; for an account made outside the portal that has none yet,
    an unsaved default (not verified, no language chosen). Read once per request: the user
    object keeps it."""
    try:
        return user.applicant_profile
    except ApplicantProfile.DoesNotExist:
        return ApplicantProfile(user=user)


def applications_for(user) -> QuerySet[Case]:
    """The cases `user` applied on or has been granted (casework.selectors.cases.case_list_for),
    newest first, with what the home page shows. Nothing for anyone who is not an applicant:
    staff see every case on the staff pages, never here."""
    if not is_applicant(user):
        return Case.objects.none()
    return (
        case_list_for(user=user)
        .select_related(None)
        .select_related("case_type")
        .only(
            "id", "number", "workflow", "status", "closure_stage", "status_changed_at", "created_at", "case_type__name"
        )
        .order_by("-created_at", "-id")
    )


def application_get(user, number: str) -> Case:
    """The application numbered `number` if `user` may see it (their own, or one they have been
    granted), with its type. Raises Http404 otherwise: another applicant's application and one
    that does not exist look the same, so numbers cannot be probed. Every portal page about one
    application reads it through here."""
    case = None
    if is_applicant(user):
        case = case_list_for(user=user).select_related(None).select_related("case_type").filter(number=number).first()
    if case is None:
        raise Http404(_("There is no such application."))
    return case


def notices_for(user, now: datetime | None = None) -> list[Notice]:
    """The notices live at `now` (default: now) for `user`: those for everyone (no regions,
    patches or programmes), and for an applicant those targeting a region or patch of the
    property on any of their applications, or the programme (case type) of any of them.
    Visitors and staff get only the notices for everyone. Important first, then newest. One
    query: the applicant's applications are subqueries of it."""
    now = now or timezone.now()
    through = {name: getattr(Notice, name).through for name in ("regions", "patches", "programmes")}
    targets = {name: model.objects.filter(notice=OuterRef("pk")) for name, model in through.items()}
    audience = Q(~Exists(targets["regions"]), ~Exists(targets["patches"]), ~Exists(targets["programmes"]))
    if is_applicant(user):
        applications = applications_for(user).order_by()
        audience |= Q(
            Exists(targets["regions"].filter(region__in=applications.values("property__patch__region_id")))
            | Exists(targets["patches"].filter(patch__in=applications.values("property__patch_id")))
            | Exists(targets["programmes"].filter(casetype__in=applications.values("case_type_id")))
        )
    live = Q(shown_from__lte=now) & (Q(shown_until__isnull=True) | Q(shown_until__gt=now))
    return list(
        Notice.objects.filter(live, audience)
        .alias(rank=models.Case(When(level=Notice.Level.IMPORTANT, then=Value(0)), default=Value(1)))
        .order_by("rank", "-shown_from", "-id")
        .only("id", "title", "body", "level", "shown_from")
    )
