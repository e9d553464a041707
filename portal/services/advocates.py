"""Writes for the advocates a landlord or property manager authorises (DHC-1663): authorising an
advocate to apply and submit for them, and revoking that. Each service is one transaction, checks
who is acting and is audited. Messages are shown to applicants, so they are translated.

What an authorised advocate may then do with the landlord's applications is in
portal.services.landlord_applications.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, CaseUserObjectPermission
from core import errors
from core.audit import audited
from core.models import User
from portal.models import AdvocateAuthorisation
from portal.selectors import profile_for
from portal.services.landlords import refuse_unless_landlord


@transaction.atomic
def advocate_authorise(*, actor: User, email: str) -> AdvocateAuthorisation:
    """The landlord lets the advocate registered with `email` apply and submit for them. The
    account must be an active advocate's with a confirmed email address.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied,
    ValidationError (field "email": no such advocate, already authorised)."""
    refuse_unless_landlord(actor)
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


__all__ = ["advocate_authorisation_revoke", "advocate_authorise"]
