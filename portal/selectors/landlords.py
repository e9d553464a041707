"""Reads for a landlord's or property manager's profile, their landlord applications and the
advocates acting for them, each scoped to the signed-in applicant: another landlord's profile,
property, application or authorisation reads as "not found" (Http404), whatever id a URL carries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.models import Case, CaseType, Workflow
from core.models import User
from payments.models import Payee
from portal.models import AdvocateAuthorisation, LandlordApplication, LandlordProfile, LandlordProperty
from portal.permissions import is_applicant
from portal.selectors import application_get, profile_for

LANDLORD_KINDS = (User.Kind.LANDLORD, User.Kind.PROPERTY_MANAGER)


def is_landlord(user) -> bool:
    """A signed-in landlord (individual or business) or property manager."""
    return is_applicant(user) and user.kind in LANDLORD_KINDS


def is_advocate(user) -> bool:
    return is_applicant(user) and user.kind == User.Kind.ADVOCATE


def landlord_profile_for(user) -> LandlordProfile | None:
    """The landlord's profile, or None until they first save part of it."""
    return LandlordProfile.objects.select_related("contact", "organisation").filter(user=user).first()


def payee_for(user) -> Payee | None:
    return Payee.objects.filter(owner=user).first()


def landlord_properties_for(user) -> QuerySet[LandlordProperty]:
    """The homes on `user`'s profile, oldest first, with their addresses."""
    return LandlordProperty.objects.filter(profile__user=user).select_related("property").order_by("added_at", "id")


def landlord_property_get(user, property_id: int) -> LandlordProperty:
    """One home on `user`'s own profile, or Http404."""
    listed = landlord_properties_for(user).filter(pk=property_id).first()
    if listed is None:
        raise Http404(_("There is no such property on your profile."))
    return listed


@dataclass
class ProfileStatus:
    """What a landlord's profile has and what it still needs before they can apply."""

    payee: Payee | None
    properties: list[LandlordProperty]
    missing: list[dict] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing


# The checklist a landlord sees until their profile is complete: each item links to its page.
PAYEE_MISSING = gettext_lazy("Your payee details: who we pay and how")
PROPERTY_MISSING = gettext_lazy("At least one property you let")


def profile_status_for(user) -> ProfileStatus:
    """`user`'s profile and what is missing from it (the "finish your profile first" checklist):
    a payee with a payment method, and at least one property."""
    payee = payee_for(user)
    properties = list(landlord_properties_for(user))
    missing = []
    if payee is None or not payee.has_payment_method:
        missing.append({"label": PAYEE_MISSING, "url_name": "portal-landlord-payee"})
    if not properties:
        missing.append({"label": PROPERTY_MISSING, "url_name": "portal-landlord-property-add"})
    return ProfileStatus(payee=payee, properties=properties, missing=missing)


def landlord_profile_is_complete(user) -> bool:
    return profile_status_for(user).is_complete


def landlord_case_type() -> CaseType | None:
    """The programme a landlord application is made to: the first active landlord case type."""
    return CaseType.objects.filter(workflow=Workflow.RENTAL_LANDLORD, is_active=True).order_by("pk").first()


# --- advocates ----------------------------------------------------------------------------------


def advocates_authorised_by(landlord) -> QuerySet[AdvocateAuthorisation]:
    """The advocates `landlord` has authorised and not revoked, newest first."""
    return AdvocateAuthorisation.objects.filter(landlord=landlord, revoked_at__isnull=True).select_related("advocate")


def landlords_acted_for(advocate) -> QuerySet[AdvocateAuthorisation]:
    """The live authorisations of `advocate` (the landlords they may apply for), by name."""
    if not is_advocate(advocate):
        return AdvocateAuthorisation.objects.none()
    return (
        AdvocateAuthorisation.objects.filter(advocate=advocate, revoked_at__isnull=True)
        .select_related("landlord")
        .order_by("landlord__last_name", "landlord__first_name", "id")
    )


def authorisation_get(advocate, authorisation_id: int) -> AdvocateAuthorisation:
    """A live authorisation of `advocate`'s, or Http404: a landlord who has not authorised them
    (or has revoked it) looks the same as one that does not exist."""
    authorisation = landlords_acted_for(advocate).filter(pk=authorisation_id).first()
    if authorisation is None:
        raise Http404(_("You do not act for this landlord."))
    return authorisation


def authorisation_for_landlord_get(landlord, authorisation_id: int) -> AdvocateAuthorisation:
    """One of `landlord`'s own live authorisations, or Http404."""
    authorisation = advocates_authorised_by(landlord).filter(pk=authorisation_id).first()
    if authorisation is None:
        raise Http404(_("There is no such advocate on your profile."))
    return authorisation


def acts_for(advocate, landlord) -> bool:
    return landlords_acted_for(advocate).filter(landlord=landlord).exists()


# --- landlord applications ---------------------------------------------------------------------


def landlord_applications_for(user) -> QuerySet[LandlordApplication]:
    """The landlord applications `user` may see: their own as landlord (including those an
    advocate made for them), and for an advocate those they started for landlords who still
    authorise them (access is by the case's grants, so a revoked advocate loses open ones)."""
    if not is_applicant(user):
        return LandlordApplication.objects.none()
    from casework.selectors.cases import case_list_for

    return (
        LandlordApplication.objects.filter(case__in=case_list_for(user=user).order_by().values("pk"))
        .select_related("case", "case__property", "landlord", "started_by", "submitted_by")
        .order_by("-created_at", "-id")
    )


def landlord_application_get(user, number: str) -> LandlordApplication:
    """The landlord application numbered `number` if `user` may see it (application_get: their
    own or granted), or Http404 (also for a tenant application's number)."""
    case = application_get(user, number)
    application = (
        LandlordApplication.objects.select_related("case", "case__property", "landlord", "payee", "submitted_by")
        .filter(case=case)
        .first()
    )
    if application is None or case.workflow != Workflow.RENTAL_LANDLORD:
        raise Http404(_("There is no such application."))
    application.case = case
    return application


def landlord_applications_for_landlord(landlord) -> QuerySet[LandlordApplication]:
    """Every landlord application whose applicant is `landlord`, whoever made it."""
    return LandlordApplication.objects.filter(landlord=landlord).select_related("case", "started_by", "submitted_by")


def open_landlord_cases_on(landlord, property_id: int) -> QuerySet[Case]:
    """`landlord`'s open landlord applications about the property (removing it is refused)."""
    return Case.objects.filter(
        landlord_application__landlord=landlord, property_id=property_id, workflow=Workflow.RENTAL_LANDLORD
    ).exclude(status=Case.Status.CLOSED)


__all__ = ["profile_for"]
