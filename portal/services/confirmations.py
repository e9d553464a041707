"""The email an applicant gets when they sign and submit an application: its number, the code to
give the other side, and what happens next. Tenants' and landlords' applications both send it
(portal.services.applications and the landlord slice call application_submitted_notify in the
submit's transaction).

Seed defect DHC-1669: the old system sent no confirmation when a tenant quoted their landlord's
application code. Here nothing about the codes decides whether the email goes: every submission
sends exactly one, named `case-<pk>-application-submitted` on the delivery log, so submitting
twice (a double click, a retry after a timeout) finds the first message instead of sending a
second.

The text is a communications Template (email channel), written by supervisors like any other:
`portal-application-submitted` in English and `portal-application-submitted-<language>` for the
portal's other languages (portal/migrations: English and Spanish to start with). The applicant's
chosen portal language picks the template; without an active one in their language they get the
English one."""

from __future__ import annotations

import logging

from django.conf import settings

from casework.models import Case, CaseActivity
from casework.services.feed import feed_record
from casework.services.messages import CONTEXT_RELATED, case_context
from communications import services as communications
from communications.models import Channel, Message, Template

logger = logging.getLogger(__name__)

TEMPLATE_KEY = "portal-application-submitted"


def confirmation_key(case: Case) -> str:
    """The delivery log's name for `case`'s confirmation: one per case, ever."""
    return f"case-{case.pk}-application-submitted"


def _english(language: str) -> bool:
    return not language or language.lower().startswith("en")


def confirmation_template(language: str) -> Template | None:
    """The active email template for `language` (a portal language code, e.g. "es"), else the
    active English one, else None (a supervisor switched both off)."""
    keys = [TEMPLATE_KEY] if _english(language) else [f"{TEMPLATE_KEY}-{language.lower()}", TEMPLATE_KEY]
    found = {t.key: t for t in Template.objects.filter(key__in=keys, channel=Channel.EMAIL, is_active=True)}
    return next((found[key] for key in keys if key in found), None)


def _context(case: Case) -> dict[str, object]:
    """The case's merge fields, sent to the applicant's account email (the contact on the case may
    be a household member without one, or a landlord's tenant)."""
    context = case_context(case)
    applicant = case.applicant
    if applicant is None:  # made by staff, not in the portal: the case's contact is the recipient
        return context
    name = (applicant.get_full_name() or "").strip() or applicant.email
    context.update({"recipient.name": name, "recipient.email": applicant.email, "recipient.phone": ""})
    return context


def application_submitted_notify(*, case: Case) -> Message | None:
    """Decide to email `case`'s applicant the confirmation of their submission, in the caller's
    transaction (it is sent after the commit; a rolled-back submit sends nothing).

    Who: the system, from a submit service that has already checked the applicant (there is no
    actor: applicants cannot send messages themselves). Idempotent: calling it again for the same
    case returns the first message. Returns None, with a feed entry on the case for staff to see,
    only if no active confirmation template exists at all. Raises ValidationError if the
    applicant's email address is unusable (communications.services.message_request)."""
    from portal.selectors import profile_for

    case = Case.objects.select_related(*CONTEXT_RELATED, "applicant").get(pk=case.pk)
    existing = Message.objects.filter(idempotency_key=confirmation_key(case)).first()
    if existing is not None:
        return existing
    if case.applicant is None:
        return None
    language = profile_for(case.applicant).preferred_language or settings.LANGUAGE_CODE
    template = confirmation_template(language)
    if template is None:
        logger.error("No active %s email template: confirmation of %s not sent.", TEMPLATE_KEY, case.number)
        feed_record(
            case=case,
            kind=CaseActivity.Kind.MESSAGE,
            actor=None,
            summary="Submission confirmation not sent: the confirmation email template is switched off.",
        )
        return None
    message, _created = communications.message_request(
        actor=None, key=confirmation_key(case), template=template, context=_context(case), regarding=case
    )
    return message
