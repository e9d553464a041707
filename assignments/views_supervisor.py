"""The supervisor pages: everyone's presence and load (refreshing itself), the backlog by skill
set, why a case is waiting (with reassign and release), and charts. Supervisors and
administrators only. Views are thin: they read through assignments.selectors_supervisor, call one
service for an action, and render; each action also works without JavaScript (post, redirect)."""

from __future__ import annotations

import datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from assignments import selectors_supervisor as reads
from assignments import services
from assignments.models import CaseRouting, RoutingProfile
from assignments.selectors import Why, backlog_by_skill_set_for
from core import errors
from core.forms import domain_error_messages, form_add_domain_error
from core.permissions import is_supervisor, staff_member_required

STAFF_PER_PAGE = 100
CASES_PER_PAGE = 50


def supervisor_required(view):
    """Supervisors and administrators; other staff and applicants get 403, visitors sign in."""

    @staff_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied(_("This page is for supervisors."))
        return view(request, *args, **kwargs)

    return wrapper


def duration_text(seconds: int | float | None) -> str:
    """A wait or a stay in words: "2 d 3 h", "3 h 20 min", "45 min", "under a minute"."""
    if seconds is None:
        return _("none yet")
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("under a minute")


def _waited(since: datetime.datetime | None, now: datetime.datetime) -> str:
    return duration_text((now - since).total_seconds()) if since else ""


# --- staff ------------------------------------------------------------------------------------------


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=RoutingProfile.Presence.choices)


def _staff_context(
    request, *, error_messages: list[str] | None = None, error_field: str = "", changed: str = ""
) -> dict:
    now = timezone.now()
    page = Paginator(reads.staff_board_for(user=request.user), STAFF_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "profile": profile,
            "skills": [skill.code for skill in profile.skills.all()],
            "full": profile.load >= profile.capacity,
            "oldest_offer_waited": _waited(profile.oldest_pending_offer, now),
        }
        for profile in page.object_list
    ]
    return {
        "page": page,
        "rows": rows,
        "presences": RoutingProfile.Presence.choices,
        "updated_at": now,
        "error_messages": error_messages or [],
        "error_field": error_field,
        "changed": changed,
    }


@require_GET
@supervisor_required
def supervisor_staff(request):
    """Everyone's presence, load and offers. htmx polls the same address for the table alone."""
    context = _staff_context(request)
    if request.htmx and request.htmx.target == "supervisor-staff":
        return render(request, "assignments/_supervisor_staff.html", context)
    return render(request, "assignments/supervisor_staff.html", context)


@require_POST
@supervisor_required
def supervisor_presence_set(request, staff_id: int):
    """Set someone else's presence (e.g. Offline for someone who left without signing out)."""
    form = PresenceForm(request.POST)
    try:
        profile = reads.staff_profile_get(user=request.user, staff_id=staff_id)
        if not form.is_valid():
            raise errors.ValidationError(fields={"presence": [_("Choose Available, Busy or Offline.")]})
        profile = services.presence_set(actor=request.user, user=profile.user, presence=form.cleaned_data["presence"])
    except errors.DomainError as exc:
        context = _staff_context(request, error_messages=domain_error_messages(exc), error_field=f"presence-{staff_id}")
        template = "assignments/_supervisor_staff.html" if request.htmx else "assignments/supervisor_staff.html"
        return render(request, template, context, status=exc.status_code)
    done = _("%(name)s is now %(presence)s.") % {
        "name": profile.user.get_full_name() or profile.user.email,
        "presence": profile.get_presence_display(),
    }
    if request.htmx:
        return render(request, "assignments/_supervisor_staff.html", _staff_context(request, changed=done))
    messages.success(request, done)
    return redirect(reverse("supervisor-home"))


# --- backlog ----------------------------------------------------------------------------------------


@require_GET
@supervisor_required
def supervisor_backlog(request):
    now = timezone.now()
    groups = [
        {"group": group, "waited": _waited(group.oldest_waiting_since, now), "key": ",".join(map(str, group.skill_ids))}
        for group in backlog_by_skill_set_for(user=request.user)
    ]
    total = sum(row["group"].cases for row in groups)
    return render(request, "assignments/supervisor_backlog.html", {"groups": groups, "total": total, "now": now})


def _skill_ids(raw: str) -> list[int]:
    return sorted({int(part) for part in raw.split(",") if part.strip().isdigit()})


@require_GET
@supervisor_required
def supervisor_backlog_cases(request):
    """The cases waiting for one skill set (`?skills=1,2`; empty for cases needing no skill)."""
    now = timezone.now()
    skill_ids = _skill_ids(request.GET.get("skills", ""))
    page = Paginator(reads.backlog_cases_for(user=request.user, skill_ids=skill_ids), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"routing": routing, "waited": _waited(routing.waiting_since, now)} for routing in page.object_list]
    return render(
        request,
        "assignments/supervisor_backlog_cases.html",
        {
            "page": page,
            "rows": rows,
            "skills": reads.skill_codes_for(user=request.user, skill_ids=skill_ids),
        },
    )


# --- why is this case waiting, reassign, release --------------------------------------------------


class AssignForm(forms.Form):
    staff = forms.CharField(label=gettext_lazy("Assign to"), error_messages={"required": gettext_lazy("Choose who")})
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        error_messages={"required": gettext_lazy("Say why you are assigning the case by hand")},
    )


class ReleaseForm(forms.Form):
    release_reason = forms.CharField(label=gettext_lazy("Reason (optional)"), max_length=500, required=False)


def _case_page(request, case_id: int, *, assign_form=None, release_form=None, status: int = 200):
    data = reads.case_routing_page_for(user=request.user, case_id=case_id)
    explanation = data.explanation
    now = timezone.now()
    context = {
        "case": data.case,
        "explanation": explanation,
        "state_label": CaseRouting.State(explanation.state).label
        if explanation.state in CaseRouting.State.values
        else explanation.state,
        "routing": data.routing,
        "waited": _waited(explanation.waiting_since, now),
        "offers": data.offers,
        "staff": data.staff,
        "holder_rows": _holder_rows(explanation),
        "next_step": _next_step(explanation.reason),
        "assign_form": assign_form or AssignForm(),
        "release_form": release_form or ReleaseForm(),
    }
    return render(request, "assignments/supervisor_case_routing.html", context, status=status)


def _next_step(reason: str) -> str:
    """What a supervisor can do about it, in one sentence (empty when nothing needs doing)."""
    steps = {
        Why.SKILLS_NOT_HELD: _(
            "Give someone the missing skills in the admin (their routing profile), or assign the case by hand below."
        ),
        Why.SKILLS_NOT_HELD_TOGETHER: _(
            "Give one person all of these skills in the admin, or assign the case by hand below."
        ),
        Why.NO_ONE_ELIGIBLE: _(
            "Ask someone who holds the skills to go Available, raise a full person's capacity in the admin, "
            "or assign the case by hand below."
        ),
        Why.NO_RULE: _("Add a routing rule for this chevron in the admin, or assign the case by hand below."),
        Why.NOT_YET_ROUTED: _("The router's next pass (every minute) picks it up; you can also assign it by hand."),
    }
    return steps.get(reason, "")


def _holder_rows(explanation) -> list[tuple[str, int]]:
    """The split of the people holding every skill, as (words, count), for cases waiting on skills."""
    if not explanation.holders:
        return []
    return [
        (_("Hold every skill needed"), explanation.holders),
        (_("Offline"), explanation.offline),
        (_("Busy"), explanation.busy),
        (_("Available but full"), explanation.full),
        (_("Held back by the flood guard this minute"), explanation.flood_guarded),
        (_("Declined it or let an offer lapse this round"), explanation.excluded),
        (_("Could be offered it now"), explanation.eligible),
    ]


@require_GET
@supervisor_required
def supervisor_case_routing(request, case_id: int):
    return _case_page(request, case_id)


@require_POST
@supervisor_required
def supervisor_case_assign(request, case_id: int):
    form = AssignForm(request.POST)
    page = reads.case_routing_page_for(user=request.user, case_id=case_id)
    if form.is_valid():
        person = reads.assignable_staff_get(user=request.user, staff_id=form.cleaned_data["staff"])
        try:
            if person is None:
                raise errors.ValidationError(fields={"staff": [_("Choose a member of staff from the list.")]})
            services.case_assign(
                actor=request.user, case=page.case, user=person, reason=form.cleaned_data["reason"].strip()
            )
        except errors.DomainError as exc:
            if "owner" in exc.fields:  # the service names the field "owner"; this form calls it "staff"
                exc.fields = {"staff" if k == "owner" else k: v for k, v in exc.fields.items()}
            form_add_domain_error(form, exc)
            return _case_page(request, case_id, assign_form=form, status=exc.status_code)
        messages.success(
            request,
            _("%(number)s is assigned to %(name)s.")
            % {"number": page.case.number, "name": person.get_full_name() or person.email},
        )
        return redirect(reverse("supervisor-case-routing", args=[case_id]))
    return _case_page(request, case_id, assign_form=form, status=400)


@require_POST
@supervisor_required
def supervisor_case_release(request, case_id: int):
    form = ReleaseForm(request.POST)
    page = reads.case_routing_page_for(user=request.user, case_id=case_id)
    if form.is_valid():
        try:
            services.case_release(actor=request.user, case=page.case, reason=form.cleaned_data["release_reason"])
        except errors.DomainError as exc:
            form_add_domain_error(form, exc)
            return _case_page(request, case_id, release_form=form, status=exc.status_code)
        messages.success(request, _("%(number)s is released: routing will offer it.") % {"number": page.case.number})
        return redirect(reverse("supervisor-case-routing", args=[case_id]))
    return _case_page(request, case_id, release_form=form, status=400)


# --- charts -----------------------------------------------------------------------------------------


def _vertical_bars(items: list[tuple[str, int, str]], *, height: int = 220) -> dict:
    """Bar geometry for an SVG: one bar per (axis label, value, value label), each bar with its
    value written above it, so nothing depends on reading the bar's length or colour."""
    slot, top, bottom = 52, 28, 36
    peak = max((value for _, value, _ in items), default=0) or 1
    plot = height - top - bottom
    bars = []
    for n, (label, value, text) in enumerate(items):
        bar_height = round(plot * value / peak)
        x = n * slot + 8
        bars.append(
            {
                "x": x,
                "y": top + plot - bar_height,
                "width": slot - 16,
                "height": bar_height,
                "centre": x + (slot - 16) / 2,
                "value_y": top + plot - bar_height - 6,
                "label": label,
                "text": text,
            }
        )
    return {
        "width": max(len(items), 1) * slot,
        "height": height,
        "baseline": top + plot,
        "bars": bars,
        "label_y": height - 12,
    }


def _horizontal_bars(items: list[tuple[str, int, str]], *, width: int = 760) -> dict:
    """Bar geometry for an SVG: one row per (label, value, value label), the label on the left and
    the value written after the bar."""
    row, label_width, text_room = 36, 220, 220
    peak = max((value for _, value, _ in items), default=0) or 1
    plot = width - label_width - text_room
    bars = []
    for n, (label, value, text) in enumerate(items):
        bar_width = round(plot * value / peak)
        y = n * row + 6
        bars.append(
            {
                "x": label_width,
                "y": y,
                "width": bar_width,
                "height": row - 12,
                "text_x": label_width + bar_width + 8,
                "text_y": y + (row - 12) / 2 + 6,
                "label": label,
                "text": text,
            }
        )
    return {"width": width, "height": max(len(items), 1) * row, "label_x": label_width - 8, "bars": bars}


@require_GET
@supervisor_required
def supervisor_charts(request):
    now = timezone.now()
    today = timezone.localdate(now)
    user = request.user

    backlog = reads.backlog_history_for(user=user, now=now)
    backlog_chart = _vertical_bars([(f"{timezone.localtime(p.hour):%H:00}", p.cases, str(p.cases)) for p in backlog])

    days = reads.offer_outcomes_by_day_for(user=user, today=today)
    offer_charts = [
        {
            "id": key,
            "title": title,
            "chart": _vertical_bars([(f"{d.day:%d/%m}", getattr(d, key), str(getattr(d, key))) for d in days]),
            "total": sum(getattr(d, key) for d in days),
        }
        for key, title in (
            ("accepted", _("Offers accepted")),
            ("declined", _("Offers declined")),
            ("timed_out", _("Offers timed out")),
        )
    ]

    chevrons = reads.chevron_times_for(user=user, now=now)
    chevron_chart = _horizontal_bars(
        [
            (
                c.label,
                c.average_seconds,
                ngettext("%(time)s (%(n)d move)", "%(time)s (%(n)d moves)", c.moves)
                % {"time": duration_text(c.average_seconds), "n": c.moves},
            )
            for c in chevrons
        ]
    )

    first_actions = reads.time_to_first_action_for(user=user, now=now)
    first_action_chart = _horizontal_bars(
        [(f.case_type, f.average_seconds or 0, duration_text(f.average_seconds)) for f in first_actions]
    )

    return render(
        request,
        "assignments/supervisor_charts.html",
        {
            "backlog": [
                {"point": p, "oldest": duration_text(p.oldest_wait_seconds), "hour": timezone.localtime(p.hour)}
                for p in backlog
            ],
            "backlog_chart": backlog_chart,
            "days": days,
            "offer_charts": offer_charts,
            "chevrons": [
                {"row": c, "average": duration_text(c.average_seconds), "median": duration_text(c.median_seconds)}
                for c in chevrons
            ],
            "chevron_chart": chevron_chart,
            "first_actions": [{"row": f, "average": duration_text(f.average_seconds)} for f in first_actions],
            "first_action_chart": first_action_chart,
        },
    )
