"""core.paths.path_to gives exactly what reverse gives, without reversing each time."""

import pytest
from django.urls import reverse, set_script_prefix

from casework.urls import urlpatterns
from core.paths import path_to


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("staff-case", (1,)),
        ("staff-case", (1_234_567,)),
        ("staff-case", (0,)),
        ("staff-saved-view-delete", (42,)),
        ("staff-home", ()),
    ],
)
def test_the_same_path_as_reverse(name, ids):
    assert path_to(name, *ids) == reverse(name, args=ids)


def test_two_ids_each_in_its_place():
    two = next(p for p in urlpatterns if str(p.pattern).count("<int:") == 2)
    assert path_to(two.name, 7, 9) == reverse(two.name, args=(7, 9))


def test_the_script_prefix_is_followed():
    try:
        set_script_prefix("/housing/")
        assert path_to("staff-case", 5) == "/housing/staff/cases/5/" == reverse("staff-case", args=[5])
    finally:
        set_script_prefix("/")


def _outcome(call):
    """What a call returns, or the type of what it raises."""
    try:
        return call()
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize("ids", [(-1,), ("12",), (True,)])
def test_anything_but_a_plain_id_goes_through_reverse(ids):
    assert _outcome(lambda: path_to("staff-case", *ids)) == _outcome(lambda: reverse("staff-case", args=ids))
