from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health
from core.errors import ErrorDescription
from core.permissions import is_staff_member


def json_error(description: ErrorDescription) -> JsonResponse:
    return JsonResponse(description.as_body(), status=description.status)


@require_GET
def home(request):
    return render(request, "home.html", {"is_staff_member": is_staff_member(request.user)})


@never_cache
@require_GET
def healthz(request):
    healthy, body = health.run_checks()
    return JsonResponse(body, status=200 if healthy else 503)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_error(ErrorDescription(404, "not_found", "There is no such API endpoint."))
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_error(
            ErrorDescription(500, "server_error", "Something went wrong on our side; it has been logged.")
        )
    return render(request, "500.html", status=500)
