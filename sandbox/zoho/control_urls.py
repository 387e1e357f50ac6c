"""Control endpoints of the Zoho emulator, under /_sandbox/zoho/."""

from django.urls import path

from . import control_views

app_name = "sandbox_zoho_control"

urlpatterns = [
    path("notifications/deliveries", control_views.deliveries, name="notification_deliveries"),
    path("activities", control_views.activities, name="activities"),
]
