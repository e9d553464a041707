"""Errors become responses in one place, with one JSON shape for the API."""

import django_fsm
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from core import errors
from core.middleware import DomainErrorMiddleware

pytestmark = pytest.mark.django_db


class _Payload(serializers.Serializer):
    email = serializers.EmailField()
    household = serializers.DictField(child=serializers.IntegerField())


def raising_view(exc):
    class View(APIView):
        def post(self, request):
            if exc is None:
                _Payload(data=request.data).is_valid(raise_exception=True)
            raise exc

    return View.as_view()


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.ValidationError(fields={"start_date": ["Must be before the end date."]}), 400, "validation_error"),
        (errors.PermissionDenied("Only supervisors can reassign."), 403, "permission_denied"),
        (errors.NotFound(), 404, "not_found"),
        (errors.Conflict("Already matched."), 409, "conflict"),
        (errors.TransitionNotAllowed(), 409, "transition_not_allowed"),
        (django_fsm.TransitionNotAllowed("no"), 409, "transition_not_allowed"),
        (django_fsm.ConcurrentTransition("changed"), 409, "concurrent_change"),
        (DjangoValidationError({"email": ["Enter a valid email address."]}), 400, "validation_error"),
        (RuntimeError("a bug"), 500, "server_error"),
    ],
)
def test_api_errors_share_one_shape(caseworker, exc, status, code):
    request = APIRequestFactory().post("/api/v1/x/", {}, format="json")
    force_authenticate(request, caseworker)
    response = raising_view(exc)(request)
    assert response.status_code == status
    assert set(response.data["error"]) == {"code", "message", "fields"}
    assert response.data["error"]["code"] == code
    if code == "server_error":
        assert "a bug" not in response.data["error"]["message"]  # internals are logged, not shown


def test_serializer_errors_become_field_messages(caseworker):
    request = APIRequestFactory().post("/api/v1/x/", {"email": "nope", "household": {"size": "x"}}, format="json")
    force_authenticate(request, caseworker)
    response = raising_view(None)(request)
    assert response.status_code == 400
    fields = response.data["error"]["fields"]
    assert fields["email"] == ["Enter a valid email address."]
    assert fields["household.size"] == ["A valid integer is required."]


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_html_views_render_domain_errors_with_their_status(rf: RequestFactory, caseworker):
    request = rf.get("/staff/cases/1/")
    request.user = caseworker
    middleware = DomainErrorMiddleware(lambda r: HttpResponse())
    response = middleware.process_exception(request, errors.Conflict("This case was already matched by someone else."))
    assert response.status_code == 409
    assert b"already matched by someone else" in response.content
    assert middleware.process_exception(request, KeyError("bug")) is None  # left to Django's 500 handling
