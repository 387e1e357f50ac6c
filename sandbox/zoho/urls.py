"""Zoho CRM emulator: /zoho/<dc>/accounts (OAuth), /zoho/<dc>/api/crm/v8 (API), /zoho/ui/ (sandbox UI)."""

from django.urls import path, re_path, register_converter

from . import views_accounts, views_api, views_ui
from .oauth import DATA_CENTRES

app_name = "sandbox_zoho"


class DataCentreConverter:
    regex = "|".join(DATA_CENTRES)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DataCentreConverter, "dc")

API = "<dc:dc>/api/crm/v8/"
BULK = "<dc:dc>/api/crm/bulk/v8/"

urlpatterns = [
    path("ui/", views_ui.index, name="ui_index"),
    path("ui/<str:module>/", views_ui.record_list, name="ui_list"),
    path("ui/<str:module>/new/", views_ui.record_create, name="ui_create"),
    path("ui/<str:module>/<int:record_id>/", views_ui.record_edit, name="ui_edit"),
    path("ui/<str:module>/<int:record_id>/delete/", views_ui.record_delete, name="ui_delete"),
    path("<dc:dc>/accounts/oauth/v2/auth", views_accounts.authorize, name="authorize"),
    path("<dc:dc>/accounts/oauth/v2/token", views_accounts.token, name="token"),
    path("<dc:dc>/accounts/oauth/v2/token/revoke", views_accounts.revoke, name="revoke"),
    path(API + "org", views_api.org_view, name="org"),
    path(API + "org/taxes", views_api.taxes_view, name="taxes"),
    path(API + "users", views_api.users_view, name="users"),
    path(API + "users/<str:user_id>", views_api.users_view, name="user"),
    path(API + "settings/fields", views_api.fields_view, name="fields"),
    path(API + "settings/fields/<str:field_id>", views_api.fields_view, name="field"),
    path(API + "settings/modules", views_api.modules_view, name="modules"),
    path(API + "settings/modules/<str:api_name>", views_api.modules_view, name="module"),
    path(API + "coql", views_api.coql_view, name="coql"),
    path(API + "actions/watch", views_api.watch_view, name="watch"),
    path(API + "<str:module>/actions/count", views_api.count, name="count"),
    path(API + "<str:module>/upsert", views_api.upsert, name="upsert"),
    path(API + "<str:module>/deleted", views_api.deleted, name="deleted"),
    path(API + "<str:module>/search", views_api.search, name="search"),
    path(API + "<str:module>/<str:record_id>", views_api.detail, name="record"),
    path(API + "<str:module>", views_api.collection, name="records"),
    path(BULK + "read", views_api.bulk_read_create, name="bulk_read"),
    path(BULK + "read/<str:job_id>", views_api.bulk_read_job, name="bulk_read_job"),
    path(BULK + "read/<str:job_id>/result", views_api.bulk_read_result, name="bulk_read_result"),
    re_path(r"^(?P<dc>" + DataCentreConverter.regex + r")/api/(?P<rest>.*)$", views_api.not_found),
    re_path(r"^(?!ui/)(?P<rest>.*)$", views_api.not_found),  # other data centres, accounts paths, typos
]
