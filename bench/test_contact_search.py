"""A caseworker searching contacts through the staff API: the most common read behind the
worktray's "find a person" box."""

import random

import pytest

from bench.conftest import assert_within_budget
from casework.models import Contact

CONTACTS = 25_000
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Nowak",
]
FORENAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Muhammad",
    "Zofia",
    "Aisha",
]


@pytest.fixture
def many_contacts(db):
    rng = random.Random(7)
    Contact.objects.bulk_create(
        [
            Contact(
                reference=f"CON-{n:06d}",
                first_name=rng.choice(FORENAMES),
                last_name=f"{rng.choice(SURNAMES)}{'' if n % 3 else '-' + rng.choice(SURNAMES)}",
                email=f"person{n}@example.org",
            )
            for n in range(1, CONTACTS + 1)
        ],
        batch_size=5_000,
    )


def test_contact_search_api(benchmark, staff_client, many_contacts):
    def search():
        response = staff_client.get("/api/v1/contacts/", {"search": "nowak"})
        assert response.status_code == 200
        return response

    response = benchmark.pedantic(search, rounds=30, warmup_rounds=3)
    assert response.json()["count"] > 1000
    assert_within_budget(benchmark, median_ms=150)
