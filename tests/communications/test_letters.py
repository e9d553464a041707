"""Letters as PDF: the text is there, the address sits in the envelope window, pages are
numbered, the PDF is tagged, and nothing outside our static files is fetched."""

import io

import pypdf
import pytest

from communications import letters

MM = 72 / 25.4  # PDF points per millimetre
ADDRESS = ["1 High Street", "Anytown", "AB1 2CD"]


def _pdf(body: str = "Dear Ms Tenant,\n\nYou owe **£120.50**.", **kwargs) -> bytes:
    return letters.letter_pdf(subject="Your rent account", body=body, name="Ms Jane Tenant", address=ADDRESS, **kwargs)


def _placed_text(page) -> list[tuple[str, float, float]]:
    """Each piece of text on the page with where it starts, in mm from the left and top edges."""
    height = float(page.mediabox.height)
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, (height - y) / MM))

    page.extract_text(visitor_text=visit)
    return found


def test_the_letter_reads_as_written():
    reader = pypdf.PdfReader(io.BytesIO(_pdf()))
    text = reader.pages[0].extract_text()
    for expected in ("Your rent account", "Dear Ms Tenant,", "You owe £120.50.", "Demo Borough Council", "Page 1 of 1"):
        assert expected in text
    assert float(reader.pages[0].mediabox.width) == pytest.approx(210 * MM, abs=0.5)  # A4
    assert float(reader.pages[0].mediabox.height) == pytest.approx(297 * MM, abs=0.5)


def test_the_address_block_sits_inside_the_envelope_window():
    page = pypdf.PdfReader(io.BytesIO(_pdf())).pages[0]
    placed = {text: (left, top) for text, left, top in _placed_text(page)}
    for line in ["Ms Jane Tenant", *ADDRESS]:
        left, baseline = placed[line]
        assert letters.ADDRESS_LEFT_MM - 0.5 <= left <= letters.ADDRESS_RIGHT_MM, line
        # The baseline is below the line's top by less than the 10pt font's height (3.6 mm).
        assert baseline - 3.6 >= letters.ADDRESS_TOP_MM and baseline <= letters.ADDRESS_BOTTOM_MM, line
    body_top = placed["Your rent account"][1]
    assert body_top >= letters.BODY_TOP_MM  # the body starts below the window, where Notify expects it


def test_a_long_document_runs_to_numbered_pages():
    pack = "\n\n".join(f"## Section {n}\n\n" + "Advice about your housing options. " * 60 for n in range(1, 13))
    reader = pypdf.PdfReader(io.BytesIO(_pdf(pack)))
    pages = len(reader.pages)
    assert pages >= 5
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()
    assert "Section 12" in reader.pages[-1].extract_text()


def test_the_pdf_is_tagged_with_its_language_and_title():
    reader = pypdf.PdfReader(io.BytesIO(_pdf(language="cy")))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "cy"
    assert reader.metadata.title == "Your rent account"


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "static:nope.png"])
def test_letters_fetch_nothing_but_our_static_files(url):
    fetcher = letters._static_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.fetch("static:img/favicon.svg").url == "static:img/favicon.svg"


@pytest.mark.parametrize(
    ("name", "address", "message"),
    [
        ("Ms Tenant", ["AB1 2CD"], "at least two lines"),
        ("Ms Tenant", [f"Line {n}" for n in range(7)], "at most 7 lines"),
    ],
)
def test_an_address_that_does_not_fit_the_window_is_refused(name, address, message):
    with pytest.raises(letters.LetterError, match=message):
        letters.address_lines(name, address)


def _embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize(
    ("language", "text", "font"),
    [("km", "សូមបង់ថ្លៃជួលដែលជំពាក់។", "KhmerOS"), ("zh-hans", "请支付您欠缴的租金。", "NotoSansCJK")],
)
def test_khmer_and_chinese_letters_are_set_in_fonts_that_have_the_script(language, text, font):
    """A missing font falls back silently to empty boxes: the letter must embed a font for the
    script (the image installs fonts-khmeros and fonts-noto-cjk, as `make test` does)."""
    pdf = _pdf(body=f"{text}\n\nDear Ms Tenant.", language=language)
    fonts = _embedded_fonts(pdf)
    assert any(font in name.replace("-", "") for name in fonts), fonts
    assert text[:4] in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
