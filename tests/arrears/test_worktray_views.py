"""The arrears patch worktrays (/staff/arrears/, /staff/arrears/leasehold/) and the supervisors'
chart of classifications by patch (/staff/arrears/chart/): who may see them, what each tab
holds and counts, the filters and sorts, what a row shows, and that a page costs the same
number of queries whatever the patch holds."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arrears.models import PatchOfficer, PauseReason, RentAccount
from arrears.services.classification import accounts_classify
from arrears.views.worktray import PALETTE, _contrast, text_colour
from core.roles import Role
from tests.arrears.factories import TODAY, RentAccountFactory, post
from tests.casework.factories import ContactFactory, HouseholdFactory, PatchFactory, PropertyFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wednesday")]


URL = reverse("arrears-worktray")
LEASEHOLD_URL = reverse("arrears-leasehold-worktray")
CHART_URL = reverse("arrears-chart")


def account(balance: str = "500", classification: str = "send_letter_one", **fields) -> RentAccount:
    """An in-scope account with its derived fields set as the nightly run would."""
    fields.setdefault("in_scope", True)
    return RentAccountFactory(balance=Decimal(balance), classification=classification, **fields)


def pause(until: datetime.date, reason: str = "Promise of payment", comment: str = "Paying Friday") -> dict:
    return {"paused_until": until, "pause_reason": PauseReason.objects.get(label=reason), "pause_comment": comment}


def at(days: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(TODAY + datetime.timedelta(days=days), datetime.time(hour), tzinfo=datetime.UTC)


def refs(response) -> list[str]:
    return [row.account.reference for row in response.context["rows"]]


def counts(response) -> dict[str, int]:
    return {tab["key"]: tab["count"] for tab in response.context["tabs"]}


# --- who may see them --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, LEASEHOLD_URL, CHART_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", [URL, LEASEHOLD_URL, CHART_URL])
def test_applicants_are_refused(client, applicant, url):
    client.force_login(applicant)
    assert client.get(url).status_code == 403


def test_the_chart_is_for_supervisors_only(client, caseworker, supervisor, administrator):
    client.force_login(caseworker)
    assert client.get(CHART_URL).status_code == 403
    assert reverse("arrears-chart") not in client.get(URL).content.decode()  # no link to it either
    for user in (supervisor, administrator):
        client.force_login(user)
        assert client.get(CHART_URL).status_code == 200
    assert f'href="{CHART_URL}"' in client.get(URL).content.decode()


def test_the_arrears_worktray_is_in_the_staff_navigation_after_search(client, caseworker):
    client.force_login(caseworker)
    html = client.get(reverse("staff-home")).content.decode()
    labels = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html)
    assert labels.index(URL) == labels.index(reverse("staff-search")) + 1
    # Current on the leasehold worktray too.
    html = client.get(LEASEHOLD_URL).content.decode()
    assert re.search(rf'href="{URL}" aria-current="page">\s*<strong[^>]*>Arrears<', html)


# --- tabs ----------------------------------------------------------------------------------------


def test_each_tab_lists_and_counts_its_accounts(client, caseworker):
    letter = account("900", "send_letter_one")
    nosp = account("700", "send_nosp", nosp_served_on=TODAY - datetime.timedelta(days=10))
    quiet = account("300", "no_action")
    paused = account("800", "no_action", **pause(TODAY + datetime.timedelta(days=5)))
    evicted_soon = account("200", "no_action", eviction_date=at(3))
    court_soon = account("250", "no_action", court_date=at(1))
    account("100", "no_action", eviction_date=at(-1), court_date=at(-2))  # both past: on no date tab
    account("999", "send_letter_one", in_scope=False)  # out of scope: nowhere
    account("999", "send_letter_one", kind="service_charge")  # the other worktray's
    client.force_login(caseworker)

    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["tab"] == "immediate"  # the default tab
    assert refs(response) == [letter.reference, nosp.reference]
    assert counts(response) == {"immediate": 2, "paused": 1, "full": 7, "evictions": 1, "court": 1}
    assert refs(client.get(URL, {"tab": "paused"})) == [paused.reference]
    full = refs(client.get(URL, {"tab": "full"}))
    assert full[:3] == [letter.reference, paused.reference, nosp.reference] and quiet.reference in full
    assert refs(client.get(URL, {"tab": "evictions"})) == [evicted_soon.reference]
    assert refs(client.get(URL, {"tab": "court"})) == [court_soon.reference]
    # An unknown tab is the default one.
    assert refs(client.get(URL, {"tab": "bogus"})) == [letter.reference, nosp.reference]


def test_tab_links_carry_their_counts_and_keep_the_filters(client, caseworker):
    account("900", "send_letter_one")
    account("700", "send_nosp")
    client.force_login(caseworker)
    html = client.get(URL, {"action": "send_nosp", "sort": "balance_low", "page": "1"}).content.decode()
    assert re.search(
        r'href="\?action=send_nosp&amp;sort=balance_low&amp;tab=paused" data-tab="paused">Paused: 0<', html
    )
    assert re.search(r'data-tab="immediate" aria-current="page">Immediate actions: 1<', html)
    assert '<input type="hidden" name="tab" value="immediate">' in html


def test_paused_until_today_is_not_paused(client, caseworker):
    until_today = account("600", "send_letter_one", **pause(TODAY))
    until_tomorrow = account("500", "no_action", **pause(TODAY + datetime.timedelta(days=1)))
    was_paused = account("400", "send_letter_one", **pause(TODAY - datetime.timedelta(days=3)))
    client.force_login(caseworker)
    response = client.get(URL)
    assert refs(response) == [until_today.reference, was_paused.reference]
    assert counts(response)["paused"] == 1
    assert refs(client.get(URL, {"tab": "paused"})) == [until_tomorrow.reference]


def test_the_paused_tab_shows_until_reason_and_comment_and_can_sort_by_pause_end(client, caseworker):
    later = account("900", "no_action", **pause(TODAY + datetime.timedelta(days=30), "Delayed benefit", "UC claim"))
    sooner = account("100", "no_action", **pause(TODAY + datetime.timedelta(days=2)))
    client.force_login(caseworker)
    response = client.get(URL, {"tab": "paused"})
    assert refs(response) == [later.reference, sooner.reference]  # balance, highest first
    html = response.content.decode()
    assert "Paused until</th>" in html and "18 Dec 2026" in html
    assert "Delayed benefit" in html and "UC claim" in html
    assert refs(client.get(URL, {"tab": "paused", "sort": "pause_ending"})) == [sooner.reference, later.reference]
    # That sort is only offered on the paused tab.
    response = client.get(URL, {"sort": "pause_ending"})
    assert 'id="filter-sort-error"' in response.content.decode()


def test_a_paused_row_on_another_tab_says_until_when_and_why(client, caseworker):
    account("500", "no_action", court_date=at(2), **pause(TODAY + datetime.timedelta(days=9), "Court date set"))
    client.force_login(caseworker)
    html = client.get(URL, {"tab": "court"}).content.decode()
    assert "Paused until 27 Nov 2026: Court date set" in html


def test_date_tabs_list_soonest_first_from_today_and_now(client, caseworker):
    later = account("900", "no_action", eviction_date=at(20), court_date=at(10))
    sooner = account("100", "no_action", eviction_date=at(2), court_date=at(1))
    # Today's eviction (at midnight, before now) is upcoming; a court hearing earlier today is not.
    today = account("50", "no_action", eviction_date=at(0, 0), court_date=at(0, 9))
    client.force_login(caseworker)
    assert refs(client.get(URL, {"tab": "evictions"})) == [today.reference, sooner.reference, later.reference]
    assert refs(client.get(URL, {"tab": "court"})) == [sooner.reference, later.reference]
    # The chosen sort does not apply there, and no sort is offered.
    response = client.get(URL, {"tab": "court", "sort": "balance_low"})
    assert refs(response) == [sooner.reference, later.reference]
    html = response.content.decode()
    assert 'name="sort"' not in html and "soonest court date first" in html


# --- filters and sorts -------------------------------------------------------------------------


def test_sorts_by_balance_either_way_and_by_classification_age(client, caseworker):
    middle = account("500", classification_since=at(-10))
    high = account("900", classification_since=at(-1))
    low = account("100", classification_since=at(-30))
    client.force_login(caseworker)
    assert refs(client.get(URL)) == [high.reference, middle.reference, low.reference]
    assert refs(client.get(URL, {"sort": "balance_low"})) == [low.reference, middle.reference, high.reference]
    assert refs(client.get(URL, {"sort": "classified_oldest"})) == [low.reference, middle.reference, high.reference]
    assert refs(client.get(URL, {"sort": "classified_newest"})) == [high.reference, middle.reference, low.reference]


def test_filters_by_patch_officer_and_action(client, caseworker, make_staff):
    east, west, north = PatchFactory(code="E01"), PatchFactory(code="W01"), PatchFactory(code="N01")
    officer = make_staff(Role.CASEWORKER, first_name="Olu", last_name="Officer")
    PatchOfficer.objects.create(patch=east, officer=officer)
    PatchOfficer.objects.create(patch=west, officer=officer)
    in_east = account("900", "send_letter_one", patch=east)
    in_west = account("800", "send_nosp", patch=west)
    in_north = account("700", "send_nosp", patch=north)
    unassigned = account("600", "send_nosp", patch=None)
    client.force_login(caseworker)

    assert refs(client.get(URL, {"patch": west.pk})) == [in_west.reference]
    assert refs(client.get(URL, {"patch": "none"})) == [unassigned.reference]
    assert refs(client.get(URL, {"officer": officer.pk})) == [in_east.reference, in_west.reference]
    assert refs(client.get(URL, {"action": "send_nosp"})) == [
        in_west.reference,
        in_north.reference,
        unassigned.reference,
    ]
    response = client.get(URL, {"officer": officer.pk, "action": "send_nosp"})
    assert refs(response) == [in_west.reference]
    assert counts(response)["immediate"] == 1 and counts(response)["full"] == 1  # the counts follow the filters
    html = client.get(URL).content.decode()
    assert '<option value="' + str(officer.pk) + '">Olu Officer (E01, W01)</option>' in html
    assert '<option value="none">No patch (unassigned)</option>' in html


def test_a_patch_officer_starts_on_their_own_patches_and_can_see_all(client, make_staff):
    officer = make_staff(Role.CASEWORKER, first_name="Pat", last_name="Patch")
    mine, theirs = PatchFactory(code="E02"), PatchFactory(code="E03")
    PatchOfficer.objects.create(patch=mine, officer=officer)
    on_mine = account("300", patch=mine)
    on_theirs = account("900", patch=theirs)
    client.force_login(officer)

    response = client.get(URL)
    assert refs(response) == [on_mine.reference]
    html = response.content.decode()
    assert f'<option value="{officer.pk}" selected>Pat Patch (E02)</option>' in html
    assert "Showing your patches (E02)" in html
    # Choosing all officers (the form sends officer=), or a patch, leaves the default behind.
    assert refs(client.get(URL, {"officer": "", "patch": ""})) == [on_theirs.reference, on_mine.reference]
    assert refs(client.get(URL, {"patch": theirs.pk})) == [on_theirs.reference]
    # Tab links keep the default (nothing added to the query), so it follows the officer round.
    assert refs(client.get(URL, {"tab": "full"})) == [on_mine.reference]


def test_someone_who_is_no_patch_officer_sees_every_patch(client, caseworker):
    first, second = account("300"), account("900")
    client.force_login(caseworker)
    assert refs(client.get(URL)) == [second.reference, first.reference]


def test_a_value_that_is_not_a_choice_is_shown_as_an_error_and_the_rest_still_apply(client, caseworker):
    account("300", "send_nosp")
    letter = account("900", "send_letter_one")
    client.force_login(caseworker)
    response = client.get(
        URL, {"patch": "999999", "officer": "abc", "action": "send_letter_one", "sort": "x", "page": "y"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("patch", "officer", "sort"):
        assert f'id="filter-{name}-error"' in html
    assert 'class="govuk-error-summary' in html
    assert refs(response) == [letter.reference]


def test_pages_of_50_keep_the_tab_and_filters(client, caseworker):
    patch = PatchFactory(code="E05")
    for n in range(53):
        account(str(1000 + n), "send_nosp", patch=patch)
    client.force_login(caseworker)
    response = client.get(URL, {"tab": "full", "action": "send_nosp"})
    assert len(refs(response)) == 50
    assert response.context["page"].paginator.count == 53
    assert 'href="?tab=full&amp;action=send_nosp&amp;page=2"' in response.content.decode()
    assert len(refs(client.get(URL, {"tab": "full", "action": "send_nosp", "page": 2}))) == 3


# --- what a row shows ----------------------------------------------------------------------------


def test_a_row_shows_what_officers_need_without_opening_the_account(client, caseworker):
    head = ContactFactory(first_name="Hodan", last_name="Abdi")
    tenancy = TenancyFactory(
        household=HouseholdFactory(head=head), property=PropertyFactory(patch=PatchFactory(code="E07"))
    )
    row = account(
        "1234.50",
        "apply_for_court_date",
        tenancy=tenancy,
        weekly_rent=Decimal("100"),
        weekly_service_charge=Decimal("20"),
        weekly_other_charges=Decimal("3.45"),
        last_action_code="IC1",
        last_action_at=at(-6),
        arrangement_state="breached",
        nosp_served_on=datetime.date(2026, 5, 4),
        court_date=at(4),
        court_outcome_code="AAH",
        eviction_date=at(40),
    )
    client.force_login(caseworker)
    response = client.get(URL)
    html = response.content.decode()
    cells = re.search(rf'<tr class="govuk-table__row" data-account="{row.reference}">(.*?)</tr>', html, re.S).group(1)
    assert f'<a class="govuk-link" href="{reverse("arrears-account", args=[row.pk])}">{row.reference}</a>' in cells
    assert "Hodan Abdi" in cells
    assert "E07" in cells
    assert "£1,234.50" in cells
    assert ">10.0<" in cells  # 1234.50 / 123.45 a week
    assert "<strong>IC1</strong> Letter 1 (income collection)" in cells and "12 Nov 2026" in cells
    assert "Breached" in cells
    assert "Apply for court date (PCOL)" in cells
    # The NOSP's expiry from the rules' lifecycle: served + 3 months by default.
    assert "Served 4 May 2026" in cells and "expires 4 Aug 2026" in cells
    assert "22 Nov 2026" in cells and "<strong>AAH</strong> Adjourned to another hearing date" in cells
    assert "28 Dec 2026" in cells


def test_the_nosp_expiry_follows_the_rule_set(client, caseworker, supervisor):
    from arrears.services.rulesets import rule_set_for, rule_set_save

    rule_set_save(actor=supervisor, rule_set=rule_set_for("rent"), overrides={"nosp_active_after_months": 1})
    account(nosp_served_on=datetime.date(2026, 5, 4))
    client.force_login(caseworker)
    assert "expires 4 Jun 2026" in client.get(URL).content.decode()


def test_an_account_without_arrangement_or_dates_shows_none_and_dashes(client, caseworker):
    account(weekly_rent=Decimal("0"))
    client.force_login(caseworker)
    html = client.get(URL).content.decode()
    assert '<td class="govuk-table__cell">None</td>' in html  # no arrangement
    assert html.count('<td class="govuk-table__cell">\u2013</td>') >= 2


def test_the_leasehold_worktray_lists_service_charge_accounts_with_their_labels(client, caseworker):
    rent = account("900", "send_nosp")
    leasehold = account("800", "send_nosp", kind="service_charge")
    client.force_login(caseworker)
    response = client.get(LEASEHOLD_URL)
    assert refs(response) == [leasehold.reference]
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Leasehold service charge worktray</h1>' in html
    assert "Send letter before action" in html and "Send NOSP" not in html
    assert '<option value="send_nosp">Send letter before action</option>' in html
    assert "Send leasehold Letter 1" in html
    response = client.get(URL)
    assert refs(response) == [rent.reference]
    assert '<h1 class="govuk-heading-l">Rent arrears worktray</h1>' in response.content.decode()
    assert "Send NOSP" in response.content.decode()


def test_the_run_puts_accounts_on_the_worktray(client, caseworker):
    owing = RentAccountFactory()
    post(owing, "250", on=TODAY - datetime.timedelta(days=20))
    settled = RentAccountFactory()
    post(settled, "100", on=TODAY - datetime.timedelta(days=20))
    post(settled, "-100", on=TODAY - datetime.timedelta(days=19))
    accounts_classify()
    client.force_login(caseworker)
    response = client.get(URL, {"tab": "full"})
    assert refs(response) == [owing.reference]
    assert "£250.00" in response.content.decode()


@pytest.mark.parametrize(
    "tab,message",
    [
        ("immediate", "No account needs an action now."),
        ("paused", "No account is paused."),
        ("full", "No account is in arrears."),
        ("evictions", "No eviction is booked for today or later."),
        ("court", "No court hearing is booked from now on."),
    ],
)
def test_empty_lists_say_so(client, caseworker, tab, message):
    client.force_login(caseworker)
    html = client.get(URL, {"tab": tab}).content.decode()
    assert message in html
    assert "<table" not in html
    filtered = client.get(URL, {"tab": tab, "action": "send_nosp"}).content.decode()
    assert "Show every patch and action" in filtered


def test_the_page_costs_the_same_queries_for_3_and_120_accounts(client, caseworker, django_assert_max_num_queries):
    PatchOfficer.objects.create(patch=PatchFactory(code="E09"), officer=caseworker)
    client.force_login(caseworker)
    measured = []
    for total in (3, 120):
        while RentAccount.objects.count() < total:
            n = RentAccount.objects.count()
            account(
                str(100 + n),
                ["send_nosp", "no_action", "send_letter_one"][n % 3],
                last_action_code="IC1",
                last_action_at=at(-2),
                nosp_served_on=TODAY - datetime.timedelta(days=n),
                court_date=at(n % 5),
                court_outcome_code="AAH",
                eviction_date=at(n % 7),
                arrangement_state="live",
                **(pause(TODAY + datetime.timedelta(days=3)) if n % 4 == 0 else {}),
            )
        for tab in ("full", "paused", "court"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(URL, {"tab": tab, "officer": ""})
            assert response.status_code == 200
            measured.append((total, tab, len(queries)))
    by_tab = {}
    for _total, tab, n in measured:
        by_tab.setdefault(tab, []).append(n)
    assert all(len(set(ns)) == 1 for ns in by_tab.values()), measured
    with django_assert_max_num_queries(14):
        client.get(URL, {"tab": "full", "officer": ""})


# --- the supervisors' chart -------------------------------------------------------------------------


def test_the_chart_counts_in_scope_accounts_per_patch_and_action_in_one_group_by(client, supervisor):
    east, west = PatchFactory(code="E01", name="Arrears East 1"), PatchFactory(code="W01", name="Arrears West 1")
    for _ in range(3):
        account(patch=east, classification="send_letter_one")
    account(patch=east, classification="send_nosp")
    account(patch=west, classification="send_nosp")
    account(patch=None, classification="no_action")
    account(patch=east, classification="send_nosp", in_scope=False)  # out of scope
    account(patch=east, classification="send_nosp", kind="service_charge")  # the other kind
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHART_URL)
    assert (
        len([q for q in queries.captured_queries if "GROUP BY" in q["sql"] and "arrears_rentaccount" in q["sql"]]) == 1
    )
    table = {row["label"]: [cell["count"] for cell in row["cells"]] for row in response.context["table"]}
    assert [action["value"] for action in response.context["actions"]] == ["no_action", "send_letter_one", "send_nosp"]
    assert table == {
        "E01 Arrears East 1": [0, 3, 1],
        "W01 Arrears West 1": [0, 0, 1],
        "No patch (unassigned)": [1, 0, 0],
    }
    assert response.context["total"] == 6
    html = response.content.decode()
    # Every non-zero count links to the worktray filtered by its patch and action; zeros do not.
    assert f'href="{URL}?tab=full&amp;patch={east.pk}&amp;action=send_letter_one">3<' in html
    assert f'href="{URL}?tab=full&amp;patch=none&amp;action=no_action">1<' in html
    assert f"patch={west.pk}&amp;action=send_letter_one" not in html
    # The chart: a named image with one bar per patch, and the key.
    assert '<svg class="app-chart" role="img" aria-labelledby="classification-chart-title' in html
    assert html.count('stroke="#0b0c0c" stroke-width="1"/>') >= 5
    assert "<strong>B</strong>: Send Letter One (3)" in html


def test_the_chart_link_shows_the_accounts_it_counted(client, supervisor):
    east = PatchFactory(code="E01")
    counted = [account(patch=east, classification="no_action") for _ in range(2)]
    account(patch=east, classification="send_nosp")
    client.force_login(supervisor)
    response = client.get(CHART_URL)
    link = re.search(r'href="([^"]+action=no_action)">2<', response.content.decode()).group(1)
    assert sorted(refs(client.get(link.replace("&amp;", "&")))) == sorted(a.reference for a in counted)


def test_the_leasehold_chart_uses_leasehold_labels(client, supervisor):
    account(classification="send_nosp", kind="service_charge")
    client.force_login(supervisor)
    response = client.get(CHART_URL, {"kind": "service_charge"})
    html = response.content.decode()
    assert "Send letter before action" in html and "Send NOSP" not in html
    assert f'href="{LEASEHOLD_URL}?tab=full' in html
    assert re.search(r'href="\?kind=service_charge" aria-current="page"', html)


def test_an_empty_chart_says_so(client, supervisor):
    client.force_login(supervisor)
    html = client.get(CHART_URL).content.decode()
    assert 'id="chart-empty"' in html and "<svg" not in html.split("<main", 1)[1]


def test_chart_text_contrasts_with_every_segment():
    for fill in PALETTE.values():
        assert _contrast(fill, text_colour(fill)) >= 4.5, fill
