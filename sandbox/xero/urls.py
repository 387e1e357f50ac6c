"""The Xero emulator under /xero/: login (authorize), identity (token, revocation), connections, api.xro/2.0."""

from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import oauth_views, views

app_name = "sandbox_xero"

API = "api.xro/2.0/"

urlpatterns = [
    path("login/identity/connect/authorize", oauth_views.authorize, name="authorize"),
    path("identity/connect/token", oauth_views.token, name="token"),
    path("identity/connect/revocation", oauth_views.revocation, name="revocation"),
    path("connections", oauth_views.connections, name="connections"),
    path("connections/<uuid:connection_id>", oauth_views.connection_detail, name="connection"),
    path(API + "Contacts", views.contacts_collection, name="contacts"),
    path(API + "Contacts/<str:ident>", views.contact_detail, name="contact"),
    path(API + "Items", views.items_collection, name="items"),
    path(API + "Items/<str:ident>", views.item_detail, name="item"),
    path(API + "Accounts", views.accounts_collection, name="accounts"),
    path(API + "Accounts/<uuid:account_id>", views.account_detail, name="account"),
    path(API + "TaxRates", views.tax_rates, name="tax_rates"),
    path(API + "TaxRates/<str:tax_type>", views.tax_rate_detail, name="tax_rate"),
    path(API + "Currencies", views.currencies, name="currencies"),
    path(API + "Organisation", views.organisation, name="organisation"),
    path(API + "Invoices", views.invoices_collection, name="invoices"),
    path(API + "Invoices/<str:ident>", views.invoice_detail, name="invoice"),
    path(API + "Payments", views.payments_collection, name="payments"),
    path(API + "Payments/<uuid:payment_id>", views.payment_detail, name="payment"),
    path("ui/", include("sandbox.xero.ui_urls")),
    # Any other API path: Xero's plain-text 404 instead of Django's HTML page.
    re_path(r"^(?:api\.xro/2\.0|connections)(?:/.*)?$", csrf_exempt(views.unknown_endpoint), name="unknown"),
]
