"""Applicants for the portal's tests, one per meaningful state: registered through the portal
(with a profile) and confirmed or not, or made by staff with no profile yet."""

from __future__ import annotations

from django.utils import timezone

from core import services as core_services
from core.models import User
from portal.models import ApplicantProfile

PASSWORD = "a long enough passphrase 7"


def make_applicant(
    email: str = "tenant@test.example",
    *,
    kind: str = User.Kind.TENANT,
    verified: bool = True,
    is_business: bool = False,
    organisation_name: str = "",
    language: str = "",
    first_name: str = "Tara",
    last_name: str = "Tenant",
) -> User:
    user = core_services.user_create(
        actor=None, email=email, kind=kind, first_name=first_name, last_name=last_name, password=PASSWORD
    )
    ApplicantProfile.objects.create(
        user=user,
        is_business=is_business,
        organisation_name=organisation_name,
        preferred_language=language,
        email_verified_at=timezone.now() if verified else None,
    )
    return user


def make_notice(title: str = "Office closed", *, regions=(), patches=(), programmes=(), **fields):
    """A notice live from a day ago with no end, for everyone unless given regions, patches or
    programmes."""
    from datetime import timedelta

    from portal.models import Notice

    fields.setdefault("shown_from", timezone.now() - timedelta(days=1))
    notice = Notice.objects.create(title=title, body=fields.pop("body", f"{title}: details."), **fields)
    notice.regions.set(regions)
    notice.patches.set(patches)
    notice.programmes.set(programmes)
    return notice
