"""Sandbox middleware: failure injection before an API call is processed, and the UI's origin check."""

from urllib.parse import urlsplit

from django.http import HttpResponseForbidden
from django.utils.translation import gettext as _

from . import config, providers


class FailureInjectionMiddleware:
    """Replace a configured fraction of API calls by 429 or 500, before the view runs (nothing changes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "sandbox_api", False):
            return None
        provider = providers.for_path(request.path_info)
        if provider is None:
            return None
        status = config.injected_failure(provider)
        if status is None:
            return None
        request.sandbox_tenant = providers.tenant_of(request, provider)
        response = providers.failure_response(request, provider, status)
        response["X-Sandbox-Injected"] = str(status)
        return response


class SameOriginMiddleware:
    """CSRF protection for the sandbox's own forms without cookies shared with the portal.

    The sandbox cannot use Django's CSRF cookie (the portal on another port of the same host would share it),
    so an unsafe request to a view that is not csrf_exempt must carry an Origin (or Referer) of this host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or getattr(view_func, "csrf_exempt", False):
            return None
        source = request.headers.get("Origin") or request.headers.get("Referer") or ""
        if source and source != "null":
            parts = urlsplit(source)
            if parts.netloc == request.get_host():
                return None
        return HttpResponseForbidden(_("This form must be sent from the sandbox's own pages."))
