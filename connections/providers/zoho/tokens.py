"""Zoho access tokens: kept (encrypted) on the connection row until shortly before they expire, so the
10-refreshes-per-10-minutes budget is never approached; refreshed one at a time under a row lock."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ... import conf
from ...counters import record_call
from ...exceptions import AuthRevoked
from ...models import Status, ZohoConnection
from .adapter import ZohoAdapter


def _is_stale(connection: ZohoConnection) -> bool:
    margin = timedelta(seconds=conf.get("TOKEN_REFRESH_MARGIN_SECONDS"))
    return not connection.access_token or connection.expires_at is None or connection.expires_at <= timezone.now() + margin


def access_token(connection_id, *, adapter: ZohoAdapter | None = None) -> str:
    return access_token_and_expiry(connection_id, adapter=adapter)[0]


def access_token_and_expiry(connection_id, *, adapter: ZohoAdapter | None = None) -> tuple[str, datetime | None]:
    """(access_token(), its expiry): what a client keeps in memory until shortly before the expiry."""
    connection = ZohoConnection.objects.get(pk=connection_id)
    if connection.status == Status.RECONNECT_NEEDED:
        raise AuthRevoked(connection.last_error or "reconnect needed", provider="zoho")
    if not _is_stale(connection):
        return connection.access_token, connection.expires_at
    token = refresh(connection_id, adapter=adapter)
    return token, ZohoConnection.objects.filter(pk=connection_id).values_list("expires_at", flat=True).first()


def refresh(connection_id, *, failed_access_token: str | None = None, adapter: ZohoAdapter | None = None) -> str:
    adapter = adapter or ZohoAdapter()
    revoked: AuthRevoked | None = None
    with transaction.atomic():
        connection = ZohoConnection.objects.select_for_update().get(pk=connection_id)
        if connection.status == Status.RECONNECT_NEEDED:
            raise AuthRevoked(connection.last_error or "reconnect needed", provider="zoho")
        still_rejected = failed_access_token is not None and connection.access_token == failed_access_token
        if not (still_rejected or _is_stale(connection)):
            return connection.access_token
        record_call(organisation_id=connection.organisation_id, provider="zoho", external_id=connection.crm_org_id,
                    endpoint="POST oauth/token (refresh)")
        try:
            token = adapter.refresh(accounts_server=connection.accounts_server, refresh_token=connection.refresh_token)
        except AuthRevoked as error:
            revoked = error
        else:
            connection.access_token = token["access_token"]
            connection.expires_at = token["expires_at"]
            if token.get("api_domain"):
                connection.api_domain = adapter.checked_api_domain(connection.location, token["api_domain"])
            connection.last_refreshed_at = timezone.now()
            connection.last_error = ""
            connection.save(update_fields=["access_token", "expires_at", "api_domain", "last_refreshed_at",
                                           "last_error"])
            return connection.access_token
    from ...services import mark_reconnect_needed

    mark_reconnect_needed(ZohoConnection.objects.get(pk=connection_id), reason=revoked.detail)
    raise revoked
