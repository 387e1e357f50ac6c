"""Control endpoints of the Xero emulator, under /_sandbox/xero/."""

from django.urls import path

from . import control_views

app_name = "sandbox_xero_control"

urlpatterns = [
    path("webhooks/intent", control_views.intent, name="webhook_intent"),
    path("webhooks/deliveries", control_views.deliveries, name="webhook_deliveries"),
]
