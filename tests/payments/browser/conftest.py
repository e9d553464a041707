"""The payments pages' browser tests use the same Chromium, live server and axe-core checks as the
staff pages' browser tests."""

from tests.browser.conftest import (  # noqa: F401  (fixtures, found by name)
    axe,
    browser_context_args,
    browser_type_launch_args,
    check_page,
    server,
    signed_in,
)
