"""Reads of people and places: staff see them, nobody else does; search finds by any part of a
name, reference or email."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from casework import selectors
from casework.selectors.people import property_at_address
from tests.casework.factories import ContactFactory, PropertyFactory, TenancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "tara": ContactFactory(first_name="Tara", last_name="Reilly", email="tara.reilly@example.com"),
        "piotr": ContactFactory(first_name="Piotr", last_name="Nowak", email="p.nowak@example.org"),
        "hodan": ContactFactory(first_name="Hodan", last_name="Warsame", email=""),
    }


def test_staff_see_every_contact(caseworker, people):
    assert set(selectors.contact_list_for(user=caseworker)) == set(people.values())


def test_applicants_and_anonymous_see_no_contacts(applicant, people):
    assert not selectors.contact_list_for(user=applicant).exists()
    assert not selectors.contact_list_for(user=AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("reil", {"tara"}),
        ("TARA", {"tara"}),
        ("example.org", {"piotr"}),
        ("tara reilly", {"tara"}),
        ("tara nowak", set()),
        ("a", {"tara", "piotr", "hodan"}),
        ("  ", {"tara", "piotr", "hodan"}),
    ],
)
def test_contact_search(caseworker, people, search, expected):
    found = set(selectors.contact_list_for(user=caseworker, search=search))
    assert found == {people[name] for name in expected}


def test_contact_search_by_reference(caseworker, people):
    reference = people["hodan"].reference
    assert list(selectors.contact_list_for(user=caseworker, search=reference.lower())) == [people["hodan"]]


def test_contact_search_can_use_the_trigram_indexes(caseworker, people):
    query = selectors.contact_list_for(user=caseworker, search="reil").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny, so make scanning it (or walking the name index) look expensive.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "contact_last_name_trgm" in plan


def test_property_search_and_visibility(caseworker, applicant):
    mill = PropertyFactory(address_line_1="12 Mill Lane", postcode="DB1 2AB")
    PropertyFactory(address_line_1="3 Ferry Lane", postcode="DB7 6DR")
    assert list(selectors.property_list_for(user=caseworker, search="mill db1")) == [mill]
    assert selectors.property_list_for(user=caseworker).count() == 2
    assert not selectors.property_list_for(user=applicant).exists()


@pytest.mark.parametrize(
    ("postcode", "line_1", "line_2"),
    [
        ("DB1 2AB", "12 Mill Lane", "Flat 2"),
        ("db12ab", "  12  MILL lane ", "flat 2 "),
    ],
)
def test_property_at_address_ignores_case_spacing_and_postcode_format(postcode, line_1, line_2):
    flat = PropertyFactory(address_line_1="12 Mill Lane", address_line_2="Flat 2", postcode="DB1 2AB")
    PropertyFactory(address_line_1="12 Mill Lane", postcode="DB1 2AB")
    found = property_at_address(postcode=postcode, address_line_1=line_1, address_line_2=line_2)
    assert found == flat


def test_property_at_address_finds_nothing_elsewhere_and_can_lock_the_row():
    from django.test.utils import CaptureQueriesContext

    home = PropertyFactory(address_line_1="12 Mill Lane", postcode="DB1 2AB")
    assert property_at_address(postcode="DB1 2AB", address_line_1="12 Mill Lane", address_line_2="Flat 2") is None
    assert property_at_address(postcode="DB7 6DR", address_line_1="12 Mill Lane") is None
    assert property_at_address(postcode="not a postcode", address_line_1="12 Mill Lane") is None
    with CaptureQueriesContext(connection) as queries:
        assert property_at_address(postcode="DB1 2AB", address_line_1="12 mill lane", for_update=True) == home
    assert "FOR UPDATE" in queries[-1]["sql"]


def test_tenancy_list_loads_property_patch_and_household_in_one_query(caseworker, django_assert_num_queries):
    TenancyFactory.create_batch(3)
    with django_assert_num_queries(1):
        rows = [
            (t.property.patch.region.code, t.household.name, t.property.postcode)
            for t in selectors.tenancy_list_for(user=caseworker)
        ]
    assert len(rows) == 3


def test_tenancy_list_is_empty_for_applicants(applicant):
    TenancyFactory()
    assert not selectors.tenancy_list_for(user=applicant).exists()


def test_staff_offered_for_a_tasks_assignee_are_me_the_owner_and_my_teams(caseworker, make_staff, applicant):
    from casework.selectors.work import staff_choice_list_for
    from core.roles import Role
    from tests.casework.factories import CaseFactory, QueueFactory, TeamFactory, team_member

    owner, teammate, queue_colleague, stranger = (make_staff(Role.CASEWORKER) for _ in range(4))
    team = TeamFactory()
    team_member(team, caseworker)
    team_member(team, teammate)
    queue = QueueFactory()
    team_member(queue.team, queue_colleague)
    owned = CaseFactory(owner=owner)
    queued = CaseFactory(owner_queue=queue)

    assert set(staff_choice_list_for(user=caseworker, case=owned)) == {caseworker, owner, teammate}
    assert set(staff_choice_list_for(user=caseworker, case=queued)) == {caseworker, teammate, queue_colleague}
    assert stranger not in staff_choice_list_for(user=caseworker, case=owned)
    assert not staff_choice_list_for(user=applicant, case=owned).exists()


def test_a_case_already_loaded_costs_staff_no_query_and_is_still_checked_for_applicants(caseworker, applicant):
    from django.test.utils import CaptureQueriesContext

    from casework.selectors.cases import case_get
    from core import errors
    from tests.casework.factories import CaseFactory

    case = CaseFactory()
    with CaptureQueriesContext(connection) as queries:
        assert case_get(user=caseworker, case_id=case) is case
    assert len(queries) == 0
    with pytest.raises(errors.NotFound):  # not theirs: the loaded case is no pass
        case_get(user=applicant, case_id=case)
