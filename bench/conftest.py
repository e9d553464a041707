"""Benchmarks run with `make bench` against the real PostgreSQL, on data sized like a mid-sized
council's (tens of thousands of contacts). Each benchmark states a budget and fails above it;
the figures pytest-benchmark prints are the evidence for closing notes."""

import pytest

from core import services
from core.models import User
from core.roles import Role


@pytest.fixture
def staff_client(client, db):
    user = services.user_create(actor=None, email="bench@test.example", kind=User.Kind.STAFF)
    services.staff_set_roles(actor=None, user=user, roles={Role.CASEWORKER})
    client.force_login(user)
    return client


def assert_within_budget(benchmark, *, median_ms: float) -> None:
    median = benchmark.stats["median"] * 1000
    assert median <= median_ms, f"median {median:.1f} ms is over the {median_ms} ms budget"
