"""/_sandbox/zoho/...: what end-to-end tests of the portal need to see inside the Zoho emulator."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from sandbox import clock

from . import notify
from .ids import is_id
from .models import Activity


@csrf_exempt
@require_GET
def deliveries(request):
    """Recent notification deliveries, newest first; `?wait=1` first waits until none is pending."""
    idle = notify.wait_idle(timeout=float(request.GET.get("timeout", 10))) if request.GET.get("wait") else None
    return JsonResponse({"idle": idle, "deliveries": notify.recent_deliveries()})


@csrf_exempt
@require_GET
def activities(request):
    """Writes with the workflow triggers Zoho would have run (`?record_id=` filters), newest first."""
    rows = Activity.objects.all()
    record_id = request.GET.get("record_id", "")
    if record_id:
        rows = rows.filter(record_zid=int(record_id)) if is_id(record_id) else rows.none()
    return JsonResponse({"now": clock.now().isoformat(), "activities": [
        {"module": row.module, "record_id": str(row.record_zid), "operation": row.operation, "source": row.source,
         "triggers": row.triggers, "at": row.at.isoformat()} for row in rows[:500]]})
