"""/_sandbox/xero/...: trigger the webhook intent-to-receive check, list recent deliveries."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import webhooks


@csrf_exempt
@require_POST
def intent(request):
    """Send a correctly and an incorrectly signed empty payload; report whether the receiver said 200 and 401."""
    return JsonResponse(webhooks.intent_to_receive())


@csrf_exempt
@require_GET
def deliveries(request):
    if request.GET.get("wait"):
        webhooks.wait_for_deliveries()
    return JsonResponse({"url": webhooks.webhook_url(), "deliveries": list(webhooks.deliveries)})
