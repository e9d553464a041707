"""Shared set-up for the portal's tests."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps


def confirmation_templates() -> None:
    """The confirmation email templates as portal's data migration makes them (it skips any that
    exist). A test database reused after a transactional (browser) test has lost the migration's
    rows with the flush, so every portal test that touches the database puts them back."""
    for migration in ("0004_applications_confirmation_templates", "0006_confirmation_templates_in_every_language"):
        import_module(f"portal.migrations.{migration}").create(apps, None)


@pytest.fixture(autouse=True)
def _confirmation_templates(request):
    names = set(request.fixturenames)
    if names & {"live_server", "transactional_db"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    confirmation_templates()
