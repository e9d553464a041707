"""Documents on a case: the type allow-list decided by content, the size limit, who may upload
to which case, that a failed upload leaves no file, and who may download."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection

from casework.models import Case, CaseActivity, Document
from casework.services import documents as document_services
from core import errors
from core.models import User
from tests.casework.factories import landlord_case, tenant_case
from tests.casework.factories_docs import (
    DOCX,
    EXE,
    HTML,
    PDF,
    WORD_MAIN,
    XLSX,
    api_error,
    document_on,
    docx_bytes,
    heic_bytes,
    image_bytes,
    make_applicant,
    ooxml_bytes,
    stored_files,
    xlsx_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    # The browser's content type is deliberately wrong: it must play no part.
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _upload(actor, case, content: bytes, name: str, category: str = Document.Category.OTHER) -> Document:
    return document_services.document_upload(
        actor=actor, case=case, uploaded_file=upload(content, name), category=category
    )


ALLOWED = [
    pytest.param(lambda: PDF, "tenancy.pdf", "application/pdf", id="pdf"),
    pytest.param(lambda: image_bytes("JPEG"), "photo.jpg", "image/jpeg", id="jpeg"),
    pytest.param(lambda: image_bytes("JPEG"), "photo.JPEG", "image/jpeg", id="jpeg-upper-case-extension"),
    pytest.param(lambda: image_bytes("PNG"), "screenshot.png", "image/png", id="png"),
    pytest.param(lambda: heic_bytes(b"heic"), "IMG_0001.HEIC", "image/heic", id="heic"),
    pytest.param(lambda: heic_bytes(b"mif1"), "IMG_0002.heic", "image/heif", id="heic-mif1-brand"),
    pytest.param(docx_bytes, "letter.docx", DOCX, id="docx"),
    pytest.param(lambda: docx_bytes(content_types_last=True), "letter.docx", DOCX, id="docx-entries-reordered"),
    pytest.param(xlsx_bytes, "rent.xlsx", XLSX, id="xlsx"),
    pytest.param(lambda: xlsx_bytes(content_types_last=True), "rent.xlsx", XLSX, id="xlsx-entries-reordered"),
]


@pytest.mark.parametrize(("make", "name", "content_type"), ALLOWED)
def test_each_allowed_type_is_stored_with_its_sniffed_type_hash_and_size(caseworker, make, name, content_type):
    import hashlib

    case = tenant_case(status="chaser")
    content = make()
    document = _upload(caseworker, case, content, name, Document.Category.TENANCY)
    document.refresh_from_db()
    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == name
    assert document.category == Document.Category.TENANCY
    assert document.uploaded_by == caseworker
    with document.file.open("rb") as stored:
        assert stored.read() == content
    # Stored under a random name, never the uploader's.
    assert name not in document.file.name
    assert document.file.name.startswith(f"cases/{case.pk}/")


def test_an_upload_is_on_the_case_feed(caseworker):
    case = tenant_case(status="chaser")
    document = _upload(caseworker, case, PDF, "lease.pdf", Document.Category.TENANCY)
    entry = CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.DOCUMENT_ADDED)
    assert entry.document == document
    assert entry.actor == caseworker
    assert entry.summary == "Document added: lease.pdf (Tenancy agreement or lease)"
    assert entry.data == {"category": "tenancy", "content_type": "application/pdf", "size": len(PDF)}


REFUSED = [
    pytest.param(EXE, "invoice.pdf", "MS-DOS executable", id="exe-named-pdf"),
    pytest.param(HTML, "invoice.pdf", "HTML document", id="html-named-pdf"),
    pytest.param(zip_bytes(("readme.txt", "hello")), "invoice.pdf", "a ZIP archive", id="zip-named-pdf"),
    pytest.param(zip_bytes(("readme.txt", "hello")), "archive.docx", "a ZIP archive", id="zip-named-docx"),
    # Looks like Word to a name-based sniffer: its only entry is under word/.
    pytest.param(zip_bytes(("word/evil.exe", "MZ")), "letter.docx", "a ZIP archive", id="zip-with-word-folder"),
    pytest.param(
        ooxml_bytes(part="word/document.xml", content_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        "letter.docx",
        "a Word document with macros",
        id="docm-named-docx",
    ),
    pytest.param(
        docx_bytes(extra=[("word/vbaProject.bin", "macro")]), "letter.docx", "an Office file with macros", id="vba"
    ),
    pytest.param(
        ooxml_bytes(
            part="ppt/presentation.xml",
            content_type="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        ),
        "slides.pdf",
        "a PowerPoint presentation",
        id="pptx",
    ),
    pytest.param(
        # Declares a Word main part that is not in the package.
        zip_bytes(
            (
                "[Content_Types].xml",
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/></Types>',
            )
        ),
        "letter.docx",
        "not a Word or Excel file",
        id="content-types-without-main-part",
    ),
    pytest.param(b"just some notes\n", "notes.pdf", "ASCII text", id="text"),
    pytest.param(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
        "logo.png",
        "SVG",
        id="svg",
    ),
    pytest.param(b"PK\x03\x04 not really a zip", "letter.docx", "damaged", id="broken-zip"),
]


@pytest.mark.parametrize(("content", "name", "said"), REFUSED)
def test_disallowed_content_is_refused_and_leaves_no_row_and_no_file(caseworker, content, name, said):
    case = tenant_case(status="chaser")
    before = stored_files()
    with pytest.raises(errors.ValidationError) as refused:
        _upload(caseworker, case, content, name)
    assert said in refused.value.fields["file"][0]
    assert not Document.objects.exists()
    assert not CaseActivity.objects.filter(kind=CaseActivity.Kind.DOCUMENT_ADDED).exists()
    assert stored_files() == before


def test_a_refusal_says_what_is_accepted(caseworker):
    with pytest.raises(errors.ValidationError) as refused:
        _upload(caseworker, tenant_case(), HTML, "invoice.pdf")
    assert refused.value.fields["file"] == [
        "This file's content is “HTML document”, which we do not accept. "
        "Upload a PDF, JPEG, PNG, HEIC, Word (.docx) or Excel (.xlsx) file."
    ]
    assert refused.value.message == refused.value.fields["file"][0]


def test_content_types_with_a_dtd_are_refused_without_being_expanded(caseworker):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>'
    )
    content = zip_bytes(("[Content_Types].xml", laughs), ("word/document.xml", "<w/>"))
    with pytest.raises(errors.ValidationError, match="damaged Office file"):
        _upload(caseworker, tenant_case(), content, "letter.docx")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (image_bytes("PNG"), "statement.pdf", "This file is a PNG image but is named .pdf."),
        (PDF, "photo.jpg", "This file is a PDF document but is named .jpg."),
        (docx_bytes(), "rent.xlsx", "This file is a Word document but is named .xlsx."),
        (xlsx_bytes(), "letter.docx", "This file is a Excel spreadsheet but is named .docx."),
    ],
)
def test_a_name_that_contradicts_the_content_is_refused_with_both_named(caseworker, content, name, message):
    before = stored_files()
    with pytest.raises(errors.ValidationError) as refused:
        _upload(caseworker, tenant_case(), content, name)
    assert refused.value.fields["file"][0].startswith(message)
    assert not Document.objects.exists()
    assert stored_files() == before


def test_a_name_without_an_extension_gets_the_types_own(caseworker):
    document = _upload(caseworker, tenant_case(), image_bytes("PNG"), "scan")
    assert document.original_name == "scan.png"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\tara\\Desktop\\lease.pdf", "lease.pdf"),
        ("bank\x00 statement\r\n.pdf", "bank statement.pdf"),
        ('what?<script>"x".pdf', "what_script_x_.pdf"),
        (".pdf", "document.pdf"),
        ("Payslip 01.02.2026", "Payslip 01.02.2026.pdf"),
        ("Smith v. Jones", "Smith v. Jones.pdf"),
        ("scan.PDF", "scan.PDF"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_the_original_name_is_cleaned_for_display(caseworker, name, shown):
    document = _upload(caseworker, tenant_case(), PDF, name)
    assert document.original_name == shown


def test_an_empty_file_is_refused(caseworker):
    with pytest.raises(errors.ValidationError) as refused:
        _upload(caseworker, tenant_case(), b"", "empty.pdf")
    assert refused.value.fields["file"][0].startswith("This file is empty.")
    assert not Document.objects.exists()


def test_the_default_limit_is_20_mb_and_a_larger_file_is_refused_naming_it(caseworker, settings):
    assert settings.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024
    before = stored_files()
    content = PDF + b"\0" * (20 * 1024 * 1024 + 1 - len(PDF))
    with pytest.raises(errors.ValidationError) as refused:
        _upload(caseworker, tenant_case(), content, "huge.pdf")
    assert refused.value.fields["file"] == ["This file is 20.1 MB; files can be at most 20 MB."]
    assert not Document.objects.exists()
    assert stored_files() == before


def test_the_limit_comes_from_the_setting(caseworker, settings):
    settings.DOCUMENT_MAX_BYTES = 2048
    with pytest.raises(errors.ValidationError, match="files can be at most 2 KB"):
        _upload(caseworker, tenant_case(), PDF + b" " * 2048, "big.pdf")
    document = _upload(caseworker, tenant_case(), PDF + b" " * (2048 - len(PDF)), "exactly.pdf")
    assert document.size == 2048


def test_an_unknown_category_is_refused(caseworker):
    with pytest.raises(errors.ValidationError) as refused:
        _upload(caseworker, tenant_case(), PDF, "a.pdf", category="secret")
    assert "category" in refused.value.fields
    assert not Document.objects.exists()


# --- who may upload where ----------------------------------------------------------------------


def test_a_caseworker_cannot_add_documents_to_a_closed_case(caseworker):
    case = tenant_case(status="closed", closure_stage="denied")
    before = stored_files()
    with pytest.raises(errors.Conflict, match=f"Case {case.number} is closed"):
        _upload(caseworker, case, PDF, "late.pdf")
    assert not Document.objects.exists()
    assert stored_files() == before


def test_a_supervisor_may_add_documents_to_a_closed_case(supervisor):
    case = tenant_case(status="closed", closure_stage="denied")
    assert _upload(supervisor, case, PDF, "appeal-evidence.pdf").case == case


def test_the_applicant_uploads_to_their_own_open_case(applicant):
    case = tenant_case(status="draft", applicant=applicant)
    document = _upload(applicant, case, image_bytes("JPEG"), "payslip.jpg", Document.Category.INCOME)
    assert document.uploaded_by == applicant
    assert CaseActivity.objects.get(kind=CaseActivity.Kind.DOCUMENT_ADDED).actor == applicant


def test_an_applicant_cannot_upload_to_someone_elses_case():
    case = tenant_case(status="draft", applicant=make_applicant())
    with pytest.raises(errors.PermissionDenied):
        _upload(make_applicant(), case, PDF, "mine.pdf")
    assert not Document.objects.exists()


def test_an_applicant_cannot_upload_to_their_closed_case():
    tenant = make_applicant()
    case = tenant_case(status="closed", closure_stage="withdrawn", applicant=tenant)
    with pytest.raises(errors.Conflict, match="is closed, so documents can no longer be added"):
        _upload(tenant, case, PDF, "late.pdf")
    assert not Document.objects.exists()


@pytest.mark.parametrize("status", ["payment", "reviewer", "chaser", "application_match", "draft"])
def test_a_landlord_upload_never_changes_the_case_status(status):
    landlord = make_applicant(User.Kind.LANDLORD)
    case = landlord_case(status=status, applicant=landlord)
    _upload(landlord, case, PDF, "ownership.pdf", Document.Category.OWNERSHIP)
    case.refresh_from_db()
    assert case.status == status
    assert not CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.STATUS_CHANGED).exists()
    assert list(CaseActivity.objects.filter(case=case).values_list("kind", flat=True)) == ["document_added"]


# --- a failed write leaves no file -------------------------------------------------------------


@pytest.fixture
def document_inserts_fail():
    """Make the database refuse every new document row, as a full disk or a dropped connection
    would: a real failure inside the upload's transaction, not a mock of our code."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_document() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'the database is refusing documents'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_refuse_document BEFORE INSERT ON casework_document
            FOR EACH ROW EXECUTE FUNCTION test_refuse_document();
            """
        )
    # The test's transaction is rolled back afterwards, and the trigger with it.


def test_when_the_row_cannot_be_written_the_stored_file_is_removed(caseworker, document_inserts_fail):
    case = tenant_case(status="chaser")
    before = stored_files()
    with pytest.raises(DatabaseError, match="refusing documents"):
        _upload(caseworker, case, PDF, "lost.pdf")
    assert stored_files() == before
    assert not Document.objects.exists()
    assert not CaseActivity.objects.filter(case=case).exists()


def test_a_plain_file_object_can_be_uploaded(caseworker):
    content = io.BytesIO(PDF)
    content.name = "from-a-job.pdf"
    document = document_services.document_upload(
        actor=caseworker, case=tenant_case(), uploaded_file=content, category=Document.Category.CORRESPONDENCE
    )
    assert document.original_name == "from-a-job.pdf"
    assert document.content_type == "application/pdf"


# --- API: list and upload ----------------------------------------------------------------------


def test_staff_upload_through_the_api(client, caseworker):
    case = tenant_case(status="chaser")
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/cases/{case.pk}/documents/",
        {"file": upload(docx_bytes(), "decision letter.docx"), "category": "correspondence"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    document = Document.objects.get()
    assert body["id"] == document.pk
    assert body["content_type"] == DOCX
    assert body["original_name"] == "decision letter.docx"
    assert body["category"] == "correspondence"
    assert body["download_url"] == f"/api/v1/documents/{document.pk}/download/"
    assert body["uploaded_by_name"] == "Casey Worker"


def test_a_large_upload_spooled_to_disk_is_stored_whole(client, caseworker):
    # Over Django's 2.5 MB in-memory threshold the upload arrives as a temporary file, which the
    # filesystem storage moves into place rather than copying.
    import hashlib

    content = PDF + b"%" * (3 * 1024 * 1024)
    client.force_login(caseworker)
    response = client.post(f"/api/v1/cases/{tenant_case().pk}/documents/", {"file": upload(content, "bundle.pdf")})
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert document.size == len(content)
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    with document.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256


def test_a_refused_upload_through_the_api_is_a_400_naming_the_problem(client, caseworker):
    case = tenant_case(status="chaser")
    client.force_login(caseworker)
    before = stored_files()
    response = client.post(f"/api/v1/cases/{case.pk}/documents/", {"file": upload(EXE, "invoice.pdf")})
    assert response.status_code == 400
    error = api_error(response)
    assert error["code"] == "validation_error"
    assert "MS-DOS executable" in error["fields"]["file"][0]
    assert not Document.objects.exists()
    assert stored_files() == before


def test_a_too_large_upload_through_the_api_names_the_limit(client, caseworker, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    client.force_login(caseworker)
    content = PDF + b" " * (2100 - len(PDF))
    response = client.post(f"/api/v1/cases/{tenant_case().pk}/documents/", {"file": upload(content, "a.pdf")})
    assert response.status_code == 400
    assert api_error(response)["fields"]["file"] == ["This file is 2.1 KB; files can be at most 1 KB."]


def test_an_upload_to_a_closed_case_through_the_api_is_a_409(client, caseworker):
    case = tenant_case(status="closed", closure_stage="paid")
    client.force_login(caseworker)
    response = client.post(f"/api/v1/cases/{case.pk}/documents/", {"file": upload(PDF, "a.pdf")})
    assert response.status_code == 409
    assert api_error(response)["code"] == "conflict"
    assert not Document.objects.exists()


def test_an_upload_without_a_file_is_a_400(client, caseworker):
    client.force_login(caseworker)
    response = client.post(f"/api/v1/cases/{tenant_case().pk}/documents/", {"category": "other"})
    assert response.status_code == 400
    assert "file" in api_error(response)["fields"]


def test_the_applicant_lists_and_uploads_on_their_own_case_through_the_api(client, caseworker):
    landlord = make_applicant(User.Kind.LANDLORD)
    case = landlord_case(status="payment", applicant=landlord)
    document_on(case, caseworker, name="staff-letter.pdf")
    client.force_login(landlord)
    response = client.post(
        f"/api/v1/cases/{case.pk}/documents/", {"file": upload(PDF, "deed.pdf"), "category": "ownership"}
    )
    assert response.status_code == 201, response.content
    listed = client.get(f"/api/v1/cases/{case.pk}/documents/")
    assert listed.status_code == 200
    assert [d["original_name"] for d in listed.json()["results"]] == ["deed.pdf", "staff-letter.pdf"]
    case.refresh_from_db()
    assert case.status == "payment"


def test_another_applicant_gets_404_for_the_list_and_the_upload(client, caseworker):
    case = tenant_case(status="chaser", applicant=make_applicant())
    document_on(case, caseworker)
    client.force_login(make_applicant())
    assert client.get(f"/api/v1/cases/{case.pk}/documents/").status_code == 404
    response = client.post(f"/api/v1/cases/{case.pk}/documents/", {"file": upload(PDF, "x.pdf")})
    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"
    assert Document.objects.count() == 1


def test_anonymous_visitors_get_401_from_the_documents_api(client):
    case = tenant_case()
    assert client.get(f"/api/v1/cases/{case.pk}/documents/").status_code == 401
    assert client.post(f"/api/v1/cases/{case.pk}/documents/", {"file": upload(PDF, "x.pdf")}).status_code == 401
    assert not Document.objects.exists()


# --- download ------------------------------------------------------------------------------


@pytest.fixture
def tenant():
    return make_applicant(User.Kind.TENANT)


@pytest.fixture
def document(caseworker, tenant):
    return document_on(
        tenant_case(status="chaser", applicant=tenant), caseworker, content=docx_bytes(), name="Décision letter.docx"
    )


def _download_urls(document):
    return [f"/api/v1/documents/{document.pk}/download/", f"/documents/{document.pk}/download/"]


def _assert_is_the_file(response, document):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == docx_bytes()
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''D%C3%A9cision%20letter.docx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("which", [0, 1], ids=["api", "page"])
def test_staff_download_the_file(client, caseworker, document, which):
    client.force_login(caseworker)
    _assert_is_the_file(client.get(_download_urls(document)[which]), document)


@pytest.mark.parametrize("which", [0, 1], ids=["api", "page"])
def test_the_cases_applicant_downloads_the_file(client, tenant, document, which):
    client.force_login(tenant)
    _assert_is_the_file(client.get(_download_urls(document)[which]), document)


def test_asking_for_the_files_own_type_is_not_refused(client, caseworker, document):
    client.force_login(caseworker)
    response = client.get(_download_urls(document)[0], HTTP_ACCEPT=DOCX)
    _assert_is_the_file(response, document)


@pytest.mark.parametrize("which", [0, 1], ids=["api", "page"])
def test_another_applicant_gets_404(client, document, which):
    client.force_login(make_applicant(User.Kind.LANDLORD))
    response = client.get(_download_urls(document)[which])
    assert response.status_code == 404
    assert not response.content.startswith(b"PK")  # not the file (a .docx is a zip); the page may hold "PK" by chance


def test_a_missing_document_is_the_same_404(client, tenant, document):
    client.force_login(tenant)
    other = client.get(f"/api/v1/documents/{document.pk + 1000}/download/")
    assert other.status_code == 404
    assert api_error(other) == {"code": "not_found", "message": "There is no such document.", "fields": {}}


def test_anonymous_visitors_get_401_from_the_api_and_are_sent_to_sign_in_by_the_page(client, document):
    api, page = _download_urls(document)
    response = client.get(api)
    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_someone_granted_view_of_the_case_may_download(client, document):
    from guardian.shortcuts import assign_perm

    advocate = make_applicant(User.Kind.ADVOCATE)
    assign_perm("casework.view_case", advocate, document.case)
    client.force_login(advocate)
    assert client.get(_download_urls(document)[0]).status_code == 200
    # Seeing a case is not working on it: no uploads.
    response = client.post(f"/api/v1/cases/{document.case.pk}/documents/", {"file": upload(PDF, "x.pdf")})
    assert response.status_code == 403


def test_a_closed_case_documents_are_still_downloadable(client, caseworker, tenant):
    case = tenant_case(status="chaser", applicant=tenant)
    document = document_on(case, caseworker)
    Case.objects.filter(pk=case.pk).update(status="closed", closure_stage="paid", closed_at=case.created_at)
    client.force_login(tenant)
    assert client.get(_download_urls(document)[0]).status_code == 200


# --- admin ---------------------------------------------------------------------------------


def test_the_document_admin_is_read_only_with_a_download_link(client, supervisor, document):
    client.force_login(supervisor)
    listing = client.get("/admin/casework/document/")
    assert listing.status_code == 200
    assert f'href="/documents/{document.pk}/download/"'.encode() in listing.content
    detail = client.get(f"/admin/casework/document/{document.pk}/change/")
    assert detail.status_code == 200
    assert b'name="original_name"' not in detail.content  # read-only: no form inputs
    assert client.get("/admin/casework/document/add/").status_code == 403
    assert client.post(f"/admin/casework/document/{document.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
