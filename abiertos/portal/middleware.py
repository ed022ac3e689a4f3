"""Map domain errors raised by page views to HTML responses, in one place."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from abiertos.accounts.permissions import Unauthenticated
from abiertos.core.errors import DomainError, NotFound, PermissionDenied


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, Unauthenticated):
            # A visitor who is not signed in is asked to sign in, then brought back.
            return redirect_to_login(request.get_full_path())
        if isinstance(exception, NotFound):
            template = "errors/404.html"
        elif isinstance(exception, PermissionDenied):
            template = "errors/403.html"
        else:
            template = "errors/400.html"
        return render(request, template, {"error": exception}, status=exception.http_status)
