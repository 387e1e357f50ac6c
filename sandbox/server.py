"""The sandbox server's WSGI application: Django with sandbox.urls as URLconf and its own middleware.

It does not use the portal's middleware (no sessions, auth or CSRF cookie: the portal runs on another port of
the same host and cookies are not port-specific). `runsandbox` serves it with Django's threaded WSGI server;
the pytest fixture (sandbox.testing) serves the same application from a live server thread.
"""

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.utils.module_loading import import_string

from . import providers
from .concurrency import serial

URLCONF = "sandbox.urls"
MIDDLEWARE = [
    # Stylesheets and icons of its error pages (the portal's error_base.html), as the portal serves them; first,
    # so that static files are neither counted nor logged as provider traffic.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sandbox.traffic.TrafficMiddleware",
    "sandbox.xero.paths.CaseInsensitivePathMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "sandbox.middleware.SameOriginMiddleware",
    "sandbox.middleware.FailureInjectionMiddleware",
]


class SandboxHandler(WSGIHandler):
    """Django's WSGI handler with the sandbox's URLconf and middleware list."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(MIDDLEWARE):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler

    def get_response(self, request):
        request.urlconf = URLCONF  # Django resolves (and reverses) with it for this request
        return super().get_response(request)


class ContentTypeAsSent:
    """Mixin for a wsgiref request handler (Django's): a request sent without a Content-Type gets none in the
    WSGI environ. wsgiref fills in `text/plain` then, so an emulator view and the traffic log would see a media
    type the client never sent (Zoho's own SDK posts its JSON bodies without one)."""

    def get_environ(self):
        environ = super().get_environ()
        if self.headers.get("content-type") is None:
            environ.pop("CONTENT_TYPE", None)
        return environ


def store_is_sqlite() -> bool:
    return connections["sandbox"].vendor == "sqlite"


class SandboxApplication:
    """WSGI callable: serialises Django's work when the store is SQLite (see sandbox.concurrency).

    A request is counted in flight from its arrival (before it may wait for the SQLite lock) to its answer:
    the provider's `in_flight` hook names the registry and key, the count on arrival goes to
    environ["sandbox.in_flight_count"], and the emulator decides inside Django whether it is over its limit.
    """

    def __init__(self):
        self.handler = SandboxHandler()
        serial.enabled = serial.enabled or store_is_sqlite()

    def __call__(self, environ, start_response):
        claim = providers.in_flight_claim(environ)
        if claim is not None:
            registry, key = claim
            environ["sandbox.in_flight_count"] = registry.arrive(key)
        try:
            with serial.hold():
                return self.handler(environ, start_response)
        finally:
            if claim is not None:
                registry.leave(key)


def get_application() -> SandboxApplication:
    settings.ALLOWED_HOSTS  # noqa: B018 (touch settings so misconfiguration fails here)
    return SandboxApplication()
