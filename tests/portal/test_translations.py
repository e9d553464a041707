"""The portal's translations: the committed .mo files are what their .po files compile to (the
image has no gettext to compile them), every catalogue is complete, and every language the
portal offers can be chosen."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language, to_locale

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
MSGFMT = shutil.which("msgfmt")


def _compiled(po: Path, tmp_path: Path) -> dict:
    out = tmp_path / "django.mo"
    subprocess.run([MSGFMT, "--check-format", "-o", str(out), str(po)], check=True)
    with out.open("rb") as fresh:
        return gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]


@pytest.mark.skipif(not MSGFMT, reason="gettext is not installed: `make test` installs it")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_each_committed_mo_is_its_po_compiled(po, tmp_path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    with mo.open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == _compiled(po, tmp_path), (  # type: ignore[attr-defined]
            f"{mo} is out of date: run `make messages`"
        )


@pytest.mark.skipif(not MSGFMT, reason="gettext is not installed: `make test` installs it")
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parts[-3])
def test_every_catalogue_is_complete(po):
    """Every language, not only Spanish: the catalogues hold the portal's text (the application
    flow and the pages around it) and the shared layout's, nothing else."""
    result = subprocess.run(
        [MSGFMT, "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_every_portal_language_has_a_catalogue_and_can_be_chosen():
    codes = [code for code, _name in settings.PORTAL_LANGUAGES]
    assert codes == ["en-gb", "es", "pt", "zh-hans", "ht", "vi", "ru", "km"]
    for code in codes[1:]:
        assert (LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po").exists(), code
        assert check_for_language(code), code  # Haitian Creole has no Django catalogue: ours makes it choosable
    assert set(codes) <= {code for code, _name in settings.LANGUAGES}


def test_spanish_text_is_used():
    with translation.override("es"):
        assert translation.gettext("Your applications") == "Sus solicitudes"
        assert translation.ngettext("The link works for %(days)s day.", "The link works for %(days)s days.", 3) == (
            "El enlace funciona durante %(days)s días."
        )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("km", "ពាក្យស្នើសុំ"),  # Khmer script
        ("zh-hans", "申请"),
        ("ru", "заявлен"),
        ("vi", "đơn"),
    ],
)
def test_the_application_flow_is_translated(language, expected):
    with translation.override(language):
        assert expected in translation.gettext("Start an application")
