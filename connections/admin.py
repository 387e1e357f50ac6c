"""Admin: connection state for support. Token fields are not editable and never shown."""

from django.contrib import admin

from .models import ApiCallCounter, TermsAcceptance, XeroOrganisation, XeroTokenSet, ZohoConnection


@admin.register(XeroTokenSet)
class XeroTokenSetAdmin(admin.ModelAdmin):
    list_display = ("id", "organisation", "status", "expires_at", "last_refreshed_at")
    list_filter = ("status",)
    readonly_fields = ("scopes", "auth_event_id", "expires_at", "last_refreshed_at", "last_error")


@admin.register(XeroOrganisation)
class XeroOrganisationAdmin(admin.ModelAdmin):
    list_display = ("tenant_name", "organisation", "selected", "status", "last_successful_call_at")
    list_filter = ("status", "selected")
    search_fields = ("tenant_name", "tenant_id")


@admin.register(ZohoConnection)
class ZohoConnectionAdmin(admin.ModelAdmin):
    list_display = ("crm_org_name", "organisation", "location", "status", "expires_at")
    list_filter = ("status", "location")
    readonly_fields = ("location", "accounts_server", "api_domain", "scopes", "expires_at", "last_refreshed_at",
                       "last_error")


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("organisation", "user", "version", "accepted_at")


@admin.register(ApiCallCounter)
class ApiCallCounterAdmin(admin.ModelAdmin):
    list_display = ("day", "provider", "external_id", "endpoint", "count", "rate_limited")
    list_filter = ("provider", "day")
