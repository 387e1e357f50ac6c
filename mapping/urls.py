from django.urls import path

from . import views, views_taxes

app_name = "mapping"

urlpatterns = [
    path("", views.index, name="index"),
    path("zoho-fields/refresh/", views.refresh_zoho_fields, name="refresh_zoho_fields"),
    path("export/", views.export, name="export"),
    path("import/", views.import_view, name="import"),
    path("taxes/", views_taxes.tax_mapping, name="taxes"),
    path("taxes/refresh/", views_taxes.refresh_taxes, name="refresh_taxes"),
    path("xero-accounts/", views_taxes.accounts, name="accounts"),
    path("<slug:module_key>/<slug:direction_slug>/", views.editor, name="editor"),
]
