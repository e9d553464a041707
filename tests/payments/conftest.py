import pytest

from core.models import User
from core.roles import Role


@pytest.fixture
def case_manager(make_staff) -> User:
    return make_staff(Role.CASE_MANAGER, email="cm@test.example", first_name="Cass", last_name="Manager")


@pytest.fixture
def reviewer(make_staff) -> User:
    return make_staff(Role.REVIEWER, email="reviewer@test.example", first_name="Rev", last_name="Iewer")
