"""What the sandbox core asks of the Zoho emulator: its configuration keys, the tenant of a request,
the body of an injected failure, and forgetting in-memory state on reset."""

from django.http import JsonResponse

from .errors import error_body
from .models import AccessToken, token_hash

# Keys under `zoho.` (sandbox.config); the core documents edition, concurrency and daily_credits.
CONFIG_DEFAULTS = {
    "sub_concurrency": 10,  # heavy calls in flight (COQL, writes of more than 10 records)
    "access_token_lifetime": 3600,  # seconds (expires_in)
    "code_lifetime": 120,  # seconds a grant code stays usable (single use)
    "token_rate_limit": 10,  # access tokens per refresh token ...
    "token_rate_window": 600,  # ... in this many seconds
    "max_active_access_tokens": 10,  # per refresh token; the oldest is invalidated beyond it
    "max_refresh_tokens": 20,  # per user; the 21st deletes the oldest
    "page_token_lifetime": 86400,  # seconds a page_token stays valid
    "notify_timeout": 10,  # seconds to wait for a notify_url
    # The bulk read paths (Bulk Read API, GET /Invoiced_Items, COQL from Invoiced_Items); False answers as an
    # edition without them would (README "Bulk read paths").
    "bulk_read_paths": True,
    "bulk_read_page_size": 200_000,  # records per bulk read job page
    "bulk_read_seconds": 0,  # seconds (sandbox clock) before a polled job can complete
    "bulk_read_credits": 50,  # credits a bulk read job costs when created
}


def tenant_of(request) -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Zoho-oauthtoken "):
        return ""
    token = AccessToken.objects.filter(token_hash=token_hash(header.split(" ", 1)[1].strip())).select_related(
        "user__org").first()
    return str(token.user.org.zid) if token else ""


def failure_response(request, status: int) -> JsonResponse:
    if status == 429:
        body = error_body("TOO_MANY_REQUESTS", "The concurrency limit has been exceeded. Please try again later.")
    else:
        body = error_body("INTERNAL_ERROR", "Internal server error occurred.")
    return JsonResponse(body, status=status)


def on_reset() -> None:
    from . import bulk, limits, notify

    limits.reset()
    notify.forget_deliveries()
    bulk.forget()
