"""Case numbers: PREFIX-YEAR-000123 from a database sequence, unique under concurrent creation
and never reused (a rolled-back creation leaves a gap)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from casework.models import Case, Workflow
from casework.services import cases as case_services
from tests.casework.factories import CaseTypeFactory, ContactFactory

THREADS = 6
PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_never_issues_a_number_twice(caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    contact = ContactFactory()
    start = threading.Barrier(THREADS)

    def create_many(_: int) -> list[str]:
        try:
            start.wait()  # all threads insert at the same moment
            return [
                case_services.case_create(
                    actor=caseworker, case_type=case_type, contact=contact, acknowledge_existing=True
                ).number
                for _ in range(PER_THREAD)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [number for batch in pool.map(create_many, range(THREADS)) for number in batch]

    assert len(numbers) == THREADS * PER_THREAD
    assert len(set(numbers)) == len(numbers)
    assert Case.objects.count() == len(numbers)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_case_gives_its_number_to_nobody(caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    contact = ContactFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = case_services.case_create(actor=caseworker, case_type=case_type, contact=contact).number
        raise RuntimeError("the request failed after the case was numbered")
    assert not Case.objects.filter(number=lost).exists()
    later = [
        case_services.case_create(
            actor=caseworker, case_type=case_type, contact=contact, acknowledge_existing=True
        ).number
        for _ in range(3)
    ]
    assert lost not in later
    assert all(int(number[-6:]) > int(lost[-6:]) for number in later)
