"""Demo data for the portal: the demo applicants (core.demo) get portal profiles with their email
addresses already confirmed, so signing in as one shows a working portal. Idempotent."""

from __future__ import annotations

from django.utils import timezone

from core.demo import APPLICANTS
from core.models import User
from core.seeding import DemoContext
from portal.models import ApplicantProfile


def seed(ctx: DemoContext) -> None:
    for user in User.objects.filter(email__in=[email for email, *_rest in APPLICANTS]):
        _profile, created = ApplicantProfile.objects.get_or_create(
            user=user, defaults={"email_verified_at": timezone.now()}
        )
        if created:
            ctx.created("portal profile")
