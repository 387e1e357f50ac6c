"""Xero access tokens: read fresh ones, refresh one at a time per token set across every worker.

Xero refresh tokens are single use. The refresh runs under SELECT ... FOR UPDATE on the token set row
and the rotated pair is saved in that same transaction, so a second worker waits for the lock, then
sees the fresh token and does not refresh again.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ... import conf
from ...counters import record_call
from ...exceptions import AuthRevoked
from ...models import Status, XeroTokenSet
from .adapter import XeroAdapter


def _is_stale(token_set: XeroTokenSet) -> bool:
    margin = timedelta(seconds=conf.get("TOKEN_REFRESH_MARGIN_SECONDS"))
    return not token_set.access_token or token_set.expires_at is None or token_set.expires_at <= timezone.now() + margin


def access_token(token_set_id, *, adapter: XeroAdapter | None = None) -> str:
    """A valid access token for the token set, refreshing it first when it expires within the margin."""
    return access_token_and_expiry(token_set_id, adapter=adapter)[0]


def access_token_and_expiry(token_set_id, *, adapter: XeroAdapter | None = None) -> tuple[str, datetime | None]:
    """(access_token(), its expiry): what a client keeps in memory until shortly before the expiry."""
    token_set = XeroTokenSet.objects.get(pk=token_set_id)
    if token_set.status == Status.RECONNECT_NEEDED:
        raise AuthRevoked(token_set.last_error or "reconnect needed", provider="xero")
    if not _is_stale(token_set):
        return token_set.access_token, token_set.expires_at
    token = refresh(token_set_id, adapter=adapter)
    return token, XeroTokenSet.objects.filter(pk=token_set_id).values_list("expires_at", flat=True).first()


def refresh(token_set_id, *, failed_access_token: str | None = None, adapter: XeroAdapter | None = None,
            force: bool = False) -> str:
    """Refresh under the row lock unless another worker already did.

    `failed_access_token`: the token a 401 rejected; we refresh only if the row still holds it.
    `force`: refresh even if the token looks fresh (the Beat task keeping idle refresh tokens alive).
    """
    adapter = adapter or XeroAdapter()
    revoked: AuthRevoked | None = None
    with transaction.atomic():
        token_set = XeroTokenSet.objects.select_for_update().get(pk=token_set_id)
        if token_set.status == Status.RECONNECT_NEEDED:
            raise AuthRevoked(token_set.last_error or "reconnect needed", provider="xero")
        still_rejected = failed_access_token is not None and token_set.access_token == failed_access_token
        if not (force or still_rejected or _is_stale(token_set)):
            return token_set.access_token
        record_call(organisation_id=token_set.organisation_id, provider="xero", external_id="",
                    endpoint="POST oauth/token (refresh)")
        try:
            token = adapter.refresh(token_set.refresh_token)
        except AuthRevoked as error:
            revoked = error
        else:
            token_set.access_token = token["access_token"]
            token_set.refresh_token = token.get("refresh_token") or token_set.refresh_token
            token_set.expires_at = token["expires_at"]
            if token.get("scope"):
                token_set.scopes = token["scope"]
            token_set.last_refreshed_at = timezone.now()
            token_set.last_error = ""
            token_set.save(update_fields=["access_token", "refresh_token", "expires_at", "scopes",
                                          "last_refreshed_at", "last_error"])
            return token_set.access_token
    from ...services import mark_reconnect_needed

    mark_reconnect_needed(XeroTokenSet.objects.get(pk=token_set_id), reason=revoked.detail)
    raise revoked
