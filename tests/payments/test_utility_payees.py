"""Utility payees: kept by staff (utilities have no account), offered on every tenant case, paid
like any payee; landlords' and property managers' payees stay theirs."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.urls import reverse

from core import errors
from payments.models import Payee, PayeeRole, Payment
from payments.selectors import case_payee_choice_list_for, payee_get
from payments.services import payees as services
from tests.payments.factories import approved_case, make_landlord, make_payee
from tests.payments.test_staff_pages import add_data, paying_case

pytestmark = pytest.mark.django_db

UTILITY = {
    "kind": "business",
    "name": "Commonwealth Power",
    "payment_method": "bank_transfer",
    "tax_id": "04-1234567",
    "account_holder": "Commonwealth Power Co",
    "routing_number": "011000015",
    "account_number": "778899001122",
}


def test_a_worker_adds_a_utility_payee_with_no_owner_and_it_is_checked_like_any_other(case_manager):
    payee = services.utility_payee_save(actor=case_manager, **UTILITY)
    assert (payee.role, payee.owner, payee.tax_id, payee.account_number_masked) == (
        PayeeRole.UTILITY,
        None,
        "041234567",
        "••••••••1122",
    )
    assert services.payee_check_automatic(actor=case_manager, payee=payee).is_verified


def test_a_change_keeps_stored_numbers_when_left_empty_and_resets_verification(case_manager):
    payee = services.payee_check_automatic(
        actor=case_manager, payee=services.utility_payee_save(actor=case_manager, **UTILITY)
    )
    changed = services.utility_payee_save(
        actor=case_manager, payee=payee, **{**UTILITY, "tax_id": "", "account_number": "", "name": "CP Energy"}
    )
    assert (changed.tax_id, changed.account_number, changed.is_verified) == ("041234567", "778899001122", False)
    assert Payee.objects.count() == 1


def test_bad_details_are_named_and_only_payment_workers_keep_utilities(case_manager, caseworker):
    with pytest.raises(errors.ValidationError) as caught:
        services.utility_payee_save(actor=case_manager, **{**UTILITY, "tax_id": "12", "name": " "})
    assert {"tax_id", "name"} <= set(caught.value.fields)
    with pytest.raises(errors.PermissionDenied):
        services.utility_payee_save(actor=caseworker, **UTILITY)
    assert not Payee.objects.exists()


def test_a_landlord_s_payee_is_not_changed_as_a_utility_and_roles_follow_owners(case_manager):
    landlord_payee = make_payee(verified=False)
    assert landlord_payee.role == PayeeRole.LANDLORD
    with pytest.raises(errors.ValidationError) as caught:
        services.utility_payee_save(actor=case_manager, payee=landlord_payee, **UTILITY)
    assert "portal" in caught.value.fields["payee"][0]
    manager = make_landlord("pm@test.example")
    manager.kind = "property_manager"
    manager.save()
    assert make_payee(owner=manager, verified=False).role == PayeeRole.PROPERTY_MANAGER


def test_the_database_keeps_owners_and_roles_together(case_manager):
    payee = services.utility_payee_save(actor=case_manager, **UTILITY)
    with pytest.raises(IntegrityError):
        Payee.objects.filter(pk=payee.pk).update(role=PayeeRole.LANDLORD)


def test_utilities_are_offered_on_every_case_and_seen_by_any_staff_member(case_manager, caseworker):
    utility = services.utility_payee_save(actor=case_manager, **UTILITY)
    case, landlord_payee = paying_case()
    assert set(case_payee_choice_list_for(user=case_manager, case=case)) == {utility, landlord_payee}
    assert payee_get(user=caseworker, payee_id=utility.pk) == utility
    with pytest.raises(errors.NotFound):
        payee_get(user=utility_owner_stranger(), payee_id=utility.pk)


def utility_owner_stranger():
    return make_landlord("stranger@test.example")


def test_staff_add_a_utility_payee_and_pay_it_from_the_case_page(client, case_manager):
    client.force_login(case_manager)
    url = reverse("staff-utility-payee-add")
    assert client.get(url).status_code == 200
    refused = client.post(url, {**UTILITY, "routing_number": "12"})
    assert refused.status_code == 400 and "routing number of 9 digits" in refused.content.decode()
    saved = client.post(url, UTILITY)
    utility = Payee.objects.get(role=PayeeRole.UTILITY)
    assert saved.status_code == 302 and saved["Location"] == reverse("staff-payee", args=[utility.pk])
    page = client.get(reverse("staff-payee", args=[utility.pk])).content.decode()
    assert "Utility" in page and "778899001122" not in page
    assert client.get(reverse("staff-utility-payee-edit", args=[utility.pk])).status_code == 200
    services.payee_check_automatic(actor=case_manager, payee=utility)
    case, _landlord = paying_case()
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(utility, reason="UTL"))
    assert response.status_code == 302
    assert Payment.objects.get(case=case).payee == utility


def test_a_landlord_s_payee_has_no_utility_edit_page_and_caseworkers_cannot_save(client, case_manager, caseworker):
    landlord_payee = paying_case()[1]
    client.force_login(case_manager)
    assert client.get(reverse("staff-utility-payee-edit", args=[landlord_payee.pk])).status_code == 404
    client.force_login(caseworker)
    assert client.post(reverse("staff-utility-payee-add"), UTILITY).status_code == 403
    assert not Payee.objects.filter(role=PayeeRole.UTILITY).exists()


def test_the_api_adds_a_utility_payee(client, case_manager, caseworker):
    client.force_login(case_manager)
    response = client.post("/api/v1/payees/", UTILITY, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["role"], response.json()["owner"]) == ("utility", None)
    assert "778899001122" not in response.content.decode()
    bad = client.post("/api/v1/payees/", {**UTILITY, "kind": "alien"}, content_type="application/json")
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["fields"]
    client.force_login(caseworker)
    assert client.post("/api/v1/payees/", UTILITY, content_type="application/json").status_code == 403


def test_a_tenant_case_without_a_landlord_can_still_pay_a_utility(case_manager):
    utility = services.utility_payee_save(actor=case_manager, **UTILITY)
    assert list(case_payee_choice_list_for(user=case_manager, case=approved_case())) == [utility]
