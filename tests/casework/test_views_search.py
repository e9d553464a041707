"""The staff search page: one box across cases, contacts and properties."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import Case, Contact, Property
from casework.models.cases import WORKFLOWS
from casework.selectors.search import search_for, search_querysets
from tests.casework.factories import CaseFactory, CaseTypeFactory, ContactFactory, PropertyFactory

pytestmark = pytest.mark.django_db

URL = reverse("staff-search")


@pytest.fixture
def staff_client(client, caseworker):
    client.force_login(caseworker)
    return client


def _search(client, **params):
    return client.get(URL, params)


def test_the_empty_page_has_a_labelled_search_box_and_no_error(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="search"' in html
    assert '<label class="govuk-label govuk-label--s" for="search-q">' in html
    assert "There is a problem" not in html
    assert 'aria-current="page"' in html  # "Search" is the current section in the navigation


@pytest.mark.parametrize(
    ("text", "message"), [("", "Enter a case number"), ("   ", "Enter a case number"), ("a", "at least 2")]
)
def test_empty_or_one_character_is_refused_with_an_error_summary(staff_client, text, message):
    response = _search(staff_client, q=text)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert 'href="#search-q"' in html
    assert "govuk-input--error" in html


def test_postcode_without_the_space_and_in_lower_case_finds_the_property_and_its_case(staff_client):
    home = PropertyFactory(address_line_1="12 Orchard Way", postcode="SW1A 1AA")
    PropertyFactory(address_line_1="3 Elsewhere Road", postcode="SW1A 2BB")
    case = CaseFactory(property=home)
    for text in ("sw1a1aa", "SW1A 1AA", "Sw1A  1aA", "orchard sw1a1aa"):
        results = _search(staff_client, q=text).context["results"]
        assert [p.pk for p in results.properties.rows] == [home.pk], text
        assert case in results.cases.rows, text


def test_an_outward_code_alone_finds_every_property_in_it(caseworker):
    inside = PropertyFactory(postcode="SW1A 1AA")
    PropertyFactory(postcode="N1 9GU")
    results = search_for(user=caseworker, text="sw1a")
    assert [p.pk for p in results.properties.rows] == [inside.pk]


def test_surname_finds_the_contact_and_their_cases(staff_client):
    tara = ContactFactory(first_name="Tara", last_name="Reilly")
    ContactFactory(first_name="Tara", last_name="Smith")
    case = CaseFactory(contact=tara)
    response = _search(staff_client, q="reilly")
    assert response.status_code == 200
    results = response.context["results"]
    assert results.contacts.rows == [tara]
    assert results.cases.rows == [case]
    html = response.content.decode()
    assert '<th scope="row" class="govuk-table__header">Tara Reilly</th>' in html
    assert f'href="{reverse("staff-case", args=[case.pk])}"' in html
    # Every word must match: "tara reil" is Tara Reilly only.
    assert _search(staff_client, q="tara reil").context["results"].contacts.rows == [tara]


def test_the_exact_case_number_comes_first(staff_client):
    wanted = CaseFactory()
    # A case whose contact's reference contains the number's text would match as well; the exact
    # number is still listed first.
    others = CaseFactory.create_batch(3)
    response = _search(staff_client, q=wanted.number.lower())
    results = response.context["results"]
    assert results.cases.rows[0] == wanted
    assert not set(results.cases.rows[1:]) & {wanted}
    assert all(o not in results.cases.rows for o in others)


def test_no_results_says_so(staff_client):
    ContactFactory(last_name="Reilly")
    response = _search(staff_client, q="Zebedee")
    assert response.status_code == 200
    assert "No results for “Zebedee”" in response.content.decode()


def test_each_group_is_cut_to_ten_with_a_show_all_link_and_the_group_page_is_paginated(staff_client):
    ContactFactory.create_batch(30, last_name="Okafor")
    response = _search(staff_client, q="okafor")
    results = response.context["results"]
    assert len(results.contacts.rows) == 10
    assert results.contacts.total == 30
    html = response.content.decode()
    assert "Show all 30 contacts" in html
    assert "?q=okafor&amp;type=contacts" in html

    page_1 = _search(staff_client, q="okafor", type="contacts")
    assert page_1.status_code == 200
    assert len(page_1.context["page"].object_list) == 25
    # The page links keep the search and the group.
    assert 'href="?q=okafor&amp;type=contacts&amp;page=2" rel="next"' in page_1.content.decode()
    page_2 = _search(staff_client, q="okafor", type="contacts", page=2)
    assert len(page_2.context["page"].object_list) == 5
    assert 'href="?q=okafor&amp;type=contacts&amp;page=1" rel="prev"' in page_2.content.decode()


def test_an_unknown_group_is_refused(staff_client):
    assert _search(staff_client, q="okafor", type="letters").status_code == 400


def test_applicants_are_refused_and_visitors_sent_to_sign_in(client, applicant):
    response = client.get(URL, {"q": "reilly"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(applicant)
    assert client.get(URL, {"q": "reilly"}).status_code == 403


def test_the_selector_finds_nothing_for_someone_who_is_not_staff(applicant):
    ContactFactory(last_name="Reilly")
    results = search_for(user=applicant, text="reilly")
    assert results.total == 0


# --- performance ----------------------------------------------------------------------------


def _build(n: int, *, tag: str) -> None:
    """n contacts called Okafor, each with a property in SW1A 1AA and a case: bulk-inserted."""
    case_type = CaseTypeFactory()
    contacts = Contact.objects.bulk_create(
        Contact(first_name="Ada", last_name="Okafor", reference=f"CON-{tag}{i:06d}") for i in range(n)
    )
    properties = Property.objects.bulk_create(
        Property(address_line_1=f"{i} {tag} Street", town="Kingsford", postcode="SW1A 1AA") for i in range(n)
    )
    cases = []
    for i, (contact, prop) in enumerate(zip(contacts, properties, strict=True)):
        case = Case(
            number=f"RAFT-{tag}-{i:06d}",
            case_type=case_type,
            workflow=case_type.workflow,
            contact=contact,
            property=prop,
        )
        case.__dict__["status"] = WORKFLOWS[case_type.workflow][0]  # the protected field refuses assignment
        cases.append(case)
    Case.objects.bulk_create(cases)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{"q": "okafor"}, {"q": "sw1a1aa"}, {"q": "okafor", "type": "cases", "page": "2"}])
def test_the_query_count_is_the_same_for_ten_and_a_thousand_matches(staff_client, params):
    _build(30, tag="A")  # enough for a second page of cases
    few = _queries(staff_client, **params)
    _build(1000, tag="B")
    many = _queries(staff_client, **params)
    assert few == many
    assert many <= 12


def test_the_cases_group_reads_cases_through_indexes_only(caseworker):
    """Cases are found by three indexed lookups joined by UNION (number; contact; property).
    Written as one WHERE with ORs, PostgreSQL would read every case; the planner is told to avoid
    sequential scans, so a plan that still has one on casework_case has no index path."""
    _build(20, tag="C")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_querysets(user=caseworker, text="okafor sw1a1aa")["cases"].explain()
    assert "Seq Scan on casework_case" not in plan
    assert "casework_case_number" in plan
    # Two indexes lead with contact_id (its own, and contact + case type for "does a case already
    # exist?"): equal to the planner, which picks either from run to run.
    assert "casework_case_contact_id" in plan or "case_contact_type_idx" in plan
    assert "casework_case_property_id" in plan
