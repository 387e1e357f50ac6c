"""Root URLconf of the sandbox server (owned by the sandbox core; includes each emulator)."""

from django.urls import include, path

urlpatterns = [
    path("xero/", include("sandbox.xero.urls")),
    path("zoho/", include("sandbox.zoho.urls")),
]
