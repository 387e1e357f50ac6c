"""Read-only admin for operators (superusers); customers use the Audit page, scoped to their organisation."""

from django.contrib import admin

from .models import AlertState, AuditEntry, ResyncBatch, ResyncRequest


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organisation", "module", "record_name", "direction", "trigger", "status")
    list_filter = ("status", "module", "direction", "trigger")
    search_fields = ("record_name", "zoho_id", "xero_id")
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation", "resync_of")
    show_full_result_count = False  # no COUNT(*) over a million rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlertState)
class AlertStateAdmin(admin.ModelAdmin):
    list_display = ("organisation", "kind", "last_sent_at")
    list_select_related = ("organisation",)


@admin.register(ResyncRequest)
class ResyncRequestAdmin(admin.ModelAdmin):
    """Resyncs asked for; an operator may see one stuck in "running" (its claim is taken again after the lease)."""

    list_display = ("created_at", "organisation", "record_key", "status", "attempts", "batch")
    list_filter = ("status",)
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation", "entry", "batch", "result", "requested_by")
    show_full_result_count = False


@admin.register(ResyncBatch)
class ResyncBatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organisation", "status", "scanned", "queued", "skipped", "limit_reached")
    list_filter = ("status",)
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation", "requested_by")
