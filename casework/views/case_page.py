"""The case page: where the case is (the chevron bar), what it is about, and what can be done
next. Sections (tasks, feed, documents, reviews, referrals, appointments, letters, SLA clocks)
are partials that htmx refreshes in place; casework.views.case_sections holds their views. Apps
built on casework (payments) add sections of their own with register_section.

Every POST here calls one service. Without JavaScript a successful action redirects back to the
page with a success banner and a refused one re-shows the page with the refusal in an error
summary (400, or 409 when the case's state does not allow it). With htmx the section alone is
re-rendered, with the same status codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import django_fsm
from django.contrib import messages
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from casework import forms
from casework.models import Case, Status, Task
from casework.selectors.appointments import appointment_list_for
from casework.selectors.cases import PERSON_FIELDS, case_page_get
from casework.selectors.clocks import case_clock_list_for, path_run_list_for, startable_path_list_for
from casework.selectors.documents import document_list_for
from casework.selectors.messages import case_message_list_for, sendable_template_list_for
from casework.selectors.referrals import referral_list_for, referral_reason_list_for
from casework.selectors.teams import queue_choice_list_for, team_choice_list_for
from casework.selectors.work import case_feed, staff_choice_list_for, task_list_for
from casework.services import cases as case_services
from core import errors
from core.forms import form_add_domain_error
from core.permissions import is_supervisor, staff_member_required

PAGE = 20  # rows per list before "Show more"
FEED_MAX = 500  # the most feed entries one page shows; older ones are in the audit trail


def people(relation: str) -> tuple[str, ...]:
    """The columns a person linked through `relation` is shown with (their name, or email)."""
    return tuple(f"{relation}__{field}" for field in PERSON_FIELDS)


# What each section's rows show, and no more: the selectors load more for the API, and every
# extra join costs PostgreSQL planning time (with a million cases, milliseconds per query).
# Rows read only the columns their section shows, for the same reason: every column is compiled,
# fetched and set on each row.
TASK_RELATIONS = ("assignee", "assignee_team")
TASK_FIELDS = (
    "case_id",
    "subject",
    "status",
    "due_date",
    "kind",
    "checklist",
    *people("assignee"),
    "assignee_team__name",
)
FEED_RELATIONS = ("actor", "note")
APPOINTMENT_FIELDS = (
    "case_id",
    "starts_at",
    "ends_at",
    "mode",
    "status",
    "location",
    "with_name",
    *people("with_user"),
)
REFERRAL_RELATIONS = ("team", "reason", "subtype", "created_by", "accepted_by")
REFERRAL_FIELDS = (
    "case_id",
    "status",
    "created_at",
    "team__name",
    "reason__name",
    "subtype__name",
    *people("created_by"),
    *people("accepted_by"),
)

CONCURRENT_CHANGE = errors.Conflict(
    "Someone else changed this case while you were looking at it. The page now shows it as it is: "
    "check what changed and try again."
)


# --- what the page shows ------------------------------------------------------------------------


def _limit(request, name: str, step: int = PAGE, most: int = FEED_MAX) -> int:
    """How many rows of list `name` to show: ?name=<n> ("Show more" adds a step), within bounds."""
    raw = request.GET.get(name, "")
    value = int(raw) if raw.isdigit() else step
    return max(step, min(value, most))


def _first(queryset, limit: int) -> tuple[list, bool]:
    """The first `limit` rows and whether there are more: one query (one row more than shown),
    never a separate count, so the page's query count does not depend on the list's length."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def actions_for(user, case: Case) -> list[dict]:
    """The buttons the actions section shows: the staff moves possible now, then sending an
    application back to draft (from Chaser) and reopening (supervisors, closed cases)."""
    actions = case_services.available_staff_transitions(user=user, case=case)
    if not case.is_closed and django_fsm.can_proceed(case.send_back_to_draft):
        actions.append({"name": "send_back_to_draft", "label": _("Send back to draft"), "needs_reason": True})
    if case.is_closed and is_supervisor(user):
        actions.append({"name": "reopen", "label": _("Reopen"), "needs_reason": True})
    # The forward moves (one click) first; those that need a reason (mostly closing) after them.
    return sorted(actions, key=lambda action: action["needs_reason"])


def actions_context(request, case: Case, *, form=None, failed: str = "") -> dict:
    actions = actions_for(request.user, case)
    for action in actions:
        # The refused move's reason form stays open, with what was typed and its error.
        action["failed"] = bool(form is not None and action["name"] == failed)
        action["reason"] = form.data.get("action-reason", "") if action["failed"] else ""
        action["errors"] = form.errors.get("reason", []) if action["failed"] else []
    return {"actions": actions, "action_form": form, "action_failed": failed}


def staff_choices(request, case: Case):
    """Who a task or appointment on `case` can be given to: read once per request and shared by
    both forms (see core.forms.SharedModelChoiceField)."""
    chosen = request.__dict__.setdefault("_staff_choices", {})
    if case.pk not in chosen:
        chosen[case.pk] = staff_choice_list_for(user=request.user, case=case).only(*PERSON_FIELDS)
    return chosen[case.pk]


def tasks_context(request, case: Case, *, form=None, refusal: str = "") -> dict:
    """`refusal`: why an action on one of the listed tasks (complete, tick its checklist) was
    refused, for the section's error summary."""
    finished_last = When_(
        When(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    tasks = (
        task_list_for(user=request.user, case=case)
        .select_related(None)
        .select_related(*TASK_RELATIONS)
        .only(*TASK_FIELDS)
        .exclude(kind=Task.Kind.CASE_REVIEW)  # reviews are listed under "Log review"
        .order_by(finished_last, "due_date", "created_at", "pk")
    )
    limit = _limit(request, "tasks")
    rows, more = _first(tasks, limit)
    return {
        "tasks": rows,
        "tasks_more": limit + PAGE if more else None,
        "task_form": form or forms.TaskForm(staff=staff_choices(request, case), prefix="task"),
        "task_refusals": [refusal] if refusal else [],
    }


def feed_context(request, case: Case, *, form=None) -> dict:
    limit = _limit(request, "feed")
    feed = case_feed(user=request.user, case=case).select_related(None).select_related(*FEED_RELATIONS)
    rows, more = _first(feed.prefetch_related(None), limit)
    return {
        "feed": rows,
        "feed_more": limit + PAGE if more else None,
        "note_form": form or forms.NoteForm(prefix="note"),
    }


def documents_context(request, case: Case, *, form=None, **request_forms) -> dict:
    from casework.views.document_requests import document_requests_context  # it imports this module

    limit = _limit(request, "documents")
    rows, more = _first(document_list_for(user=request.user, case_id=case), limit)
    return {
        "documents": rows,
        "documents_more": limit + PAGE if more else None,
        "document_form": form or forms.DocumentForm(prefix="document"),
        # Documents asked for: outstanding requests, ask again, request a document.
        **document_requests_context(request, case, rows, **request_forms),
    }


def review_context(request, case: Case, *, form=None) -> dict:
    return {"review_form": form or forms.ReviewForm(prefix="review")}


def referral_form_for(request, data=None) -> forms.ReferralForm:
    return forms.ReferralForm(
        data,
        prefix="referral",
        teams=team_choice_list_for(user=request.user).only("name"),
        # The picker shows each reason as "team: reason", and no subtypes.
        reasons=referral_reason_list_for(user=request.user).prefetch_related(None).only("name", "team__name"),
        queues=queue_choice_list_for(user=request.user).only("name"),
    )


def referrals_context(request, case: Case, *, form=None) -> dict:
    limit = _limit(request, "referrals")
    referrals = (
        referral_list_for(user=request.user, case=case)
        .select_related(None)
        .select_related(*REFERRAL_RELATIONS)
        .only(*REFERRAL_FIELDS)
        .order_by("-created_at", "-pk")
    )
    rows, more = _first(referrals, limit)
    return {
        "referrals": rows,
        "referrals_more": limit + PAGE if more else None,
        "referral_form": form or referral_form_for(request),
    }


def appointments_context(request, case: Case, *, form=None) -> dict:
    limit = _limit(request, "appointments")
    appointments = appointment_list_for(user=request.user, case_id=case).select_related(None)
    # Not the task: the table does not show it.
    appointments = appointments.select_related("with_user").only(*APPOINTMENT_FIELDS)
    rows, more = _first(appointments, limit)
    return {
        "appointments": rows,
        "appointments_more": limit + PAGE if more else None,
        "appointment_form": form or forms.AppointmentForm(prefix="appointment", staff=staff_choices(request, case)),
    }


def message_form_for(request, data=None) -> forms.MessageForm:
    return forms.MessageForm(data, prefix="message", templates=sendable_template_list_for(user=request.user))


def messages_context(request, case: Case, *, form=None, preview=None, refusal: str = "") -> dict:
    """`refusal`: why an action on one of the listed messages (try again, mark reviewed) was
    refused, for the section's error summary."""
    limit = _limit(request, "messages")
    rows, more = _first(case_message_list_for(user=request.user, case_id=case), limit)
    return {
        "case_messages": rows,
        "case_messages_more": limit + PAGE if more else None,
        "message_form": form or message_form_for(request),
        "message_preview": preview,
        "message_refusals": [refusal] if refusal else [],
    }


def clocks_context(request, case: Case, *, refusal: str = "") -> dict:
    """The case's SLA and timeout clocks, its workflow paths (runs, and the paths it could be
    started on by hand); `refusal`: why starting one was refused."""
    return {
        "case_clocks": case_clock_list_for(user=request.user, case_id=case.pk),
        "path_runs": path_run_list_for(user=request.user, case_id=case.pk),
        "startable_paths": startable_path_list_for(user=request.user, case=case),
        "path_refusals": [refusal] if refusal else [],
    }


SECTIONS: dict[str, Callable[..., dict]] = {
    "actions": actions_context,
    "tasks": tasks_context,
    "feed": feed_context,
    "documents": documents_context,
    "review": review_context,
    "referrals": referrals_context,
    "appointments": appointments_context,
    "messages": messages_context,
    "clocks": clocks_context,
}
# Sections the page loads after it is shown (htmx), or on request (?show=<name>, the link the
# placeholder offers without JavaScript): used less than the rest, and each costs queries the
# page's 50 ms budget does not have (the referral form's three pickers; the messages and the
# templates). A refused form in one shows it on the page as usual.
LAZY_SECTIONS = frozenset({"messages", "referrals", "clocks"})


@dataclass(frozen=True)
class ContributedSection:
    """A section another app adds to the case page (casework never imports those apps: they
    register here from their AppConfig.ready()). Always loaded after the page, like "clocks":
    `build(request, case, **kwargs)` returns its template's context, `template` draws it (a
    <section id="case-<name>">), `heading` and `link` are what the placeholder shows before it
    loads, and `applies(case)` says whether the case has it at all (no query: the case's own
    fields)."""

    name: str
    build: Callable[..., dict]
    template: str
    heading: str
    link: str
    applies: Callable[[Case], bool]


CONTRIBUTED: dict[str, ContributedSection] = {}


def register_section(
    name: str,
    *,
    build: Callable[..., dict],
    template: str,
    heading: str,
    link: str,
    applies: Callable[[Case], bool] | None = None,
) -> None:
    """Add a lazy section to the case page, after casework's own. Registering a name again
    replaces it (ready() may run more than once in tests); a casework section's name is refused."""
    if name in SECTIONS and name not in CONTRIBUTED:
        raise ValueError(f"The case page already has a section called {name!r}.")
    CONTRIBUTED[name] = ContributedSection(name, build, template, heading, link, applies or (lambda case: True))
    SECTIONS[name] = build


def is_lazy(section: str) -> bool:
    return section in LAZY_SECTIONS or section in CONTRIBUTED


def section_template(section: str) -> str:
    contributed = CONTRIBUTED.get(section)
    return contributed.template if contributed else f"casework/_case_{section}.html"


def section_applies(section: str, case: Case) -> bool:
    contributed = CONTRIBUTED.get(section)
    return contributed is None or contributed.applies(case)


def page_context(request, case: Case, **forms_by_section) -> dict:
    context = {"case": case, "is_supervisor": is_supervisor(request.user)}
    for name, build in SECTIONS.items():
        if not section_applies(name, case):
            continue
        if is_lazy(name) and name not in forms_by_section and request.GET.get("show") != name:
            context[f"{name}_lazy"] = True
            continue
        context.update(build(request, case, **forms_by_section.get(name, {})))
    # The other apps' sections, in the order they registered: the page includes each (or its
    # placeholder) by name.
    context["contributed_sections"] = [
        {
            "name": section.name,
            "template": section.template,
            "heading": section.heading,
            "link": section.link,
            "lazy": context.get(f"{section.name}_lazy", False),
        }
        for section in CONTRIBUTED.values()
        if section.applies(case)
    ]
    return context


def render_page(request, case: Case, *, status: int = 200, **forms_by_section):
    return render(request, "casework/case_detail.html", page_context(request, case, **forms_by_section), status=status)


def section_response(request, case_id: int, section: str, *, status: int = 200, success: str = "", **section_kwargs):
    """After a section's form: for htmx, the section again (the case re-read, so it shows the
    change); without htmx, back to the page (success) or the page with the refused form (4xx)."""
    case = case_page_get(user=request.user, case_id=case_id)
    if request.htmx:
        context = {"case": case, "is_supervisor": is_supervisor(request.user), "just_done": success}
        context.update(SECTIONS[section](request, case, **section_kwargs))
        return render(request, section_template(section), context, status=status)
    if status >= 400:
        return render_page(request, case, status=status, **{section: section_kwargs})
    messages.success(request, success)
    shown = f"?show={section}" if is_lazy(section) else ""
    return redirect(f"{reverse('staff-case', args=[case.pk])}{shown}#case-{section}")


def refusal_status(exc: errors.DomainError) -> int:
    return 409 if isinstance(exc, errors.Conflict) else exc.status_code


# --- views -----------------------------------------------------------------------------------


@require_GET
@staff_member_required
def case_detail(request, case_id: int):
    case = case_page_get(user=request.user, case_id=case_id)
    return render_page(request, case)


@require_GET
@staff_member_required
def case_section(request, case_id: int, section: str):
    """One section on its own, for htmx "Show more" links (the same links work without JS)."""
    if section not in SECTIONS:
        raise errors.NotFound("There is no such section.")
    if not request.htmx:
        query = request.GET.copy()
        if is_lazy(section):
            query["show"] = section
        return redirect(f"{reverse('staff-case', args=[case_id])}?{query.urlencode()}#case-{section}")
    case = case_page_get(user=request.user, case_id=case_id)
    if not section_applies(section, case):
        raise errors.NotFound("This case has no such section.")
    context = {"case": case, "is_supervisor": is_supervisor(request.user)}
    context.update(SECTIONS[section](request, case))
    return render(request, section_template(section), context)


_SPECIAL = {
    "send_back_to_draft": lambda actor, case, reason: case_services.case_send_back_to_draft(
        actor=actor, case=case, reason=reason
    ),
    "reopen": lambda actor, case, reason: case_services.case_reopen(actor=actor, case=case, reason=reason),
}


@require_POST
@staff_member_required
def case_action(request, case_id: int):
    """Move the case along its chevrons: one of STAFF_TRANSITIONS (case_transition), or sending an
    application back to draft, or reopening. The whole page changes (chevrons, summary, the
    actions themselves), so success always reloads the page."""
    case = case_page_get(user=request.user, case_id=case_id)
    form = forms.TransitionForm(request.POST, prefix="action")
    name = request.POST.get("action-transition", "")
    if not form.is_valid():
        return _action_refused(request, case, form, name, status=400)
    reason = form.cleaned_data["reason"]
    if form.cleaned_data["status"] and form.cleaned_data["status"] != case.status:
        form_add_domain_error(form, CONCURRENT_CHANGE)
        return _action_refused(request, case, form, name, status=409)
    try:
        if name in _SPECIAL:
            case = _SPECIAL[name](request.user, case, reason)
        else:
            case = case_services.case_transition(actor=request.user, case=case, transition=name, reason=reason)
    except django_fsm.ConcurrentTransition:
        form_add_domain_error(form, CONCURRENT_CHANGE)
        return _action_refused(request, case, form, name, status=409)
    except errors.DomainError as exc:
        form_add_domain_error(form, exc)
        return _action_refused(request, case, form, name, status=refusal_status(exc))
    status_label = Status(case.status).label
    if case.is_closed:
        status_label = f"{status_label} ({case.get_closure_stage_display()})"
    messages.success(request, _("%(number)s is now at %(status)s.") % {"number": case.number, "status": status_label})
    target = reverse("staff-case", args=[case.pk])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


def _action_refused(request, case: Case, form, name: str, *, status: int):
    case = case_page_get(user=request.user, case_id=case.pk)  # as it is now, not as the form saw it
    return render_page(request, case, status=status, actions={"form": form, "failed": name})
