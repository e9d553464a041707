"""Letters as PDF, rendered with WeasyPrint.

The first page follows the layout GOV.UK Notify's precompiled letters must have (and a DL window
envelope shows): the recipient's address inside the box 24.6-120 mm from the left and 40-66.2 mm
from the top, our logo and name above it (top 5-30 mm), our address on the right (from 125 mm),
and the body from 95 mm down. Later pages use the whole page; every page is numbered. The PDF is
tagged (PDF/UA-1) with the letter's language and title, so screen readers can read it.

WeasyPrint fetches nothing but our own static files (no network, no file system beyond them)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from communications.rendering import body_html

# Where the address must sit on the first page, in mm from the page's left and top edges.
ADDRESS_LEFT_MM = 24.6
ADDRESS_RIGHT_MM = 120.0
ADDRESS_TOP_MM = 40.0
ADDRESS_BOTTOM_MM = 66.2
BODY_TOP_MM = 95.0
ADDRESS_MAX_LINES = 7  # Notify's limit, the name included

STATIC_PREFIX = "static:"


class LetterError(Exception):
    """A letter that cannot be made (an address that does not fit the window, say)."""


def _static_fetcher():
    """WeasyPrint's URL fetcher for letters: `static:<path>` is one of our static files; every
    other URL (http, file, data…) is refused, so nothing in a letter makes the worker fetch."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_PREFIX):
                raise ValueError(f"Letters may only use our own static files, not {urlparse(url).scheme or url!r}.")
            found = finders.find(url.removeprefix(STATIC_PREFIX))
            if not found:
                raise ValueError(f"There is no static file {url!r}.")
            path = Path(found if isinstance(found, str) else found[0])
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnly()


def address_lines(name: str, address: list[str]) -> list[str]:
    """The lines of the address block: the name, then the address. Raises LetterError when the
    block would not fit the envelope window."""
    lines = [line.strip() for line in [name, *address] if line and line.strip()]
    if len(lines) < 3:
        raise LetterError("A postal address needs a name and at least two lines, the last being the postcode.")
    if len(lines) > ADDRESS_MAX_LINES:
        raise LetterError(f"A postal address can have at most {ADDRESS_MAX_LINES} lines, the name included.")
    return lines


def letter_html(*, subject: str, body: str, name: str, address: list[str], language: str = "en") -> str:
    """The letter as HTML for WeasyPrint: `body` is the rendered template (formatting source)."""
    with translation.override(language):
        return render_to_string(
            "communications/letter.html",
            {
                "subject": subject,
                "body": mark_safe(body_html(body)),  # noqa: S308 - markdown-it escapes any HTML in it
                "address_lines": address_lines(name, address),
                "organisation": settings.ORGANISATION,
                "organisation_name": settings.ORGANISATION_NAME,
                "language": language,
                "static_prefix": STATIC_PREFIX,
                "layout": {
                    "address_left": ADDRESS_LEFT_MM,
                    "address_top": ADDRESS_TOP_MM,
                    "address_width": ADDRESS_RIGHT_MM - ADDRESS_LEFT_MM,
                    "address_height": ADDRESS_BOTTOM_MM - ADDRESS_TOP_MM,
                    "body_top": BODY_TOP_MM,
                },
            },
        )


def letter_pdf(*, subject: str, body: str, name: str, address: list[str], language: str = "en") -> bytes:
    """The letter as a tagged A4 PDF. Raises LetterError for an address that does not fit."""
    import weasyprint  # imported here: only the worker (and previews) render letters

    html = letter_html(subject=subject, body=body, name=name, address=address, language=language)
    document = weasyprint.HTML(string=html, url_fetcher=_static_fetcher(), base_url=STATIC_PREFIX)
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pack_pdf(*, title: str, intro: str, sections: list[tuple[str, str]], language: str = "en") -> bytes:
    """An information pack (not posted: no address window) as a tagged A4 PDF: a title, a line
    of introduction, and sections of (heading, formatted text), in order."""
    import weasyprint

    with translation.override(language):
        html = render_to_string(
            "communications/pack.html",
            {
                "title": title,
                "intro": intro,
                "sections": [
                    {"title": heading, "body": mark_safe(body_html(text))}  # noqa: S308 - markdown-it escapes HTML
                    for heading, text in sections
                ],
                "organisation": settings.ORGANISATION,
                "organisation_name": settings.ORGANISATION_NAME,
                "language": language,
                "static_prefix": STATIC_PREFIX,
            },
        )
    document = weasyprint.HTML(string=html, url_fetcher=_static_fetcher(), base_url=STATIC_PREFIX)
    return document.write_pdf(pdf_variant="pdf/ua-1")
