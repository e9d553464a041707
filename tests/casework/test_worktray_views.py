"""My worktray (/staff/): a caseworker's own open cases (filtered, sorted, paginated, counted per
chevron), tasks due, @mentions and saved views, in a constant number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import WORKFLOWS, Case, Note, NoteMention, SavedFilter, Task
from casework.models.cases import CASE_NUMBER_SEQUENCE
from casework.services import saved_filters as saved_filter_services
from core import errors
from core.roles import Role
from tests.casework.factories import (
    CaseFactory,
    CaseTypeFactory,
    ContactFactory,
    PatchFactory,
    PropertyFactory,
    TenancyFactory,
)
from tests.casework.factories_work import NoteFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = reverse("staff-home")


def _numbers(response) -> list[str]:
    return [row.record.number for row in response.context["table"].page.object_list]


def bulk_cases(owner, count: int, *, workflow: str = "support", status: str | None = None, **fields) -> list[Case]:
    """`count` open cases owned by `owner`, made in one INSERT (numbered from the cases' own
    sequence, as Case.save does), spread over the workflow's open chevrons unless `status`."""
    case_type = CaseTypeFactory(workflow=workflow)
    contact = fields.pop("contact", None) or ContactFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [CASE_NUMBER_SEQUENCE, count])
        serials = [row[0] for row in cursor.fetchall()]
    open_chevrons = [s for s in WORKFLOWS[workflow] if s != "closed"]
    now = timezone.now()
    cases = []
    for n, serial in enumerate(serials):
        case = Case(
            number=f"{case_type.number_prefix}-2026-{serial:06d}",
            case_type=case_type,
            workflow=workflow,
            owner=owner,
            contact=contact,
            created_at=now - datetime.timedelta(minutes=n),
            **fields,
        )
        case.__dict__["status"] = status or open_chevrons[n % len(open_chevrons)]
        cases.append(case)
    return Case.objects.bulk_create(cases, batch_size=1000)


def _world(owner, colleague, count: int) -> None:
    """`count` of everything the worktray lists: my cases, my tasks, my mentions."""
    cases = bulk_cases(owner, count, property=PropertyFactory())
    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(case=case, subject=f"Task {n}", assignee=owner, due_date=today + datetime.timedelta(days=n % 7 - 3))
        for n, case in enumerate(cases)
    )
    notes = Note.objects.bulk_create(
        Note(case=case, author=colleague, body=f"@owner see {n}") for n, case in enumerate(cases)
    )
    NoteMention.objects.bulk_create(NoteMention(note=note, user=owner) for note in notes)
    SavedFilter.objects.bulk_create(
        SavedFilter(user=owner, name=f"View {count}-{n}", query="priority=urgent") for n in range(3)
    )


# --- who may see it ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_applicants_are_refused(client, applicant):
    client.force_login(applicant)
    assert client.get(URL).status_code == 403


def test_only_my_open_cases_are_listed(client, caseworker, make_staff):
    colleague = make_staff(Role.CASEWORKER)
    mine = CaseFactory(owner=caseworker, case_type=CaseTypeFactory(workflow="support"))
    CaseFactory(owner=colleague, case_type=CaseTypeFactory(workflow="support"))
    CaseFactory(owner=caseworker, case_type=CaseTypeFactory(workflow="support"), status="closed")
    CaseFactory(case_type=CaseTypeFactory(workflow="support"))  # nobody's
    client.force_login(caseworker)
    response = client.get(URL)
    assert _numbers(response) == [mine.number]
    html = response.content.decode()
    assert f'href="{reverse("staff-case", args=[mine.pk])}"' in html
    assert response.context["counts"] == [
        {"status": "triage", "label": "Triage", "count": 1, "current": False, "query": "status=triage"}
    ]


# --- sorting, filtering, counts ---------------------------------------------------------------


def test_sort_by_priority_puts_urgent_first_and_reverses(client, caseworker):
    normal_old, urgent, normal_new = (
        bulk_cases(caseworker, 1, priority=Case.Priority.NORMAL)[0],
        bulk_cases(caseworker, 1, priority=Case.Priority.URGENT)[0],
        bulk_cases(caseworker, 1, priority=Case.Priority.NORMAL)[0],
    )
    Case.objects.filter(pk=normal_old.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
    client.force_login(caseworker)
    # "normal" < "urgent" alphabetically: a text sort would put urgent last.
    assert _numbers(client.get(URL, {"sort": "priority"})) == [urgent.number, normal_old.number, normal_new.number]
    assert _numbers(client.get(URL, {"sort": "-priority"}))[-1] == urgent.number
    # The default order is oldest first.
    assert _numbers(client.get(URL)) == [normal_old.number, urgent.number, normal_new.number]
    html = client.get(URL, {"sort": "priority"}).content.decode()
    assert re.search(r'aria-sort="ascending">\s*<a[^>]*>Priority', html)
    assert '<strong class="govuk-tag govuk-tag--red">Urgent</strong>' in html


@pytest.mark.parametrize("field", ["created_at", "days_on_chevron"])
def test_sort_oldest_to_newest_and_back(client, caseworker, field):
    cases = bulk_cases(caseworker, 3)
    now = timezone.now()
    for age, case in zip((5, 1, 3), cases, strict=True):
        Case.objects.filter(pk=case.pk).update(
            created_at=now - datetime.timedelta(days=age), status_changed_at=now - datetime.timedelta(days=age)
        )
    oldest_first = [cases[0].number, cases[2].number, cases[1].number]
    client.force_login(caseworker)
    # Opened ascending = oldest first; days on this chevron ascending = fewest days first.
    ascending = oldest_first if field == "created_at" else oldest_first[::-1]
    assert _numbers(client.get(URL, {"sort": field})) == ascending
    assert _numbers(client.get(URL, {"sort": f"-{field}"})) == ascending[::-1]
    if field == "days_on_chevron":
        assert "5 days" in client.get(URL).content.decode()


def test_filters_by_chevron_type_priority_and_patch(client, caseworker):
    north, south = PatchFactory(code="N01"), PatchFactory(code="S01")
    by_property = bulk_cases(caseworker, 1, status="triage", property=PropertyFactory(patch=north))[0]
    by_tenancy = bulk_cases(
        caseworker, 1, status="in_progress", tenancy=TenancyFactory(property=PropertyFactory(patch=north))
    )[0]
    elsewhere = bulk_cases(caseworker, 1, status="triage", priority="urgent", property=PropertyFactory(patch=south))[0]
    arrears = bulk_cases(caseworker, 1, workflow="arrears", status="court")[0]
    client.force_login(caseworker)
    assert set(_numbers(client.get(URL, {"patch": north.pk}))) == {by_property.number, by_tenancy.number}
    assert _numbers(client.get(URL, {"status": "triage", "patch": north.pk})) == [by_property.number]
    assert _numbers(client.get(URL, {"priority": "urgent"})) == [elsewhere.number]
    assert _numbers(client.get(URL, {"case_type": arrears.case_type_id})) == [arrears.number]
    html = client.get(URL, {"patch": north.pk}).content.decode()
    assert '<td class="govuk-table__cell">N01</td>' in html  # the tenancy's property's patch is shown too


def test_counts_per_chevron_in_one_query_link_to_the_filter(client, caseworker):
    bulk_cases(caseworker, 5, status="triage")
    bulk_cases(caseworker, 2, status="on_hold")
    bulk_cases(caseworker, 1, workflow="arrears", status="court", priority="urgent")
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"status": "on_hold"})
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"] and '"status"' in q["sql"]]
    assert len(grouped) == 1
    counts = {count["status"]: (count["count"], count["current"]) for count in response.context["counts"]}
    assert counts == {"triage": (5, False), "on_hold": (2, True), "court": (1, False)}  # chevron order
    assert [c["status"] for c in response.context["counts"]] == ["court", "triage", "on_hold"]
    html = response.content.decode()
    assert re.search(r'href="\?status=on_hold"[^>]*aria-current="true">On hold: 2<', html)
    assert 'href="?status=triage" data-status="triage">Triage: 5<' in html
    # Other filters stay on the links, and narrow the counts.
    response = client.get(URL, {"priority": "urgent"})
    assert [(c["status"], c["count"], c["query"]) for c in response.context["counts"]] == [
        ("court", 1, "status=court&priority=urgent")
    ]


def test_pagination_is_25_a_page(client, caseworker):
    bulk_cases(caseworker, 30)
    client.force_login(caseworker)
    assert len(_numbers(client.get(URL))) == 25
    assert len(_numbers(client.get(URL, {"page": 2}))) == 5


# --- tasks and mentions ----------------------------------------------------------------------


def test_my_tasks_due_first_then_upcoming_with_case_links(client, caseworker, make_staff):
    colleague = make_staff(Role.CASEWORKER)
    today = timezone.localdate()
    case = CaseFactory(owner=caseworker)
    day = datetime.timedelta(days=1)
    later = TaskFactory(case=case, assignee=caseworker, subject="Later", due_date=today + 3 * day)
    overdue = TaskFactory(case=case, assignee=caseworker, subject="Overdue", due_date=today - 2 * day)
    due = TaskFactory(case=case, assignee=caseworker, subject="Today", due_date=today)
    TaskFactory(case=case, assignee=caseworker, subject="Done", status="completed", due_date=today)
    TaskFactory(case=case, assignee=colleague, subject="Theirs", due_date=today)
    client.force_login(caseworker)
    response = client.get(URL)
    tasks = response.context["tasks"]
    assert [t.subject for t in tasks["due"]] == [overdue.subject, due.subject]
    assert [t.subject for t in tasks["upcoming"]] == [later.subject]
    assert (tasks["total"], tasks["due_count"]) == (3, 2)
    html = response.content.decode()
    assert "Overdue</strong>" in html and "Due today</strong>" in html
    assert f'href="{reverse("staff-case", args=[case.pk])}">{case.number}</a>' in html


def test_task_counts_include_the_tasks_beyond_those_shown(client, caseworker):
    today = timezone.localdate()
    case = CaseFactory(owner=caseworker)
    for n in range(16):
        TaskFactory(case=case, assignee=caseworker, subject=f"Overdue {n}", due_date=today - datetime.timedelta(days=n))
    TaskFactory(case=case, assignee=caseworker, subject="Upcoming", due_date=today + datetime.timedelta(days=9))
    client.force_login(caseworker)
    tasks = client.get(URL).context["tasks"]
    assert len(tasks["due"]) + len(tasks["upcoming"]) == 15  # the list's limit
    assert (tasks["total"], tasks["due_count"]) == (17, 16)


def test_mentions_newest_first_with_author_and_excerpt_limited_to_ten(client, caseworker, make_staff):
    author = make_staff(Role.CASEWORKER, first_name="Ngozi", last_name="Author")
    case = CaseFactory()
    notes = []
    for n in range(12):
        note = NoteFactory(case=case, author=author, body=f"@casey please look at item {n} " + "x" * 300)
        notes.append(note)
        NoteMention.objects.create(note=note, user=caseworker)
    NoteMention.objects.create(note=NoteFactory(case=case, author=author, body="not you"), user=author)
    client.force_login(caseworker)
    response = client.get(URL)
    mentions = response.context["mentions"]
    assert mentions["total"] == 12
    assert [m.note_id for m in mentions["mentions"]] == [note.pk for note in reversed(notes)][:10]
    html = response.content.decode()
    assert "Ngozi Author wrote" in html
    assert "item 11 " in html and "x" * 300 not in html  # an excerpt, not the whole note
    assert "not you" not in html


# --- saved views -----------------------------------------------------------------------------


def test_save_a_view_and_open_it_again(client, caseworker):
    bulk_cases(caseworker, 2, status="triage")
    client.force_login(caseworker)
    response = client.post(
        reverse("staff-saved-view-save"), {"name": "  My triage ", "query": "status=triage&sort=priority&page=3&x=1"}
    )
    saved = SavedFilter.objects.get(user=caseworker)
    assert (saved.name, saved.query) == ("My triage", "status=triage&sort=priority")  # page and strays dropped
    assert response.status_code == 302 and response["Location"] == f"{URL}?status=triage&sort=priority"
    html = client.get(response["Location"]).content.decode()
    assert f'href="{URL}?status=triage&amp;sort=priority" aria-current="true">My triage</a>' in html
    assert "Saved this view as “My triage”." in html


def test_saving_a_view_without_a_name_or_twice_shows_the_error_on_the_worktray(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("staff-saved-view-save"), {"name": "", "query": "status=triage"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#saved-view-name">Enter a name for this view.</a>' in html
    assert response.context["query"] == "status=triage"  # the view being saved is still shown
    client.post(reverse("staff-saved-view-save"), {"name": "Mine", "query": ""})
    response = client.post(reverse("staff-saved-view-save"), {"name": "mine", "query": "priority=urgent"})
    assert response.status_code == 400
    assert "You already have a saved view called “mine”" in response.content.decode()
    assert SavedFilter.objects.filter(user=caseworker).count() == 1


def test_delete_a_saved_view_only_my_own(client, caseworker, make_staff):
    colleague = make_staff(Role.CASEWORKER)
    mine = saved_filter_services.saved_filter_save(actor=caseworker, name="Mine", query="priority=urgent")
    theirs = saved_filter_services.saved_filter_save(actor=colleague, name="Theirs", query="")
    client.force_login(caseworker)
    html = client.get(URL).content.decode()
    assert "Theirs" not in html
    assert client.post(reverse("staff-saved-view-delete", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("staff-saved-view-delete", args=[mine.pk]), {"query": "status=triage"})
    assert response["Location"] == f"{URL}?status=triage"
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Theirs"]


def test_saved_filter_service_refusals(caseworker, make_staff, applicant):
    colleague = make_staff(Role.CASEWORKER)
    with pytest.raises(errors.ValidationError) as empty:
        saved_filter_services.saved_filter_save(actor=caseworker, name="   ", query="")
    assert empty.value.fields == {"name": ["Enter a name for this view."]}
    saved = saved_filter_services.saved_filter_save(actor=caseworker, name="Urgent", query="priority=urgent")
    with pytest.raises(errors.ValidationError) as duplicate:
        saved_filter_services.saved_filter_save(actor=caseworker, name="urgent", query="")
    assert list(duplicate.value.fields) == ["name"]
    with pytest.raises(errors.ValidationError) as too_long:
        saved_filter_services.saved_filter_save(actor=caseworker, name="x" * 61, query="")
    assert list(too_long.value.fields) == ["name"]
    # Someone else may use the same name for their own view.
    saved_filter_services.saved_filter_save(actor=colleague, name="Urgent", query="")
    with pytest.raises(errors.PermissionDenied):
        saved_filter_services.saved_filter_delete(actor=colleague, saved_filter=saved)
    with pytest.raises(errors.PermissionDenied):
        saved_filter_services.saved_filter_save(actor=applicant, name="Mine", query="")
    saved_filter_services.saved_filter_delete(actor=caseworker, saved_filter=saved)
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


# --- performance -----------------------------------------------------------------------------


def test_the_page_renders_in_the_same_number_of_queries_at_10_and_1000(client, caseworker, make_staff):
    colleague = make_staff(Role.CASEWORKER)
    client.force_login(caseworker)
    counts = []
    for total in (10, 1000):
        _world(caseworker, colleague, total - sum(c for c, _ in counts))
        params = {"sort": "priority", "priority": "normal"}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params)
        assert response.status_code == 200
        assert response.context["table"].paginator.count == total
        assert response.context["mentions"]["total"] == total
        counts.append((total, len(queries)))
    assert counts[0][1] == counts[1][1], counts
    assert counts[1][1] <= 15, "\n".join(q["sql"][:200] for q in queries.captured_queries)
    print(f"worktray queries: {counts}")


def test_a_filter_value_that_is_not_a_choice_is_shown_as_an_error_not_a_crash(client, caseworker):
    bulk_cases(caseworker, 2)
    client.force_login(caseworker)
    response = client.get(URL, {"status": "bogus", "patch": "999999", "sort": "nonsense", "page": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="filter-status-error"' in html and 'id="filter-patch-error"' in html
    assert len(_numbers(response)) == 2  # the other filters (none) still apply
