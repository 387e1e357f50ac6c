from django.urls import path

from . import views, views_triggers
from .readiness import views as readiness_views

app_name = "sync"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/<uuid:pk>/", views.settings_for, name="settings_for"),
    path("ready/", readiness_views.ready_page, name="ready"),
    path("ready/<uuid:pk>/", readiness_views.ready_for, name="ready_for"),
    path("settings/keys/<slug:purpose>/rotate/", views.rotate_key, name="rotate_key"),
    path("historical/", views_triggers.historical_page, name="historical"),
    path("runs/<uuid:pk>/cancel/", views.cancel_run, name="cancel_run"),
    # Issue 7 (sync triggers)
    path("historical/<uuid:pk>/", views_triggers.historical_job, name="historical_job"),
    path("historical/<uuid:pk>/progress/", views_triggers.historical_progress, name="historical_progress"),
    path("historical/<uuid:pk>/<slug:action>/", views_triggers.historical_control, name="historical_control"),
    path("copy/", views_triggers.copy_page, name="copy"),
    path("copy/<uuid:organisation_id>/", views_triggers.copy_button, name="copy_button"),
    path("notifications/zoho/", views_triggers.zoho_notification, name="zoho_notification"),
    path("hooks/zoho/<uuid:organisation_id>/", views_triggers.zoho_workflow, name="zoho_workflow"),
    path("webhooks/xero/", views_triggers.xero_webhook, name="xero_webhook"),
]
