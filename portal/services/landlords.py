"""Writes for a landlord's or property manager's side of the portal: their profile (payee details,
the homes they let), the advocates they authorise, and their landlord applications from start to
sign and submit. Each service is one transaction, checks who is acting and is audited (the case
feed too where a case changes). Messages are shown to applicants, so they are translated.

Seed 000: a landlord "gets stuck mid-application, cannot see Payee or select Property" unless
the profile is finished first: landlord_application_start refuses until it is (the portal says
so and links to what is missing). DHC-1663: an advocate may apply and submit for a landlord who
has authorised them; the case stays the landlord's, and the submission is recorded as made by
the advocate on the landlord's behalf.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from casework.models import Case, CaseActivity, CaseUserObjectPermission, Organisation, Property
from casework.permissions import is_case_applicant
from casework.services import cases as case_services
from casework.services import people as people_services
from casework.services.common import clean_text, lock_case, postcode_normalise
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User
from payments.models import Payee
from payments.services.payees import payee_save
from portal.models import AdvocateAuthorisation, LandlordApplication, LandlordProfile, LandlordProperty
from portal.selectors import profile_for
from portal.selectors.landlords import (
    acts_for,
    is_advocate,
    is_landlord,
    landlord_case_type,
    open_landlord_cases_on,
    payee_for,
    profile_status_for,
)
from portal.services.confirmations import application_submitted_notify

MAX_UNITS = 999
MAX_MONEY = Decimal("1000000")

# The steps of a landlord application, in order: (slug, title). Slugs are the URL's.
STEP_PROPERTY, STEP_TENANCY, STEP_RENT, STEP_PAYEE, STEP_DECLARATION = (
    "property",
    "tenancy",
    "rent-owed",
    "payee",
    "declaration",
)
STEPS = (STEP_PROPERTY, STEP_TENANCY, STEP_RENT, STEP_PAYEE, STEP_DECLARATION)


def _refuse_unless_landlord(actor: User) -> None:
    if not is_landlord(actor) or not profile_for(actor).is_email_verified:
        raise errors.PermissionDenied(_("Only a landlord or property manager can change a landlord's profile."))


# --- the profile ---------------------------------------------------------------------------------


def _contact_card_for(user: User) -> tuple:
    """The casework contact (and organisation, for a business) made for a landlord's registration,
    as the system: applicants' contact cards are never typed in by staff (seed 000)."""
    applicant = profile_for(user)
    last_name = user.last_name or applicant.organisation_name or user.email.split("@")[0]
    contact = people_services.contact_create(
        actor=None, first_name=user.first_name, last_name=last_name, email=user.email
    )
    organisation = None
    if applicant.is_business and applicant.organisation_name:
        organisation = people_services.organisation_create(
            actor=None,
            name=applicant.organisation_name,
            kind=Organisation.Kind.LANDLORD_BUSINESS,
            email=user.email,
        )
    return contact, organisation


def landlord_profile_ensure(*, actor: User) -> LandlordProfile:
    """`actor`'s landlord profile, made (with their contact card) the first time they need it.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied."""
    _refuse_unless_landlord(actor)
    profile = LandlordProfile.objects.filter(user=actor).first()
    if profile is not None:
        return profile
    with transaction.atomic():
        # The contact card is the system's write (its own audit context); the profile is theirs.
        contact, organisation = _contact_card_for(actor)
        with audited(actor=actor, action="landlord_profile_create"):
            profile, _created = LandlordProfile.objects.get_or_create(
                user=actor, defaults={"contact": contact, "organisation": organisation}
            )
    return profile


@transaction.atomic
def landlord_payee_save(*, actor: User, **details) -> Payee:
    """Save the landlord's payee details from their profile (payments.services.payees.payee_save
    with the landlord as owner), making their profile first if needed.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied,
    ValidationError (per field, as payee_save)."""
    _refuse_unless_landlord(actor)
    # Validate before making anything, so a refused form leaves no half-made profile behind.
    with transaction.atomic():
        payee = payee_save(actor=actor, owner=actor, **details)
        landlord_profile_ensure(actor=actor)
    return payee


def _postcode(postcode: str) -> str:
    try:
        return postcode_normalise(postcode)
    except errors.ValidationError:
        if not (postcode or "").strip():
            raise errors.ValidationError(fields={"postcode": [_("Enter the postcode or ZIP code.")]}) from None
        raise errors.ValidationError(
            fields={"postcode": [_("Enter a real postcode, like SW1A 1AA, or a ZIP code, like 02139.")]}
        ) from None


def _owned_by_someone_else(prop: Property, profile: LandlordProfile) -> bool:
    if prop.landlord_contact_id is None and prop.landlord_organisation_id is None:
        return False
    if prop.landlord_contact_id == profile.contact_id:
        return False
    return not (profile.organisation_id and prop.landlord_organisation_id == profile.organisation_id)


@transaction.atomic
def landlord_property_add(
    *, actor: User, address_line_1: str, town: str, postcode: str, address_line_2: str = "", units: int = 1
) -> LandlordProperty:
    """Add a home the landlord lets to their profile. The casework property is found by its
    address (postcode and both lines, ignoring case) or recorded (as the system, with the patch
    looked up from the postcode), and given this landlord as its landlord. A home recorded with
    another landlord is refused: staff sort out who lets it.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied,
    ValidationError (per field; already on the profile; another landlord's)."""
    _refuse_unless_landlord(actor)
    field_errors: dict[str, list[str]] = {}
    address_line_1, address_line_2, town = clean_text(address_line_1), clean_text(address_line_2), clean_text(town)
    if not address_line_1:
        field_errors["address_line_1"] = [_("Enter the first line of the address.")]
    if not town:
        field_errors["town"] = [_("Enter the town or city.")]
    try:
        postcode = _postcode(postcode)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
    if not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
        field_errors["units"] = [
            _("Enter the number of homes at this address, from 1 to %(max)s.") % {"max": MAX_UNITS}
        ]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    profile = landlord_profile_ensure(actor=actor)
    profile = LandlordProfile.objects.select_for_update().get(pk=profile.pk)
    prop: Property | None = (
        Property.objects.select_for_update()
        .annotate(line_1=Lower("address_line_1"), line_2=Lower("address_line_2"))
        .filter(postcode=postcode, line_1=address_line_1.lower(), line_2=address_line_2.lower())
        .first()
    )
    if prop is not None and LandlordProperty.objects.filter(profile=profile, property=prop).exists():
        raise errors.ValidationError(fields={"address_line_1": [_("This property is already on your profile.")]})
    if prop is not None and _owned_by_someone_else(prop, profile):
        raise errors.ValidationError(
            fields={
                "address_line_1": [
                    _("This property is recorded with another landlord. Contact us so we can check who lets it.")
                ]
            }
        )
    if prop is None:
        prop = people_services.property_create(
            actor=None,
            address_line_1=address_line_1,
            address_line_2=address_line_2,
            town=town,
            postcode=postcode,
            landlord_contact=profile.contact,
            landlord_organisation=profile.organisation,
        )
    with audited(actor=actor, action="landlord_property_add"):
        if prop.landlord_contact_id is None:
            prop.landlord_contact, prop.landlord_organisation = profile.contact, profile.organisation
            prop.stamp(actor)
            prop.save(update_fields=["landlord_contact", "landlord_organisation", "updated_at", "updated_by"])
        return LandlordProperty.objects.create(profile=profile, property=prop, units=units)


@transaction.atomic
def landlord_property_remove(*, actor: User, listed: LandlordProperty) -> None:
    """Take a home off the landlord's profile. Refused while one of their open applications is
    about it (withdraw it first, or wait until it is decided). The casework property stays (cases
    and tenancies refer to it) but no longer names this landlord.
    Who: the landlord whose profile it is. Raises PermissionDenied, Conflict."""
    _refuse_unless_landlord(actor)
    listed = LandlordProperty.objects.select_for_update().select_related("profile", "property").get(pk=listed.pk)
    if listed.profile.user_id != actor.pk:
        raise errors.PermissionDenied(_("This property is not on your profile."))
    open_cases = list(open_landlord_cases_on(actor, listed.property_id).values_list("number", flat=True)[:3])
    if open_cases:
        raise errors.Conflict(
            _(
                "You cannot remove %(address)s while your application %(numbers)s is about it. "
                "Withdraw the application first, or wait until it is decided."
            )
            % {"address": listed.property, "numbers": ", ".join(open_cases)}
        )
    prop = Property.objects.select_for_update().get(pk=listed.property_id)
    with audited(actor=actor, action="landlord_property_remove"):
        listed.delete()
        if prop.landlord_contact_id == listed.profile.contact_id:
            prop.landlord_contact = prop.landlord_organisation = None
            prop.stamp(actor)
            prop.save(update_fields=["landlord_contact", "landlord_organisation", "updated_at", "updated_by"])


# --- advocates -----------------------------------------------------------------------------------


@transaction.atomic
def advocate_authorise(*, actor: User, email: str) -> AdvocateAuthorisation:
    """The landlord lets the advocate registered with `email` apply and submit for them. The
    account must be an active advocate's with a confirmed email address.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied,
    ValidationError (field "email": no such advocate, already authorised)."""
    _refuse_unless_landlord(actor)
    address = (email or "").strip()
    if not address:
        raise errors.ValidationError(fields={"email": [_("Enter your advocate's email address.")]})
    advocate = User.objects.filter(email__iexact=address, kind=User.Kind.ADVOCATE, is_active=True).first()
    if advocate is None or not profile_for(advocate).is_email_verified:
        raise errors.ValidationError(
            fields={
                "email": [
                    _(
                        "There is no advocate account with a confirmed email address %(email)s. Ask your advocate "
                        "to register as an advocate and confirm their email address, then try again."
                    )
                    % {"email": address}
                ]
            }
        )
    User.objects.select_for_update().get(pk=actor.pk)  # one authorisation at a time per landlord
    if AdvocateAuthorisation.objects.filter(landlord=actor, advocate=advocate, revoked_at__isnull=True).exists():
        raise errors.ValidationError(fields={"email": [_("This advocate can already apply for you.")]})
    with audited(actor=actor, action="advocate_authorise"):
        return AdvocateAuthorisation.objects.create(landlord=actor, advocate=advocate, granted_by=actor)


@transaction.atomic
def advocate_authorisation_revoke(*, actor: User, authorisation: AdvocateAuthorisation) -> AdvocateAuthorisation:
    """The landlord stops an advocate acting for them. The advocate loses their grants on the
    landlord's open applications at once (closed ones stay readable to them as a record of what
    they did). Who: the landlord who gave it. Raises PermissionDenied, Conflict (already revoked)."""
    authorisation = AdvocateAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if authorisation.landlord_id != actor.pk:
        raise errors.PermissionDenied(_("Only the landlord who authorised an advocate can revoke it."))
    if authorisation.revoked_at is not None:
        raise errors.Conflict(_("This advocate can no longer apply for you already."))
    open_cases = Case.objects.filter(landlord_application__landlord=actor).exclude(status=Case.Status.CLOSED)
    with audited(actor=actor, action="advocate_authorisation_revoke"):
        authorisation.revoked_at, authorisation.revoked_by = timezone.now(), actor
        authorisation.save(update_fields=["revoked_at", "revoked_by"])
        CaseUserObjectPermission.objects.filter(
            user=authorisation.advocate, content_object__in=open_cases.values("pk")
        ).delete()
    return authorisation


# --- landlord applications -----------------------------------------------------------------------


def _landlord_for(actor: User, landlord: User | None) -> User:
    """Whose application `actor` is starting: their own, or (an advocate) an authorising landlord's."""
    if landlord is None or landlord.pk == actor.pk:
        _refuse_unless_landlord(actor)
        return actor
    if not (is_advocate(actor) and profile_for(actor).is_email_verified and acts_for(actor, landlord)):
        raise errors.PermissionDenied(_("You can apply only for landlords who have authorised you."))
    return landlord


@transaction.atomic
def landlord_application_start(
    *,
    actor: User,
    landlord: User | None = None,
    tenant_code: str = "",
    tenant_name: str = "",
    tenant_email: str = "",
) -> tuple[LandlordApplication, bool]:
    """Start a landlord application: with the tenant's application code (checked: it must be an
    open tenant application), or for a named tenant who has not applied yet (their name and
    email; the landlord's own application code is then given to the tenant to quote). The
    landlord's profile must be complete (payee and a property) first.

    Returns (application, created): an open application of this landlord's quoting the same
    tenant code is returned instead of starting a second (the duplicate check at intake).

    Who: a verified landlord or property manager for themselves, or an advocate for a landlord
    who has authorised them (`landlord`): the case's applicant is the landlord; the advocate is
    granted change and view on it. Raises PermissionDenied, Conflict (profile not complete, no
    landlord programme), ValidationError (per field)."""
    landlord = _landlord_for(actor, landlord)
    status = profile_status_for(landlord)
    if not status.is_complete:
        raise errors.Conflict(_("Finish your profile first: add your payee details and the properties you let."))
    case_type = landlord_case_type()
    if case_type is None:
        raise errors.Conflict(_("Landlord applications are not open at the moment."))
    code = clean_text(tenant_code).replace(" ", "").upper()
    tenant_name, tenant_email = clean_text(tenant_name), (tenant_email or "").strip()
    if code:
        mode = LandlordApplication.Mode.TENANT_CODE
        existing = (
            LandlordApplication.objects.select_related("case")
            .filter(landlord=landlord, case__claimed_application_code=code)
            .exclude(case__status=Case.Status.CLOSED)
            .first()
        )
        if existing is not None:
            return existing, False
    else:
        mode = LandlordApplication.Mode.NAMED_TENANT
        field_errors: dict[str, list[str]] = {}
        if not tenant_name:
            field_errors["tenant_name"] = [_("Enter the tenant's full name.")]
        if not tenant_email:
            field_errors["tenant_email"] = [_("Enter the tenant's email address.")]
        if field_errors:
            raise errors.ValidationError(fields=field_errors)
    profile = LandlordProfile.objects.get(user=landlord)
    try:
        case = case_services.application_start(
            actor=actor, case_type=case_type, contact=profile.contact, claimed_application_code=code
        )
    except errors.ValidationError as error:
        if "claimed_application_code" in error.fields:
            raise errors.ValidationError(
                fields={
                    "tenant_code": [
                        _("There is no open tenant application with the code %(code)s. Check the code and try again.")
                        % {"code": code}
                    ]
                }
            ) from None
        raise
    with audited(actor=actor, action="landlord_application_start"):
        if landlord.pk != actor.pk:
            # The advocate started it, but it is the landlord's application.
            case.applicant = landlord
            case.save(update_fields=["applicant"])
            for permission in ("casework.change_case", "casework.view_case"):
                assign_perm(permission, actor, case)
            feed_record(
                case=case,
                kind=CaseActivity.Kind.UPDATED,
                actor=actor,
                summary=f"Started by advocate {actor.get_full_name() or actor.email} on behalf of "
                f"{landlord.get_full_name() or landlord.email}",
                data={"advocate": actor.pk, "landlord": landlord.pk},
            )
        # The case came with its answers row (portal.signals), made while the actor was still its
        # applicant: fill that in (the landlord's, started by the actor), never a second.
        application, _created = LandlordApplication.objects.update_or_create(
            case=case,
            defaults={
                "landlord": landlord,
                "started_by": actor,
                "mode": mode,
                "tenant_name": tenant_name,
                "tenant_email": tenant_email,
            },
        )
    application.case = case
    return application, True


def can_edit_landlord_application(user: User, application: LandlordApplication) -> bool:
    """The landlord, or an advocate they authorise (with the case's grant), while it is a draft."""
    case = application.case
    if case.status != Case.Status.DRAFT or not is_case_applicant(user, case):
        return False
    return user.pk == application.landlord_id or acts_for(user, application.landlord)


def _lock(actor: User, application: LandlordApplication) -> tuple[LandlordApplication, Case]:
    case = lock_case(application.case)
    application = LandlordApplication.objects.select_for_update().select_related("landlord").get(pk=application.pk)
    application.case = case
    if not is_case_applicant(actor, case) or not (
        actor.pk == application.landlord_id or acts_for(actor, application.landlord)
    ):
        raise errors.PermissionDenied(_("You cannot change this application."))
    if case.status != Case.Status.DRAFT:
        raise errors.Conflict(
            _("Application %(number)s has been sent and can no longer be changed.") % {"number": case.number}
        )
    return application, case


def _money(value, field: str, field_errors: dict[str, list[str]], *, what: str) -> Decimal | None:
    if value in (None, ""):
        field_errors[field] = [_("Enter %(what)s.") % {"what": what}]
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= MAX_MONEY or amount != round(amount, 2):
        field_errors[field] = [_("Enter %(what)s as an amount of money, like 850 or 850.50.") % {"what": what}]
        return None
    return amount


@transaction.atomic
def landlord_application_step_save(
    *, actor: User, application: LandlordApplication, step: str, **answers
) -> LandlordApplication:
    """Save one step's answers on a draft landlord application (save and resume: each step is
    kept as it is saved).

    - property: `listed` (a LandlordProperty on the landlord's profile): sets the case's property.
    - tenancy: `tenant_name`, `unit` (optional), `monthly_rent`, `tenancy_start` (a date, not in
      the future).
    - rent-owed: `rent_owed`, `owed_from` (a date: the first of the month is kept; not in the
      future, not before the tenancy started).
    - payee: `confirm` True: the landlord's payee (from their profile) is paid for this application.
    - declaration: `confirm` True.

    Who: the landlord, or an advocate they authorise. Raises PermissionDenied, Conflict (not a
    draft), ValidationError (per field)."""
    application, case = _lock(actor, application)
    field_errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    changed: list[str] = []
    if step == STEP_PROPERTY:
        listed = answers.get("listed")
        if listed is None or listed.profile.user_id != application.landlord_id:
            raise errors.ValidationError(fields={"property": [_("Choose the property the application is about.")]})
        with audited(actor=actor, action="landlord_application_property"):
            if case.property_id != listed.property_id:
                case.property_id = listed.property_id
                case.stamp(actor)
                case.save(update_fields=["property", "updated_at", "updated_by"])
                feed_record(
                    case=case, kind=CaseActivity.Kind.UPDATED, actor=actor, summary=f"Property: {listed.property}"
                )
            application.updated_at = timezone.now()
            application.save(update_fields=["updated_at"])
        return application
    if step == STEP_TENANCY:
        tenant_name = clean_text(answers.get("tenant_name"))
        if not tenant_name:
            field_errors["tenant_name"] = [_("Enter the tenant's full name.")]
        unit = clean_text(answers.get("unit"))[:50]
        rent = _money(answers.get("monthly_rent"), "monthly_rent", field_errors, what=_("the monthly rent"))
        start = answers.get("tenancy_start")
        if not isinstance(start, datetime.date):
            field_errors["tenancy_start"] = [_("Enter the date the tenancy started, like 1 3 2024.")]
        elif start > today:
            field_errors["tenancy_start"] = [_("The tenancy start date must be today or in the past.")]
        if field_errors:
            raise errors.ValidationError(fields=field_errors)
        application.tenant_name, application.unit, application.monthly_rent = tenant_name, unit, rent
        application.tenancy_start = start
        application.tenancy_answered = True
        changed = ["tenant_name", "unit", "monthly_rent", "tenancy_start", "tenancy_answered"]
    elif step == STEP_RENT:
        owed = _money(answers.get("rent_owed"), "rent_owed", field_errors, what=_("the rent owed"))
        owed_from = answers.get("owed_from")
        if not isinstance(owed_from, datetime.date):
            field_errors["owed_from"] = [_("Enter the month the rent has been owed from, like 1 2025.")]
        else:
            owed_from = owed_from.replace(day=1)
            if owed_from > today:
                field_errors["owed_from"] = [_("The month rent is owed from must be this month or earlier.")]
            elif application.tenancy_start and owed_from < application.tenancy_start.replace(day=1):
                field_errors["owed_from"] = [_("Rent cannot be owed from before the tenancy started.")]
        if field_errors:
            raise errors.ValidationError(fields=field_errors)
        application.rent_owed, application.owed_from = owed, owed_from
        changed = ["rent_owed", "owed_from"]
    elif step == STEP_PAYEE:
        payee = payee_for(application.landlord)
        if payee is None or not payee.has_payment_method:
            raise errors.Conflict(_("Add your payee details to your profile first."))
        if not answers.get("confirm"):
            raise errors.ValidationError(fields={"confirm": [_("Confirm that payments should go to this payee.")]})
        application.payee = payee
        changed = ["payee"]
    elif step == STEP_DECLARATION:
        if not answers.get("confirm"):
            raise errors.ValidationError(fields={"confirm": [_("Confirm the declaration to continue.")]})
        application.declaration_confirmed_at = timezone.now()
        changed = ["declaration_confirmed_at"]
    else:
        raise errors.ValidationError(fields={"step": [_("There is no such step.")]})
    application.updated_at = timezone.now()
    with audited(actor=actor, action=f"landlord_application_{step.replace('-', '_')}"):
        application.save(update_fields=[*changed, "updated_at"])
    return application


def steps_missing(application: LandlordApplication) -> list[str]:
    """The steps of `application` not yet answered (or no longer valid), in order."""
    missing = []
    case = application.case
    if (
        case.property_id is None
        or not LandlordProperty.objects.filter(
            profile__user_id=application.landlord_id, property_id=case.property_id
        ).exists()
    ):
        missing.append(STEP_PROPERTY)
    if not (application.tenancy_answered and application.tenant_name and application.monthly_rent):
        missing.append(STEP_TENANCY)
    if not (application.rent_owed and application.owed_from):
        missing.append(STEP_RENT)
    payee = application.payee
    if payee is None or payee.owner_id != application.landlord_id or not payee.has_payment_method:
        missing.append(STEP_PAYEE)
    if application.declaration_confirmed_at is None:
        missing.append(STEP_DECLARATION)
    return missing


@transaction.atomic
def landlord_application_submit(
    *, actor: User, application: LandlordApplication, signed_name: str, confirmed: bool
) -> LandlordApplication:
    """Sign (typed full name, with the time) and submit a landlord application: Draft →
    Application match through casework's case_submit, which matches it at once with the tenant's
    application when that is waiting (both then move to Chaser). Every step must be answered.
    Submitted by an advocate, it is recorded as made on the landlord's behalf (submitted_by, a
    feed entry and the audit). The confirmation email (with the application number) is sent
    after commit by portal.services.confirmations.application_submitted_notify.

    Who: the landlord, or an advocate they authorise. Raises PermissionDenied, Conflict (not a
    draft), ValidationError (steps unanswered, field "signed_name", field "confirm")."""
    application, case = _lock(actor, application)
    missing = steps_missing(application)
    if missing:
        raise errors.ValidationError(_("Answer every question before you sign and submit."))
    field_errors: dict[str, list[str]] = {}
    name = clean_text(signed_name)
    if not name:
        field_errors["signed_name"] = [_("Type your full name to sign the application.")]
    if not confirmed:
        field_errors["confirm"] = [_("Confirm that the information is true and complete.")]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    case = case_services.case_submit(actor=actor, case=case, signed_name=name)
    with audited(actor=actor, action="landlord_application_submit", on_behalf_of=application.landlord_id):
        application.submitted_by, application.submitted_at = actor, case.submitted_at
        application.save(update_fields=["submitted_by", "submitted_at"])
        if actor.pk != application.landlord_id:
            landlord = application.landlord
            feed_record(
                case=case,
                kind=CaseActivity.Kind.UPDATED,
                actor=actor,
                summary=f"Signed and submitted by {actor.get_full_name() or actor.email} (advocate) on behalf "
                f"of {landlord.get_full_name() or landlord.email}",
                data={"advocate": actor.pk, "landlord": landlord.pk, "signed_name": name},
            )
    application_submitted_notify(case=case)
    application.case = case
    return application


__all__ = [
    "STEPS",
    "advocate_authorisation_revoke",
    "advocate_authorise",
    "can_edit_landlord_application",
    "landlord_application_start",
    "landlord_application_step_save",
    "landlord_application_submit",
    "landlord_payee_save",
    "landlord_profile_ensure",
    "landlord_property_add",
    "landlord_property_remove",
    "steps_missing",
]
