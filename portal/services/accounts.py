"""Applicants' accounts: registering, confirming the email address (and sending the link again),
the language they read the portal in, and staff correcting an account registered as the wrong
kind (seed 000: "registered as a landlord when they are a property manager", "as an individual
when they are a business"), which keeps the account and everything on it.

Signing in, signing out and password resets are Django's own views (portal.views.accounts).
Emails go through Django's email backend after the transaction commits: a registration that rolls
back sends nothing, and a mail server that refuses is logged, not shown to the applicant as a
failed registration (they can ask for the link again)."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import errors
from core.audit import audited
from core.models import User
from portal import tokens
from portal.models import AccountType, ApplicantProfile
from portal.models.accounts import APPLICANT_KINDS
from portal.permissions import can_change_applicant_kind

logger = logging.getLogger(__name__)

# Sending the link again: not more often than this, nor more than this many times a day.
RESEND_INTERVAL = datetime.timedelta(minutes=2)
RESENDS_PER_DAY = 5


class LinkExpired(errors.ValidationError):
    code = "link_expired"
    default_message = "This link has expired."


class LinkInvalid(errors.ValidationError):
    code = "link_invalid"
    default_message = "This link is not valid."


def _check_account_type(kind: str, is_business: bool, organisation_name: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if kind not in APPLICANT_KINDS:
        problems["account_type"] = [_("Choose what you are registering as.")]
    elif is_business and kind != User.Kind.LANDLORD:
        problems["account_type"] = [_("Only landlords register as a business.")]
    elif is_business and not organisation_name:
        problems["organisation_name"] = [_("Enter the name of the business.")]
    return problems


def email_taken_message() -> str:
    """Says no more than that the address cannot be used: not whose it is, nor what kind of account."""
    return _(
        "You cannot register with this email address. If you already have an account, sign in or reset your password."
    )


def _language(language: str) -> str:
    """The portal language the applicant registered in, or "" (not chosen) for any other."""
    return language if language in dict(settings.PORTAL_LANGUAGES) else ""


@transaction.atomic
def applicant_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str = "",
    kind: str,
    is_business: bool = False,
    organisation_name: str = "",
    language: str = "",
    site_url: str,
) -> User:
    """Create an applicant's account and portal profile, and email them a link (to `site_url`,
    e.g. https://housing.example.org) to confirm their address. They can sign in at once; applying
    waits until they have confirmed it.

    Who: anyone (the person registering; the audit records no actor). Raises ValidationError, per
    field, for an address already registered (saying no more than that it cannot be used, and
    pointing to sign-in and password reset), a password Django's validators refuse, a missing
    name, or an account type that does not fit (only a landlord is a business, and needs its name).
    """
    email = User.objects.normalize_email((email or "").strip()).lower()
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    organisation_name = (organisation_name or "").strip() if is_business else ""
    problems = _check_account_type(kind, is_business, organisation_name)
    if not email:
        problems["email"] = [_("Enter your email address.")]
    elif User.objects.filter(email__iexact=email).exists():
        problems["email"] = [email_taken_message()]
    if not first_name:
        problems["first_name"] = [_("Enter your first name.")]
    try:
        candidate = User(email=email, first_name=first_name, last_name=last_name, kind=kind)
        password_validation.validate_password(password or "", user=candidate)
    except DjangoValidationError as refused:
        problems["password"] = list(refused.messages)
    if problems:
        raise errors.ValidationError(fields=problems)

    now = timezone.now()
    with audited(actor=None, action="applicant_register", account_type=AccountType.of(kind, is_business).value):
        try:
            with transaction.atomic():  # a savepoint: two registrations racing for one address
                user = User.objects.create_user(
                    email=email, password=password, kind=kind, first_name=first_name, last_name=last_name
                )
        except IntegrityError as race:
            raise errors.ValidationError(fields={"email": [email_taken_message()]}) from race
        ApplicantProfile.objects.create(
            user=user,
            is_business=is_business,
            organisation_name=organisation_name,
            preferred_language=_language(language),
            verification_sent_at=now,
            verification_sent_count=1,
        )
    transaction.on_commit(partial(verification_email_send, user_id=user.pk, site_url=site_url))
    return user


def _profile_locked(user: User) -> ApplicantProfile:
    profile, _created = ApplicantProfile.objects.select_for_update().get_or_create(user=user)
    return profile


@transaction.atomic
def verification_email_resend(*, actor: User, user: User, site_url: str) -> ApplicantProfile:
    """Send the link that confirms the applicant's email address again.

    Who: the applicant themselves. Raises PermissionDenied for anyone else; Conflict when the
    address is already confirmed, when a link went less than RESEND_INTERVAL ago, or when
    RESENDS_PER_DAY have gone today (a registration's own link counts)."""
    if actor is None or actor.pk != user.pk or user.kind not in APPLICANT_KINDS:
        raise errors.PermissionDenied(_("Only the applicant can ask for their link again."))
    profile = _profile_locked(user)
    if profile.is_email_verified:
        raise errors.Conflict(_("Your email address is already confirmed."))
    now = timezone.now()
    sent = profile.verification_sent_at
    if sent is not None and now - sent < RESEND_INTERVAL:
        raise errors.Conflict(_("We sent you a link a moment ago. Wait a few minutes before asking for another."))
    same_day = sent is not None and timezone.localdate(sent) == timezone.localdate(now)
    if same_day and profile.verification_sent_count >= RESENDS_PER_DAY:
        raise errors.Conflict(_("We have sent you as many links as we can today. Try again tomorrow."))
    with audited(actor=actor, action="verification_email_resend"):
        profile.verification_sent_at = now
        profile.verification_sent_count = profile.verification_sent_count + 1 if same_day else 1
        profile.save(update_fields=["verification_sent_at", "verification_sent_count"])
    transaction.on_commit(partial(verification_email_send, user_id=user.pk, site_url=site_url))
    return profile


def verification_email_send(*, user_id: int, site_url: str) -> bool:
    """Email the applicant the link that confirms their address, in their language. Runs after
    the registration or resend commits; a mail server that refuses is logged (the applicant can
    ask again). Returns whether the email went."""
    user = User.objects.select_related("applicant_profile").filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    profile = getattr(user, "applicant_profile", None)
    language = (profile.preferred_language if profile else "") or settings.LANGUAGE_CODE
    link = site_url.rstrip("/") + reverse("portal-verify-email-confirm", args=[tokens.verification_token_make(user)])
    with translation.override(language):
        context = {
            "user": user,
            "link": link,
            "days": tokens.MAX_AGE.days,
            "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        }
        subject = render_to_string("portal/emails/verify_email_subject.txt", context).strip()
        body = render_to_string("portal/emails/verify_email.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # the registration stands; the applicant can ask for the link again
        logger.exception("Could not send the email-confirmation link to user %s", user.pk)
        return False
    return True


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Confirm the email address the link in `token` was sent to. Confirming twice changes
    nothing. No sign-in needed: the link itself shows they received the email.

    Raises LinkExpired (a ValidationError) for a link older than three days, LinkInvalid for one
    that was altered, made up, or sent to an address the account no longer has."""
    try:
        user_id, digest = tokens.verification_token_read(token)
    except signing.SignatureExpired as expired:
        raise LinkExpired(_("This link has expired.")) from expired
    except signing.BadSignature as bad:
        raise LinkInvalid(_("This link is not valid.")) from bad
    user = User.objects.filter(pk=user_id, is_active=True, kind__in=APPLICANT_KINDS).first()
    if user is None or not tokens.email_matches(user, digest):
        raise LinkInvalid(_("This link is not valid."))
    profile = _profile_locked(user)
    if not profile.is_email_verified:
        with audited(actor=user, action="email_verify"):
            profile.email_verified_at = timezone.now()
            profile.save(update_fields=["email_verified_at"])
    user.applicant_profile = profile
    return user


@transaction.atomic
def applicant_language_set(*, actor: User, user: User, language: str) -> ApplicantProfile:
    """Remember the language the applicant reads the portal (and its emails) in.

    Who: the applicant themselves. Raises PermissionDenied for anyone else, ValidationError for
    a language the portal does not offer."""
    if actor is None or actor.pk != user.pk or user.kind not in APPLICANT_KINDS:
        raise errors.PermissionDenied(_("Only the applicant can choose their language."))
    if language not in dict(settings.PORTAL_LANGUAGES):
        raise errors.ValidationError(fields={"language": [_("Choose one of the languages offered.")]})
    profile = _profile_locked(user)
    if profile.preferred_language != language:
        with audited(actor=actor, action="applicant_language_set"):
            profile.preferred_language = language
            profile.save(update_fields=["preferred_language"])
    return profile


@transaction.atomic
def applicant_kind_change(
    *, actor: User, user: User, kind: str, is_business: bool, reason: str, organisation_name: str | None = None
) -> User:
    """Correct an applicant registered as the wrong kind (a landlord who is a property manager, an
    individual who is a business, ...) on the same account: their sign-in, applications and
    everything else stay as they are. A business keeps (or is given) its name; an individual's
    business name is cleared. The reason is kept in the audit trail with the change.

    Who: supervisors (and administrators). Raises PermissionDenied for anyone else;
    ValidationError for a staff account, a kind that is not an applicant kind, a business that is
    not a landlord or has no name, or no reason; Conflict when the account is already that type."""
    if not can_change_applicant_kind(actor):
        raise errors.PermissionDenied("Only supervisors can correct an applicant's account type.")
    reason = (reason or "").strip()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.kind not in APPLICANT_KINDS:
        raise errors.ValidationError("Only applicant accounts have an account type to correct.")
    profile = _profile_locked(user)
    name = (organisation_name if organisation_name is not None else profile.organisation_name).strip()
    problems = {
        key: [str(message) for message in messages]
        for key, messages in _check_account_type(kind, is_business, name).items()
    }
    if not reason:
        problems["reason"] = ["Say why the account type is being corrected."]
    if problems:
        raise errors.ValidationError("The account type cannot be changed like that.", fields=problems)
    before, after = AccountType.of(user.kind, profile.is_business), AccountType.of(kind, is_business)
    if before == after and (not is_business or name == profile.organisation_name):
        raise errors.Conflict(f"{user.email} is already registered as {after.label}.")
    with audited(actor=actor, action="applicant_kind_change", reason=reason, before=before.value, after=after.value):
        if user.kind != kind:
            user.kind = kind
            user.save(update_fields=["kind"])
        profile.is_business = is_business
        profile.organisation_name = name if is_business else ""
        profile.save(update_fields=["is_business", "organisation_name"])
    return user
