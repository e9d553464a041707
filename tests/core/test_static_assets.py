"""The staff UI's assets: what the templates link exists, the stylesheet carries our brand and
not GOV.UK's, and the production image builds them the same way `make assets` does."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

from tests.test_compose import dockerfile_instructions

ROOT = Path(__file__).resolve().parents[2]
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def _template_static_paths() -> set[str]:
    paths = set()
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        paths.update(STATIC_TAG.findall(template.read_text()))
    return paths


def test_every_static_file_a_template_links_exists():
    paths = _template_static_paths()
    assert "build/app.css" in paths and "build/govuk-frontend.min.js" in paths
    missing = sorted(path for path in paths if not finders.find(path))
    assert not missing, f"templates link static files that do not exist (run `make assets`): {missing}"


def test_the_pages_use_our_brand_not_govuks():
    css = Path(finders.find("build/app.css")).read_text()
    assert "GDS Transport" not in css  # GOV.UK's typeface is for GOV.UK services only
    assert "#106165" in css.lower()  # the brand colour set in static/src/app.scss
    # The crown and the crest are GOV.UK's alone: no template uses the classes that draw them.
    crown_classes = ("govuk-footer__copyright-logo", "govuk-logo", "govuk-header__logotype")
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        text = template.read_text()
        assert not any(name in text for name in crown_classes), f"{template} draws GOV.UK's crown or crest"


def test_the_image_builds_the_assets_in_a_node_stage_and_copies_only_the_output():
    instructions = dockerfile_instructions()
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert froms[0].startswith("node:") and froms[0].endswith(" AS assets")
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert "npm ci" in runs and "npm run --silent build" in runs
    copies = [args for keyword, args in instructions if keyword == "COPY"]
    assert "--from=assets /build/static/build static/build" in copies
    # Node stays in the build stage: the final image is Python's.
    assert froms[-1].startswith("python:")


def test_our_script_is_valid_javascript():
    import shutil
    import subprocess

    node = shutil.which("node")
    assert node, "Node.js is missing: `make install` installs it to build the assets"
    result = subprocess.run([node, "--check", str(ROOT / "static" / "js" / "app.js")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
