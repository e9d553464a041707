import pytest
import time_machine

from tests.arrears.factories import NOW


@pytest.fixture
def wednesday():
    """Time stands still at tests.arrears.factories.NOW."""
    with time_machine.travel(NOW, tick=False):
        yield
