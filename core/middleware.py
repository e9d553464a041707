import django_fsm
from django.shortcuts import render

from core.errors import DomainError, describe
from core.views import json_error


class DomainErrorMiddleware:
    """Turns a broken business rule raised in an HTML view into a page with the right status.
    (The API has its own handler, core.api.exceptions, with the same descriptions.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (DomainError, django_fsm.TransitionNotAllowed)):
            return None  # Django's own 403/404/500 handling applies
        description = describe(exception)
        if request.path.startswith("/api/"):
            return json_error(description)
        return render(request, "error.html", {"error": description}, status=description.status)
