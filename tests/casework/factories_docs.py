"""Real sample files, built in the test (no fixtures on disk), and factories for appointments,
tasks and applicant users used by the documents, appointments and organisations tests."""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
from pathlib import Path

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from casework.models import Appointment, Document, Task
from core import services as core_services
from core.models import User

# --- sample files ----------------------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format=fmt)
    return buffer.getvalue()


def heic_bytes(brand: bytes = b"heic") -> bytes:
    """The start of a HEIF file as an iPhone writes it: an ftyp box naming the brand."""
    body = brand + b"\x00\x00\x00\x00" + b"mif1" + b"heic"
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 8) + b"meta"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{part}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _entry(name: str, *, compress_type: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A zip entry with a fixed timestamp, so the same sample is the same bytes every time
    (writestr with a bare name stamps the current second, and a test may straddle two)."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = compress_type
    return info


def ooxml_bytes(
    *, part: str, content_type: str, body: str = "<x/>", content_types_last: bool = False, extra=()
) -> bytes:
    """An Office Open XML package: [Content_Types].xml, the package relationships, the main part."""
    entries = [
        ("[Content_Types].xml", _CONTENT_TYPES.format(part=part, content_type=content_type)),
        ("_rels/.rels", _RELS.format(part=part)),
        (part, body),
        *extra,
    ]
    if content_types_last:
        entries = entries[1:] + entries[:1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries:
            package.writestr(_entry(name), content)
    return buffer.getvalue()


def docx_bytes(**kwargs) -> bytes:
    body = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'
    return ooxml_bytes(part="word/document.xml", content_type=WORD_MAIN, body=body, **kwargs)


def xlsx_bytes(**kwargs) -> bytes:
    body = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    return ooxml_bytes(part="xl/workbook.xml", content_type=EXCEL_MAIN, body=body, **kwargs)


def zip_bytes(*entries: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(_entry(name, compress_type=zipfile.ZIP_STORED), content)
    return buffer.getvalue()


# A DOS/Windows program's header (the "MZ" signature a renamed .exe starts with).
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240
HTML = b"<!DOCTYPE html><html><head><title>Invoice</title></head><body><script>alert(1)</script></body></html>"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stored_files() -> set[str]:
    """Every file in the documents storage (a temporary directory under the test settings)."""
    from django.conf import settings

    root = Path(settings.DOCUMENTS_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def document_on(case, uploaded_by, *, content: bytes = PDF, name: str = "evidence.pdf") -> Document:
    """A document stored as the service would store it."""
    from casework.services import documents as document_services

    upload = io.BytesIO(content)
    upload.name = name
    return document_services.document_upload(
        actor=uploaded_by, case=case, uploaded_file=upload, category=Document.Category.OTHER
    )


def api_error(response) -> dict:
    """The body of an API error, checked to have the one shape every error has."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# --- people and work -------------------------------------------------------------------------


def make_applicant(kind: str = User.Kind.TENANT, email: str | None = None) -> User:
    email = email or f"{kind}{User.objects.count() + 1}@applicant.example"
    return core_services.user_create(actor=None, email=email, kind=kind, first_name="App", last_name="Licant")


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    subject = factory.Sequence(lambda n: f"Call the tenant back ({n})")


def in_hours(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


class AppointmentFactory(DjangoModelFactory):
    """A scheduled phone call tomorrow with a named person."""

    class Meta:
        model = Appointment

    starts_at = factory.LazyFunction(lambda: in_hours(24))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=30))
    mode = Appointment.Mode.PHONE
    location = "07700 900456"
    with_name = "Tara Reilly"
