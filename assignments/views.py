"""The presence and offers bar: set your presence, accept or decline what you are offered.
Each action calls one service; with htmx the bar is re-rendered in place, without JavaScript the
same forms post and redirect back to the page they came from."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from assignments import services
from assignments.models import DeclineReason
from assignments.routing_selectors import offer_get_for
from assignments.templatetags.presence import presence_context
from core import errors
from core.forms import domain_error_messages
from core.permissions import staff_member_required


def _back(request) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("staff-home")


def _bar(request, *, error: errors.DomainError | None = None, notice: str = "") -> HttpResponse:
    context = presence_context(request)
    context["notice"] = notice
    if error is not None:
        context["error_messages"] = domain_error_messages(error)
    return render(request, "assignments/_presence.html", context, status=200 if error is None else error.status_code)


def _answer(request, *, error: errors.DomainError | None = None, notice: str = "") -> HttpResponse:
    """After an action: the bar again for htmx (a refusal shown in it, with its 4xx status; a
    confirmation shown in it and announced). Without JavaScript: a refusal is the error page with
    its status (DomainErrorMiddleware), a success goes back to the page the form was on."""
    if request.htmx:
        return _bar(request, error=error, notice=notice)
    if error is not None:
        raise error
    if notice:
        messages.success(request, notice)
    return redirect(_back(request))


@require_GET
@staff_member_required
def presence_bar(request):
    return _bar(request)


@require_POST
@staff_member_required
def presence_set(request):
    try:
        presence = request.POST.get("presence", "")
        profile = services.presence_set(actor=request.user, user=request.user, presence=presence)
    except errors.DomainError as exc:
        return _answer(request, error=exc)
    return _answer(request, notice=_("You are now %(presence)s.") % {"presence": profile.get_presence_display()})


@require_POST
@staff_member_required
def offer_accept(request, offer_id: int):
    try:
        offer = services.offer_accept(actor=request.user, offer=offer_get_for(user=request.user, offer_id=offer_id))
    except errors.DomainError as exc:
        return _answer(request, error=exc)
    messages.success(request, _("%(number)s is yours now.") % {"number": offer.case.number})
    target = reverse("staff-case", args=[offer.case_id])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@require_POST
@staff_member_required
def offer_decline(request, offer_id: int):
    reason = None
    reason_id = request.POST.get("reason", "")
    try:
        offer = offer_get_for(user=request.user, offer_id=offer_id)
        if reason_id:
            reason = DeclineReason.objects.filter(pk=int(reason_id) if reason_id.isdigit() else 0).first()
            if reason is None:
                raise errors.ValidationError(fields={"reason": [_("Choose a reason from the list.")]})
        services.offer_decline(actor=request.user, offer=offer, reason=reason, note=request.POST.get("note", ""))
    except errors.DomainError as exc:
        return _answer(request, error=exc)
    notice = _("You declined %(number)s. It goes to someone else.") % {"number": offer.case.number}
    return _answer(request, notice=notice)
