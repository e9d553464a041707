"""What kind of file an upload really is, decided from its content (docs/adr/0006).

libmagic (through python-magic) names the type from the file's first bytes. ZIP-based files are
not left to its guess, which looks only at the names of the first few ZIP entries: a Word .docx
or Excel .xlsx is recognised only when the package's [Content_Types].xml declares a Word
document or Excel workbook as its main part, and that part is really in the archive. A ZIP,
a Java archive, a PowerPoint file, or an Office file with macros is refused, whatever its name.

Pure functions: no database, no storage. casework.services.documents calls `inspect_upload`.
"""

from __future__ import annotations

import hashlib
import math
import mimetypes
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

import magic

from core import errors

FIELD = "file"
# Enough for every signature we rely on; libmagic never needs the whole file for these types.
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
# [Content_Types].xml is a few kilobytes in real files; a huge one is a zip bomb, not a document.
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    extensions: tuple[str, ...]  # the first is the one we add to a name that has none

    @property
    def extension(self) -> str:
        return self.extensions[0]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALLOWED_TYPES: dict[str, FileType] = {
    t.content_type: t
    for t in (
        FileType("application/pdf", "PDF document", (".pdf",)),
        FileType("image/jpeg", "JPEG image", (".jpg", ".jpeg", ".jpe", ".jfif")),
        FileType("image/png", "PNG image", (".png",)),
        # iPhone photos: libmagic says image/heic for the "heic" brand and image/heif for the
        # generic "mif1" brand that some phones write; both are the same HEIF still image.
        FileType("image/heic", "HEIC image", (".heic", ".heif")),
        FileType("image/heif", "HEIC image", (".heic", ".heif")),
        FileType(DOCX, "Word document", (".docx",)),
        FileType(XLSX, "Excel spreadsheet", (".xlsx",)),
    )
}
ALLOWED_DESCRIPTION = "PDF, JPEG, PNG, HEIC, Word (.docx) or Excel (.xlsx)"

# The main part an Office package declares, and what we say about the ones we refuse.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_OOXML_REFUSED_PARTS = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "a Word document with macros (.docm)",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "an Excel workbook with macros (.xlsm)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "a Word template (.dotx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "an Excel template (.xltx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "a PowerPoint presentation",
}
_OVERRIDE_ELEMENT = "http://schemas.openxmlformats.org/package/2006/content-types Override"

_UNSAFE_NAME_CHARACTERS = re.compile(r'[\\/:*?"<>|]+')
_SPACES = re.compile(r"\s+")
NAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class InspectedFile:
    file_type: FileType
    display_name: str
    size: int
    sha256: str


def _refuse(message: str) -> errors.ValidationError:
    return errors.ValidationError(message, fields={FIELD: [message]})


def _human_size(size: int, *, up: bool) -> str:
    """Bytes as people read them. A file's size is rounded up and the limit down, so a file
    one byte over 20 MB never reads "20 MB; files can be at most 20 MB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            tenths = size * 10 / scale
            tenths = math.ceil(tenths) if up else math.floor(tenths)
            return f"{tenths / 10:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _not_accepted(what: str) -> errors.ValidationError:
    return _refuse(f"This file is {what}, which we do not accept. Upload a {ALLOWED_DESCRIPTION} file.")


def _unrecognised(head: bytes) -> errors.ValidationError:
    """Refuse content that is none of ours, naming what libmagic says it is (e.g. 'HTML document')."""
    description = magic.from_buffer(head).split(",")[0].strip()
    if not description or description == "data":
        return _refuse(f"We cannot tell what kind of file this is. Upload a {ALLOWED_DESCRIPTION} file.")
    return _refuse(
        f"This file's content is “{description[:80]}”, which we do not accept. Upload a {ALLOWED_DESCRIPTION} file."
    )


class _DoctypeRefused(Exception):
    pass


def _content_type_overrides(xml: bytes) -> dict[str, str]:
    """{content type: part name} from a package's [Content_Types].xml. Parsed with expat
    directly so that any DTD (the way into entity-expansion attacks) is refused, whatever
    the document's encoding; a real package never has one."""
    overrides: dict[str, str] = {}

    def refuse(*args) -> None:
        raise _DoctypeRefused

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == _OVERRIDE_ELEMENT:
            overrides[attributes.get("ContentType", "")] = attributes.get("PartName", "").lstrip("/")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.Parse(xml, True)
    return overrides


def _ooxml_type(upload) -> str:
    """DOCX or XLSX for a genuine Word document or Excel workbook; raises ValidationError for
    any other ZIP-based file, saying what it is."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            info = package.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if info is None:
                raise _not_accepted("a ZIP archive")
            if info.file_size > _CONTENT_TYPES_MAX_BYTES:
                raise _not_accepted("a ZIP archive that is not a Word or Excel file")
            content_types = package.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError) as error:
        raise _refuse("This file looks like a ZIP archive but is damaged, so we cannot check what it is.") from error
    try:
        overrides = _content_type_overrides(content_types)
    except (_DoctypeRefused, expat.ExpatError) as error:
        raise _not_accepted("a damaged Office file") from error
    for part_type, what in _OOXML_REFUSED_PARTS.items():
        if part_type in overrides:
            raise _not_accepted(what)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _not_accepted("an Office file with macros")
    found = [
        file_type
        for part_type, file_type in _OOXML_MAIN_PARTS.items()
        if part_type in overrides and overrides[part_type] in names
    ]
    if len(found) != 1:
        raise _not_accepted("a ZIP archive that is not a Word or Excel file")
    return found[0]


def _sniff(upload) -> FileType:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if head.startswith(_ZIP_MAGIC):
        return ALLOWED_TYPES[_ooxml_type(upload)]
    sniffed = magic.from_buffer(head, mime=True)
    if sniffed in ALLOWED_TYPES and sniffed not in (DOCX, XLSX):
        return ALLOWED_TYPES[sniffed]
    raise _unrecognised(head)


def _base_name(name: str) -> str:
    """The last component of a path from any operating system, in NFC, without control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()


def _split_extension(name: str) -> tuple[str, str]:
    """(stem, extension) where the extension is one that names a file type: "scan.PDF" →
    ("scan", ".PDF"), but "Payslip 01.02.2026" and "Smith v. Jones" have none."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not suffix.isalnum() or len(suffix) > 10:
        return name, ""
    extension = f".{suffix}"
    known = any(extension.lower() in t.extensions for t in ALLOWED_TYPES.values())
    if known or mimetypes.guess_type(f"file{extension.lower()}", strict=False)[0]:
        return stem, extension
    return name, ""


def display_name(name: str, file_type: FileType) -> str:
    """The uploader's file name made safe to show and to offer as a download name: no folders,
    control characters or characters file systems refuse, at most 255 characters, and the
    type's extension added when the name has none."""
    stem, extension = _split_extension(_base_name(name))
    stem = _SPACES.sub(" ", _UNSAFE_NAME_CHARACTERS.sub("_", stem)).strip(" .")
    extension = extension or file_type.extension
    stem = stem or "document"
    return stem[: NAME_MAX_LENGTH - len(extension)] + extension


def _check_extension(name: str, file_type: FileType) -> None:
    extension = _split_extension(_base_name(name))[1].lower()
    if extension and extension not in file_type.extensions:
        right = " or ".join(file_type.extensions[:2])
        raise _refuse(
            f"This file is a {file_type.label} but is named {extension}. "
            f"Rename it to end in {right}, or choose the file you meant to upload."
        )


def _digest(upload) -> tuple[int, str]:
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := upload.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return size, digest.hexdigest()


def inspect_upload(upload, *, name: str, max_bytes: int) -> InspectedFile:
    """Check an uploaded file (a seekable binary file object) against the allow-list and the
    size limit, by its content. Raises core.errors.ValidationError (field "file") with a
    sentence saying what is wrong: empty, too large, a type we do not accept, or a name whose
    extension contradicts the content. Leaves the file positioned at its start."""
    declared_size = getattr(upload, "size", None)
    if declared_size is not None and declared_size > max_bytes:
        raise _too_large(declared_size, max_bytes)
    size, sha256 = _digest(upload)
    if size == 0:
        raise _refuse("This file is empty. Choose the file again; if it still fails, it may not have saved properly.")
    if size > max_bytes:
        raise _too_large(size, max_bytes)
    file_type = _sniff(upload)
    _check_extension(name, file_type)
    upload.seek(0)
    return InspectedFile(file_type=file_type, display_name=display_name(name, file_type), size=size, sha256=sha256)


def _too_large(size: int, max_bytes: int) -> errors.ValidationError:
    return _refuse(
        f"This file is {_human_size(size, up=True)}; files can be at most {_human_size(max_bytes, up=False)}."
    )
