from django.urls import path

from . import oauth_views, views

app_name = "connections"

urlpatterns = [
    path("", views.index, name="index"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("terms/", views.terms, name="terms"),
    path("xero/connect/", oauth_views.xero_connect, name="xero_connect"),
    path("xero/callback/", oauth_views.xero_callback, name="xero_callback"),
    path("xero/organisations/", views.xero_organisations, name="xero_organisations"),
    path("xero/<uuid:pk>/reset/", views.reset_xero, name="reset_xero"),
    path("zoho/connect/", oauth_views.zoho_connect, name="zoho_connect"),
    path("zoho/callback/", oauth_views.zoho_callback, name="zoho_callback"),
    path("zoho/disconnect/", views.disconnect_zoho, name="disconnect_zoho"),
]
