"""An applicant sees only their own applications, documents and messages, whatever URL or id they
try (issue 9's security section).

Every URL the project serves is discovered from the URL configuration, so a page or endpoint
added later is covered without editing this file; one with a parameter this file does not know
fails the test until someone says which of tenant B's objects it should be tried with. Tenant A,
signed in, asks for each of tenant B's things by every portal URL, the document download and
every API route, reading (GET) and writing (POST): each must be refused as if it did not exist
(404) or forbidden (403), never served, and B's things must be unchanged afterwards. The pages
and lists A may see never mention B's application number, document or message. Staff pages and
the admin refuse an applicant's session outright.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from casework.models import Appointment, Case, CaseOrganisation, ClosureStage, Document, Workflow
from casework.services import cases as case_services
from casework.services import documents as document_services
from casework.services.document_requests import document_request_create
from communications import services as communications
from communications.models import Message
from core.models import User
from portal.services import advocates as advocate_services
from portal.services import applications as application_services
from portal.services import landlord_applications as landlord_application_services
from tests.casework.factories import CaseTypeFactory, OrganisationFactory
from tests.casework.factories_docs import PDF, AppointmentFactory
from tests.portal.factories import make_applicant
from tests.portal.landlord_helpers import make_landlord

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # the route as written, for messages
    params: tuple[str, ...]


def _routes(patterns=None, prefix: str = "", namespace: str = "", params: tuple[str, ...] = ()) -> list[Route]:
    routes: list[Route] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        own = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace and namespace else entry.namespace or namespace
            routes += _routes(entry.url_patterns, prefix + str(entry.pattern), inner, params + own)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            routes.append(Route(name, prefix + str(entry.pattern), params + own))
    return routes


def routes_under(*prefixes: str) -> list[Route]:
    return [route for route in _routes() if route.path.startswith(prefixes)]


# Account links carry signed tokens, not applications: a forged one is its own test
# (tests/portal/test_accounts.py). Anything else with a parameter must be listed in `targets`.
NOT_ABOUT_APPLICATIONS = {"portal-verify-email-confirm", "portal-password-reset-confirm"}
# The admin's own sign-in and sign-out pages answer anyone (the sign-in page tells a signed-in
# applicant they may not use the admin).
OPEN_TO_ANYONE = {"admin:login", "admin:logout"}


@pytest.fixture
def tenant_a():
    return make_applicant("a@tenant.example", first_name="Alice", last_name="Able")


@pytest.fixture
def tenant_b(db):
    return make_applicant("b@tenant.example", first_name="Bob", last_name="Baker")


@pytest.fixture
def b_things(tenant_b, tenant_a):
    """Tenant B's application (submitted, with a document, a sent email and an appointment), a
    denied application of B's with an appeal, and one application of A's own."""
    tenant_type = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT, code="raft", number_prefix="RAFT")
    CaseTypeFactory(workflow=Workflow.RENTAL_LANDLORD, code="raft-landlord", number_prefix="RAFL")
    CaseTypeFactory(workflow=Workflow.APPEAL, code="appeal", number_prefix="APL")
    case = case_services.application_start(actor=tenant_b, case_type=tenant_type)
    case_services.case_submit(actor=tenant_b, case=case, signed_name="Bob Baker")
    upload = io.BytesIO(PDF)
    upload.name = "bobs-payslip.pdf"
    document = document_services.document_upload(
        actor=tenant_b, case=case, uploaded_file=upload, category=Document.Category.INCOME
    )
    template = communications.template_save(
        actor=None,
        key="isolation-email",
        name="Update",
        channel="email",
        subject="About {{ case.number }}",
        body="Dear {{ recipient.name }}, news about {{ case.number }}.",
    )
    message, _created = communications.message_request(
        actor=None,
        key=f"case-{case.pk}-isolation",
        template=template,
        context={"case.number": case.number, "recipient.name": "Bob Baker", "recipient.email": tenant_b.email},
        regarding=case,
    )
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)
    appointment = AppointmentFactory(case=case)
    link = CaseOrganisation.objects.create(case=case, organisation=OrganisationFactory(), role="landlord")
    denied = case_services.application_start(actor=tenant_b, case_type=tenant_type)
    Case.objects.filter(pk=denied.pk).update(
        status="closed", closure_stage=ClosureStage.DENIED, closed_at=denied.created_at
    )
    appeal = case_services.case_appeal(
        actor=tenant_b, case=Case.objects.get(pk=denied.pk), grounds="Please look again."
    )
    draft = application_services.tenant_application_start(
        actor=tenant_b,
        case_type=tenant_type,
        address_line_1="2 Other Road",
        town="Springfield",
        postcode="02140",
        head_name="Bob Baker",
        head_date_of_birth=datetime.date(1980, 5, 17),
    ).case
    request = document_request_create(actor=None, case=case, category="identity", description="Your passport")
    case_services.application_start(actor=tenant_a, case_type=tenant_type)
    # A landlord's things too: their listed property, the advocate they authorised, their application.
    landlord = make_landlord("lena@landlord.example")
    advocate = make_applicant("ada@advocate.example", kind=User.Kind.ADVOCATE)
    authorisation = advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    landlord_application, _new = landlord_application_services.landlord_application_start(
        actor=landlord, tenant_name="Bob Baker", tenant_email=tenant_b.email
    )
    return {
        "draft": draft,
        "request": request,
        "listed": landlord.landlord_profile.properties.get(),
        "authorisation": authorisation,
        "landlord_case": landlord_application.case,
        "advocate": advocate,
        "case": case,
        "document": document,
        "message": message,
        "appointment": appointment,
        "appeal": appeal,
        "link": link,
        "user": tenant_b,
    }


def targets(things) -> dict[str, list[object]]:
    """For each URL parameter, the values of B's that A tries."""
    case, appeal = things["case"], things["appeal"]
    return {
        "number": [case.number, appeal.number, things["draft"].number, things["landlord_case"].number],
        "case_id": [case.pk, appeal.pk, things["draft"].pk],
        "pk": [case.pk, things["document"].pk, things["appointment"].pk],
        "document_id": [things["document"].pk],
        "message_id": [things["message"].pk],
        "appointment_id": [things["appointment"].pk],
        "link_id": [things["link"].pk],
        "user_id": [things["user"].pk, things["advocate"].pk],
        "request_id": [things["request"].pk],
        "step": ["home", "household"],
        # Staff-only things (offers, rent accounts): refused to any applicant whatever the id.
        "offer_id": [case.pk],
        "account_id": [case.pk],
        "property_id": [things["listed"].pk, things["listed"].property_id],
        "authorisation_id": [things["authorisation"].pk],
        # Payments' staff pages and API (batch files): refused to any applicant whatever the id.
        "kind": ["csv", "ach"],
    }


def _kwargs_for(route: Route, values: dict[str, list[object]]) -> list[dict]:
    missing = [param for param in route.params if param not in values]
    assert not missing, (
        f"{route.name or route.path} takes {missing}: add which of tenant B's objects to try to targets() "
        "in tests/portal/test_isolation.py"
    )
    combos: list[dict] = [{}]
    for param in route.params:
        combos = [{**combo, param: value} for combo in combos for value in values[param]]
    return combos


def _urls(routes: list[Route], values) -> list[str]:
    urls = []
    for route in routes:
        if not route.params or route.name in NOT_ABOUT_APPLICATIONS:
            continue
        assert route.name, f"{route.path} has no name: name it so this test can reach it"
        for kwargs in _kwargs_for(route, values):
            with contextlib.suppress(NoReverseMatch):  # a converter refusing a value (a step it does not take)
                urls.append(reverse(route.name, kwargs=kwargs))
    return urls


def _snapshot(things) -> dict:
    case = Case.objects.get(pk=things["case"].pk)
    return {
        "cases": list(
            Case.objects.filter(applicant__email="b@tenant.example").values_list("pk", "status").order_by("pk")
        ),
        "documents": list(Document.objects.filter(case=case).values_list("pk", "original_name")),
        "messages": list(Message.objects.filter(pk=things["message"].pk).values_list("status", "body")),
        "appointments": list(Appointment.objects.filter(case=case).values_list("pk", "status", "starts_at")),
    }


def test_tenant_a_cannot_reach_tenant_b_by_any_url_or_id(client, tenant_a, b_things):
    client.force_login(tenant_a)
    before = _snapshot(b_things)
    urls = _urls(routes_under("portal/", "documents/"), targets(b_things))
    assert any("/applications/" in url for url in urls)  # the discovery found the application pages
    served = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code not in (403, 404, 405):
                served.append(f"{method.upper()} {url} → {response.status_code}")
    assert not served, "Tenant B's things reached by tenant A:\n" + "\n".join(served)
    assert _snapshot(b_things) == before


def test_the_api_never_serves_tenant_b_to_tenant_a(tenant_a, b_things):
    api = APIClient()
    api.force_authenticate(tenant_a)
    before = _snapshot(b_things)
    served = []
    for url in _urls(routes_under("api/v1/"), targets(b_things)):
        for method in ("get", "post", "patch", "delete"):
            response = getattr(api, method)(url, {}, format="json")
            if response.status_code not in (403, 404, 405):
                served.append(f"{method.upper()} {url} → {response.status_code}")
    assert not served, "Tenant B's things reached through the API by tenant A:\n" + "\n".join(served)
    assert _snapshot(b_things) == before


def _secrets(things) -> list[str]:
    return [
        things["case"].number,
        things["appeal"].number,
        things["draft"].number,
        things["landlord_case"].number,
        things["document"].original_name,
        things["case"].application_code,
    ]


def test_lists_tenant_a_may_see_never_mention_tenant_b(client, tenant_a, b_things):
    client.force_login(tenant_a)
    api = APIClient()
    api.force_authenticate(tenant_a)
    pages = [reverse(route.name) for route in routes_under("portal/") if not route.params and route.name]
    leaks = []
    for url in pages:
        text = client.get(url).content.decode()
        leaks += [f"{url} shows {secret}" for secret in _secrets(b_things) if secret in text]
    for route in routes_under("api/v1/"):
        if route.params or not route.name:
            continue
        response = api.get(reverse(route.name))
        text = response.content.decode()
        leaks += [f"{route.path} shows {secret}" for secret in _secrets(b_things) if secret in text]
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("prefix", ["staff/", "admin/"])
def test_staff_pages_and_the_admin_refuse_an_applicants_session(client, tenant_a, b_things, prefix):
    client.force_login(tenant_a)
    values = targets(b_things) | {
        "object_id": [b_things["case"].pk],
        "app_label": ["casework"],
    }
    served = []
    for route in routes_under(prefix):
        if not route.name or route.name in OPEN_TO_ANYONE:
            continue
        if any(param not in values for param in route.params):
            continue  # the admin's generic routes (e.g. a model's history by object id) take their own
        try:
            url = reverse(route.name, kwargs={param: values[param][0] for param in route.params})
        except NoReverseMatch:
            continue
        response = client.get(url)
        # The admin sends a signed-in non-staff user to its login page; staff pages refuse.
        if response.status_code == 200 or (response.status_code == 302 and "login" not in response.url):
            served.append(f"GET {url} → {response.status_code}")
    assert not served, "Applicant session served:\n" + "\n".join(served)


def test_the_discovery_sees_every_portal_page():
    names = {route.name for route in routes_under("portal/")}
    assert {"portal-home", "portal-account", "portal-register"} <= names
    assert all(re.match(r"^portal-", name) for name in names if name), sorted(names)


def test_the_ids_tried_are_tenant_bs_real_things(client, tenant_b, b_things):
    """The control: the same URLs serve tenant B, so the refusals above are about who asks."""
    client.force_login(tenant_b)
    case, draft = b_things["case"], b_things["draft"]
    own = [
        reverse("portal-application", kwargs={"number": case.number}),
        reverse("portal-application-documents", kwargs={"number": case.number}),
        reverse("portal-application-document", kwargs={"number": case.number, "document_id": b_things["document"].pk}),
        reverse("portal-application-message", kwargs={"number": case.number, "message_id": b_things["message"].pk}),
        reverse("portal-application", kwargs={"number": b_things["appeal"].number}),
        reverse("portal-application-step", kwargs={"number": draft.number, "step": "household"}),
    ]
    assert {url: client.get(url).status_code for url in own} == dict.fromkeys(own, 200)
