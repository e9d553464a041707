"""Writes for a landlord's applications, from start to sign and submit: starting one (for a named
tenant or with the tenant's application code, once the landlord's profile is complete), saving
each step (STEPS, in order), what is still missing (steps_missing), and signing and submitting.
Each service is one transaction, checks who is acting and is audited (the case feed too where a
case changes). Messages are shown to applicants, so they are translated.

Seed 000: landlord_application_start refuses until the landlord's profile (payee details and a
property, portal.services.landlords) is complete. DHC-1663: an advocate may apply and submit for
a landlord who has authorised them (portal.services.advocates); the case stays the landlord's,
and the submission is recorded as made by the advocate on the landlord's behalf.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from casework.models import Case, CaseActivity
from casework.permissions import is_case_applicant
from casework.services import cases as case_services
from casework.services.common import clean_text, lock_case
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User
from portal.models import LandlordApplication, LandlordProfile, LandlordProperty
from portal.selectors import profile_for
from portal.selectors.landlords import (
    acts_for,
    is_advocate,
    landlord_case_type,
    payee_for,
    profile_status_for,
)
from portal.services.confirmations import application_submitted_notify
from portal.services.landlords import refuse_unless_landlord

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


def _landlord_for(actor: User, landlord: User | None) -> User:
    """Whose application `actor` is starting: their own, or (an advocate) an authorising landlord's."""
    if landlord is None or landlord.pk == actor.pk:
        refuse_unless_landlord(actor)
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
    "can_edit_landlord_application",
    "landlord_application_start",
    "landlord_application_step_save",
    "landlord_application_submit",
    "steps_missing",
]
