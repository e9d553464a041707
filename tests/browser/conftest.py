"""Browser tests: Playwright drives Debian's Chromium (installed by `make test` through apt; a
test tool's own browser download is never used) against pytest-django's live server, and
axe-core from npm checks every page the flows visit.

Helpers:
- `signed_in(user)` gives a page already signed in as that user (a real session cookie);
- `check_page(page, name)` runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules and best practices),
  fails on any violation with a readable list, and saves a full-page screenshot as a test
  artifact under $TEST_ARTIFACTS_DIR (default var/test-artifacts/screenshots).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (it is: the test thread is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", ROOT / "var" / "test-artifacts")) / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items):
    # Every browser test needs the live server's database writes visible across threads, and the
    # browser tests share one Chromium per test process; keep them on one xdist worker so the
    # other runs the rest of the suite meanwhile.
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # The machine's network is closed: no background connections, no component downloads.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def server(live_server, transactional_db):
    """The live server's address; tests using it run on a transactional database so the server
    thread sees what the test wrote."""
    return live_server.url


@pytest.fixture
def signed_in(server, page, client):
    """`signed_in(user)` → the Playwright page with a session for `user` (the login form itself is
    tested once, in test_sign_in)."""
    from django.conf import settings

    def sign_in(user):
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": server, "httpOnly": True}]
        )
        return page

    return sign_in


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    if not AXE_SCRIPT.exists():
        pytest.fail("node_modules/axe-core is missing: `make test` installs it with npm ci.")
    return Axe.from_file(str(AXE_SCRIPT))


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


@pytest.fixture
def check_page(axe):
    """`check_page(page, name)`: zero axe-core violations on the page as it is now, and a
    screenshot saved as `<name>.png`."""

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"), full_page=True)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
        violations = results.response["violations"]
        assert not violations, f"axe-core found {len(violations)} violation(s) on {name} ({page.url}):\n" + _describe(
            violations
        )

    return check
