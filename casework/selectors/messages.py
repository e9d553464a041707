"""Reads of the letters, emails and texts about cases. Staff only: what was sent to an applicant
is shown to them by the portal, not through these."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from casework.models import Case
from casework.selectors.cases import case_get
from communications.models import Message, Template
from core import errors
from core.permissions import is_staff_member


def _about_cases() -> QuerySet[Message]:
    return Message.objects.filter(regarding_type=ContentType.objects.get_for_model(Case))


def case_message_list_for(*, user, case_id: int | Case) -> QuerySet[Message]:
    """The messages about a case, newest first, for staff. Raises NotFound for anyone else."""
    if not is_staff_member(user):
        raise errors.NotFound("There is no such case.")
    case = case_get(user=user, case_id=case_id)
    return _about_cases().filter(regarding_id=case.pk).select_related("template_version__template")


def case_message_get(*, user, message_id: int) -> tuple[Message, Case]:
    """A message about a case, and its case, for staff. Raises NotFound otherwise."""
    message = (
        _about_cases().select_related("template_version__template").filter(pk=message_id).first()
        if is_staff_member(user)
        else None
    )
    if message is None or message.regarding_id is None:
        raise errors.NotFound("There is no such message.")
    return message, case_get(user=user, case_id=message.regarding_id)


def sendable_template_list_for(*, user) -> QuerySet[Template]:
    """The templates staff can send, by name."""
    if not is_staff_member(user):
        return Template.objects.none()
    return Template.objects.filter(is_active=True, version__gt=0).order_by("name")
