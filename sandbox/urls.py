"""Root URLconf of the sandbox server (owned by the sandbox core; includes each emulator)."""

from django.urls import include, path

from . import services, views

urlpatterns = [
    path("", views.index, name="sandbox_index"),
    path("counters", views.counters_page, name="sandbox_counters"),
    path("_sandbox/clock", views.clock_control, name="sandbox_clock"),
    path("_sandbox/config", views.config_control, name="sandbox_config"),
    path("_sandbox/counters", views.counters_control, name="sandbox_counters_json"),
    path("_sandbox/counters/reset", views.counters_reset, name="sandbox_counters_reset"),
    path("_sandbox/reset", views.reset_control, name="sandbox_reset"),
    path("_sandbox/xero/", include("sandbox.xero.control_urls")),
    path("xero/", include("sandbox.xero.urls")),
    path("zoho/", include("sandbox.zoho.urls")),
]
# An emulator may add control endpoints of its own under /_sandbox/<provider>/ in <app>/control_urls.py.
if services.optional_module("sandbox.zoho.control_urls") is not None:
    urlpatterns.append(path("_sandbox/zoho/", include("sandbox.zoho.control_urls")))
