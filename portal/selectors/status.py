"""The reads behind an application's page in the portal: what the applicant is told about where
it is, what is needed from them, what has happened, the messages and letters sent to them, its
appeal, its appointments and the payments made on it. Every function takes a case the applicant
may see (read through portal.selectors.application_get) and reads only what is about that case
and meant for them: never staff notes, tasks, internal reasons or messages to someone else, and
of a payment never the payee's bank details or tax id, the provider's reference or why staff
changed its status."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casework.models import Appointment, Case, CaseActivity, Clock, SlaRule, Task
from casework.models.cases import RENTAL_WORKFLOWS, WITHDRAWABLE
from casework.permissions import is_case_applicant
from casework.selectors.appointments import appointment_list_for
from communications.models import Channel, Message
from payments.models import Payment, PaymentReason, PaymentStatus
from portal.labels import activity_words

# The feed entries an applicant sees on their timeline. Everything else (notes, tasks, owner
# changes, SLA, flags, reviews, referrals, paths) is staff work and stays off it.
TIMELINE_KINDS = (
    CaseActivity.Kind.CREATED,
    CaseActivity.Kind.STATUS_CHANGED,
    CaseActivity.Kind.MATCHED,
    CaseActivity.Kind.DOCUMENT_ADDED,
    CaseActivity.Kind.APPEAL,
)
SENT_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED)
SENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.LETTER)
OPEN_TASK = (Task.Status.OPEN, Task.Status.IN_PROGRESS)


def notice_hours() -> int:
    """How long before an appointment it can still be cancelled or rearranged online."""
    return int(getattr(settings, "PORTAL_APPOINTMENT_CHANGE_NOTICE_HOURS", 24))


# --- where it is and what is needed ------------------------------------------------------------


def sent_back_reason(case: Case) -> str:
    """The reason the chaser gave when they last sent this application back to the applicant
    (meant for the applicant: casework tells them it), while it is still back with them."""
    if case.status != Case.Status.DRAFT:
        return ""
    change = (
        CaseActivity.objects.filter(
            case=case,
            kind=CaseActivity.Kind.STATUS_CHANGED,
            from_status=Case.Status.CHASER,
            to_status=Case.Status.DRAFT,
        )
        .only("reason")
        .order_by("-at", "-id")
        .first()
    )
    return change.reason if change else ""


def timeout_at(case: Case) -> datetime.datetime | None:
    """When the case closes as timed out if nothing happens (a running timeout clock on the
    chevron it is at), or None when nothing times it."""
    clock = (
        Clock.objects.filter(case=case, task__isnull=True, state=Clock.State.RUNNING, rule__kind=SlaRule.Kind.TIMEOUT)
        .filter(Q(rule__status=case.status) | Q(rule__status=""))
        .exclude(target_at__isnull=True)
        .only("target_at")
        .order_by("target_at")
        .first()
    )
    return clock.target_at if clock else None


def outstanding_documents(user, case: Case) -> int | None:
    """How many requested documents the applicant still has to send, or None while the
    documents part of the portal is not there to ask."""
    try:
        from portal.selectors.documents import outstanding_requests_for
    except ImportError:  # the documents area is added separately; the page works without it
        return None
    outstanding = outstanding_requests_for(user, case)
    return outstanding.count() if isinstance(outstanding, QuerySet) else len(outstanding)


def appeal_of(case: Case) -> Case | None:
    """The appeal against this case's decision, if there is one (there can be only one)."""
    return (
        Case.objects.filter(parent=case, workflow=Case.Workflow.APPEAL)
        .select_related("case_type")
        .order_by("pk")
        .first()
    )


def appealed_case_of(user, case: Case) -> Case | None:
    """For an appeal, the application it is about, if `user` may see that too."""
    if case.workflow != Case.Workflow.APPEAL or not case.parent_id:
        return None
    from casework.selectors.cases import case_list_for

    return case_list_for(user=user).select_related(None).filter(pk=case.parent_id).only("id", "number").first()


def withdraw_refusal(user, case: Case) -> str:
    """Why `user` cannot withdraw `case` now, as a sentence; "" when they can."""
    if case.workflow not in RENTAL_WORKFLOWS:
        return _("An appeal cannot be withdrawn online. Contact us if you no longer want it to go ahead.")
    if case.is_closed:
        return _("This application is closed, so there is nothing to withdraw.")
    if case.status not in WITHDRAWABLE:
        return _(
            "This application has been approved and the payment is being arranged, so it can no longer be "
            "withdrawn online. Contact us if something has changed."
        )
    if not is_case_applicant(user, case):
        return _("Only the applicant, or someone acting for them, can withdraw this application.")
    return ""


def appeal_refusal(user, case: Case) -> str:
    """Why `user` cannot appeal `case`, as a sentence; "" when they can (not saying anything
    about an appeal already made: the page shows that one instead)."""
    if case.workflow not in RENTAL_WORKFLOWS or not (case.is_closed and case.closure_stage == Case.ClosureStage.DENIED):
        return _("Only an application that was not approved can be appealed.")
    if not is_case_applicant(user, case):
        return _("Only the applicant, or someone acting for them, can appeal this decision.")
    return ""


# --- what has happened ----------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime.datetime
    words: str
    reason: str = ""


def timeline_for(user, case: Case, limit: int = 50) -> list[TimelineEntry]:
    """The case's feed as the applicant sees it, newest first: only TIMELINE_KINDS, in applicant
    words, documents only those the applicant (or whoever applied) uploaded, and a reason only
    where it is meant for them (sent back to draft)."""
    uploaders = {pk for pk in (user.pk, case.applicant_id) if pk}
    activities = (
        CaseActivity.objects.filter(case=case, kind__in=TIMELINE_KINDS)
        .filter(~Q(kind=CaseActivity.Kind.DOCUMENT_ADDED) | Q(document__uploaded_by__in=uploaders))
        .select_related("document")
        .only(
            "id",
            "kind",
            "at",
            "from_status",
            "to_status",
            "reason",
            "data",
            "document__original_name",
            "document__id",
        )
        .order_by("-at", "-id")[:limit]
    )
    entries = []
    for activity in activities:
        words = activity_words(activity, case)
        if not words:
            continue
        sent_back = activity.from_status == Case.Status.CHASER and activity.to_status == Case.Status.DRAFT
        entries.append(TimelineEntry(at=activity.at, words=words, reason=activity.reason if sent_back else ""))
    return entries


# --- messages and letters -------------------------------------------------------------------


def _to_applicant(user, case: Case) -> Q:
    """Messages addressed to `user`: to their own email address, or, for the applicant
    themselves, to the contact details they gave on the application (the case's contact)."""
    addressed = Q(recipient_email__iexact=user.email) if user.email else Q(pk__in=[])
    contact = case.contact if case.applicant_id == user.pk and case.contact_id else None
    if contact is not None:
        if contact.email:
            addressed |= Q(channel=Channel.EMAIL, recipient_email__iexact=contact.email)
        if contact.phone:
            from communications.services import phone_for_sms
            from core import errors

            # Not a number a text can go to: then no text went to it.
            with contextlib.suppress(errors.DomainError):
                addressed |= Q(channel=Channel.SMS, recipient_phone=phone_for_sms(contact.phone))
        if contact.full_name:
            addressed |= Q(channel=Channel.LETTER, recipient_name__iexact=contact.full_name)
    return addressed


def messages_for(user, case: Case) -> QuerySet[Message]:
    """The letters, emails and texts about `case` that were sent to `user`, newest first."""
    return (
        Message.objects.filter(
            regarding_type=ContentType.objects.get_for_model(Case),
            regarding_id=case.pk,
            status__in=SENT_STATUSES,
            channel__in=SENT_CHANNELS,
        )
        .filter(_to_applicant(user, case))
        .defer("body", "recipient_address", "missing_fields")
        .order_by("-sent_at", "-created_at", "-id")
    )


def message_get(user, case: Case, message_id: int) -> Message:
    """One message sent to `user` about `case`. Raises Http404 for any other: a message about
    another application, to someone else, or not sent."""
    message = messages_for(user, case).defer(None).filter(pk=message_id).first()
    if message is None:
        raise Http404(_("There is no such message."))
    return message


# --- appointments ---------------------------------------------------------------------------


@dataclass
class AppointmentView:
    appointment: Appointment
    can_change: bool
    change_refusal: str = ""
    rearrange_requested: bool = False
    extra: dict = field(default_factory=dict)


def appointment_change_refusal(appointment: Appointment, now: datetime.datetime | None = None) -> str:
    """Why the applicant cannot cancel or rearrange `appointment` online now; "" when they can."""
    now = now or timezone.now()
    if appointment.status != Appointment.Status.SCHEDULED:
        return _("This appointment is %(status)s, so it cannot be changed.") % {
            "status": appointment.get_status_display().lower()
        }
    if appointment.starts_at <= now:
        return _("This appointment has already started, so it cannot be changed.")
    if appointment.case is not None and appointment.case.is_closed:
        return _("This application is closed, so its appointments cannot be changed online.")
    hours = notice_hours()
    if appointment.starts_at - now < datetime.timedelta(hours=hours):
        return _(
            "This appointment is less than %(hours)s hours away, so it can no longer be changed online. "
            "Call us instead."
        ) % {"hours": hours}
    return ""


def rearrange_requested(appointment: Appointment) -> bool:
    """Whether the applicant has asked to rearrange `appointment` and the request is still open."""
    if appointment.case_id is None:
        return False
    return CaseActivity.objects.filter(
        case_id=appointment.case_id,
        kind=CaseActivity.Kind.APPOINTMENT,
        data__appointment_id=appointment.pk,
        data__rearrange_request=True,
        task__status__in=OPEN_TASK,
    ).exists()


def upcoming_appointments_for(user, case: Case, now: datetime.datetime | None = None) -> list[AppointmentView]:
    """The case's scheduled appointments still to come, soonest first, with whether each can
    be changed online."""
    now = now or timezone.now()
    appointments = appointment_list_for(user=user, case_id=case).filter(
        status=Appointment.Status.SCHEDULED, starts_at__gt=now
    )
    views = []
    for appointment in appointments:
        appointment.case = case
        refusal = appointment_change_refusal(appointment, now)
        views.append(
            AppointmentView(
                appointment=appointment,
                can_change=not refusal,
                change_refusal=refusal,
                rearrange_requested=rearrange_requested(appointment),
            )
        )
    return views


def appointment_get_for(user, case: Case, appointment_id: int) -> Appointment:
    """An appointment on `case` (which `user` may see). Raises Http404 for any other."""
    appointment = appointment_list_for(user=user, case_id=case).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404(_("There is no such appointment."))
    appointment.case = case
    return appointment


# --- payments made ---------------------------------------------------------------------------

# The payments an applicant is told about: money on its way, paid, or paid and sent back by the
# receiving bank. Payments still being set up or checked, rejected, failed or voided are staff
# work: nothing was paid, and their reasons are internal.
SHOWN_PAYMENT_STATUSES = (
    PaymentStatus.SUBMITTED_FOR_PAYMENT,
    PaymentStatus.PAYMENT_SUCCESSFUL,
    PaymentStatus.PAYMENT_RETURNED,
)


@dataclass(frozen=True)
class PaymentMade:
    """One payment as the applicant sees it. Only these fields are read from the database, so a
    template cannot reach the payee's bank details, tax id or anything else staff record."""

    amount: Decimal
    status: str  # "paid", "returned" or "being_paid"
    status_label: str
    date: datetime.date | None  # when it was paid (or returned); None while it is being paid
    reason_label: str
    period_start: datetime.date
    period_end: datetime.date | None
    payee_name: str


def _payment_words() -> dict[str, tuple[str, str]]:
    """The applicant's words for each shown status (in the active language): (key, label)."""
    return {
        PaymentStatus.PAYMENT_SUCCESSFUL: ("paid", pgettext("payment status", "Paid")),
        PaymentStatus.PAYMENT_RETURNED: ("returned", pgettext("payment status", "Returned")),
        PaymentStatus.SUBMITTED_FOR_PAYMENT: ("being_paid", pgettext("payment status", "Being paid")),
    }


def _reason_words() -> dict[str, str]:
    """What a payment is for, in applicant words (payments' own labels are staff text)."""
    return {
        PaymentReason.ARREARS: _("Rent owed"),
        PaymentReason.STIPEND: _("Future rent"),
        PaymentReason.UTILITY: _("Utility bills"),
        PaymentReason.MOVING: _("Moving costs"),
        PaymentReason.OTHER: _("Other costs"),
    }


def payments_made_for(case: Case) -> list[PaymentMade]:
    """The payments made on `case` (one of the applicant's applications), newest period first.

    A tenant's application: every payment on it. A landlord's application: the payments on the
    tenant's application it is matched with that are made to this landlord's own payee (the
    landlord case's applicant owns it), never payments to anyone else. Any other case (an
    appeal, an unmatched landlord application) has none. Only SHOWN_PAYMENT_STATUSES."""
    if case.workflow == Case.Workflow.RENTAL_TENANT:
        payments = Payment.objects.filter(case_id=case.pk)
    elif case.workflow == Case.Workflow.RENTAL_LANDLORD and case.parent_id and case.applicant_id:
        payments = Payment.objects.filter(case_id=case.parent_id, payee__owner_id=case.applicant_id)
    else:
        return []
    rows = (
        payments.filter(status__in=SHOWN_PAYMENT_STATUSES)
        .order_by("-period_start", "-status_changed_at", "-id")
        .values("amount", "status", "status_changed_at", "reason", "period_start", "period_end", "payee__name")
    )
    words, reasons = _payment_words(), _reason_words()
    made = []
    for row in rows:
        key, label = words[row["status"]]
        made.append(
            PaymentMade(
                amount=row["amount"],
                status=key,
                status_label=label,
                date=None if key == "being_paid" else timezone.localdate(row["status_changed_at"]),
                reason_label=reasons.get(row["reason"], reasons[PaymentReason.OTHER]),
                period_start=row["period_start"],
                period_end=row["period_end"],
                payee_name=row["payee__name"],
            )
        )
    return made


def payments_expected(case: Case) -> bool:
    """Whether the applicant should hear about payments even before one is made: the tenant's
    application (or, for a landlord's, the tenant's it is matched with) has been approved and is
    at the Payment chevron."""
    if case.workflow == Case.Workflow.RENTAL_TENANT:
        return case.status == Case.Status.PAYMENT
    if case.workflow == Case.Workflow.RENTAL_LANDLORD and case.parent_id:
        return Case.objects.filter(pk=case.parent_id, status=Case.Status.PAYMENT).exists()
    return False


# --- the whole page -------------------------------------------------------------------------


def application_page_for(user, case: Case) -> dict:
    """Everything the application's page shows, for `case` read through application_get."""
    from portal.labels import applicant_status, applicant_status_colour, applicant_steps

    appeal = appeal_of(case) if case.closure_stage == Case.ClosureStage.DENIED else None
    return {
        "case": case,
        "status": applicant_status(case),
        "colour": applicant_status_colour(case),
        "steps": applicant_steps(case),
        "sent_back_reason": sent_back_reason(case),
        "timeout_at": timeout_at(case) if case.status in (Case.Status.DRAFT, Case.Status.APPLICATION_MATCH) else None,
        "outstanding_documents": outstanding_documents(user, case) if not case.is_closed else None,
        "timeline": timeline_for(user, case),
        # Not "messages": that is the name Django's messages framework gives the page's banners.
        "sent_messages": list(messages_for(user, case)),
        "appointments": upcoming_appointments_for(user, case) if not case.is_closed else [],
        "appeal": appeal,
        "can_appeal": appeal is None and not appeal_refusal(user, case),
        "appealed_case": appealed_case_of(user, case),
        "can_withdraw": not withdraw_refusal(user, case),
        "payments": payments_made_for(case),
        "payments_expected": payments_expected(case),
    }
