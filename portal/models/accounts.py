"""An applicant's account: core.User holds the login and the kind (tenant, landlord, property
manager, advocate); ApplicantProfile holds what only the portal needs: whether a landlord is a
business and its name, the language they read the portal in, and when they confirmed their email
address (and the links sent for it, for the resend limit)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import User


class AccountType(models.TextChoices):
    """What someone registers as: a user kind, with landlords split into individuals and businesses
    (the seed's "registered as an individual or business when they are the opposite")."""

    TENANT = "tenant", _("Tenant")
    LANDLORD = "landlord", _("Landlord (individual)")
    LANDLORD_BUSINESS = "landlord_business", _("Landlord (business)")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    ADVOCATE = "advocate", _("Advocate")

    @classmethod
    def of(cls, kind: str, is_business: bool) -> AccountType:
        if kind == User.Kind.LANDLORD and is_business:
            return cls.LANDLORD_BUSINESS
        return cls(kind)

    @property
    def kind(self) -> str:
        return User.Kind.LANDLORD if self == AccountType.LANDLORD_BUSINESS else str(self.value)

    @property
    def is_business(self) -> bool:
        return self == AccountType.LANDLORD_BUSINESS


# Only landlords register as businesses; the kinds an applicant can be.
APPLICANT_KINDS = (User.Kind.TENANT, User.Kind.LANDLORD, User.Kind.PROPERTY_MANAGER, User.Kind.ADVOCATE)


@pghistory.track()
class ApplicantProfile(models.Model):
    """One per applicant. Accounts made outside the portal (by staff, or the demo) may have none
    until the applicant first does something that needs one: read it with
    portal.selectors.profile_for, which stands in an unsaved default."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_profile")
    is_business = models.BooleanField(default=False, help_text="A landlord registered as a business.")
    organisation_name = models.CharField(max_length=200, blank=True, help_text="The business's name.")
    preferred_language = models.CharField(
        max_length=16, blank=True, help_text="The language the portal and its emails use; empty: not chosen."
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The last link sent to confirm the email address, and how many were sent that day (the
    # resend limit: portal.services.accounts).
    verification_sent_at = models.DateTimeField(null=True, blank=True)
    verification_sent_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_business=False) | ~Q(organisation_name=""),
                name="portal_profile_business_has_name",
                violation_error_message="A business needs its name.",
            ),
        ]

    def __str__(self) -> str:
        return f"Portal profile of {self.user}"

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def account_type(self) -> AccountType:
        return AccountType.of(self.user.kind, self.is_business)
