"""OAuth 2.0 of the Xero emulator: the registered app, codes, token rotation, revocation, connections."""

import base64
import datetime
import hashlib
import hmac
import json
import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from sandbox import clock, config

from .models import AccessToken, AuthCode, Connection, Grant, RefreshToken

CLIENT_ID = "sandbox-xero-client"
CLIENT_SECRET = "sandbox-xero-secret"
CALLBACK_PATH = "/connections/xero/callback/"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

IDENTITY_SCOPES = {"openid", "profile", "email", "offline_access"}
GRANULAR_SCOPES = {
    "accounting.contacts", "accounting.contacts.read", "accounting.settings", "accounting.settings.read",
    "accounting.invoices", "accounting.invoices.read", "accounting.payments", "accounting.payments.read",
    "accounting.banktransactions", "accounting.banktransactions.read", "accounting.manualjournals",
    "accounting.manualjournals.read", "accounting.attachments", "accounting.attachments.read",
    "accounting.journals.read", "accounting.budgets.read", "accounting.reports.tenninetynine.read",
}
# Apps created on or after 2 March 2026 cannot request these (xero.md §1); config xero.legacy_scopes allows them.
LEGACY_SCOPES = {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read"}

# Scopes that open each API area: (read, write).
API_SCOPES = {
    "contacts": ({"accounting.contacts", "accounting.contacts.read"}, {"accounting.contacts"}),
    "settings": ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"}),
    "items": ({"accounting.settings", "accounting.settings.read", "accounting.invoices", "accounting.invoices.read",
               "accounting.transactions", "accounting.transactions.read"},
              {"accounting.settings", "accounting.invoices", "accounting.transactions"}),
    "invoices": ({"accounting.invoices", "accounting.invoices.read", "accounting.transactions",
                  "accounting.transactions.read"}, {"accounting.invoices", "accounting.transactions"}),
    "payments": ({"accounting.payments", "accounting.payments.read", "accounting.transactions",
                  "accounting.transactions.read"}, {"accounting.payments", "accounting.transactions"}),
}


class OAuthError(Exception):
    def __init__(self, error: str, description: str = "", status: int = 400):
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


def redirect_uri_allowed(uri: str) -> bool:
    """The portal's callback on a loopback host (any port: live test servers) or at PORTAL_BASE_URL."""
    if not uri:
        return False
    if uri == f"{settings.PORTAL_BASE_URL}{CALLBACK_PATH}":
        return True
    parts = urlsplit(uri)
    return (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS | {"::1"}
            and parts.path == CALLBACK_PATH and not parts.query and not parts.fragment)


def check_scopes(scope: str) -> list[str]:
    scopes = [s for s in (scope or "").split() if s]
    if not scopes:
        raise OAuthError("invalid_scope", "No scope was requested")
    allowed = IDENTITY_SCOPES | GRANULAR_SCOPES
    if config.get("xero.legacy_scopes", False):
        allowed |= LEGACY_SCOPES
    unknown = [s for s in scopes if s not in allowed]
    if unknown:
        raise OAuthError("invalid_scope", f"Unsupported scope: {' '.join(unknown)}")
    return scopes


def client_from_basic(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def authenticate_client(header: str, form=None) -> None:
    """HTTP Basic (client_secret_basic) or client_id and client_secret in the form (client_secret_post).

    Xero's own SDKs authenticate both ways (xero-python posts the secret in the form, xero.md §1 names Basic),
    so both are accepted; a request that uses both methods at once is refused (RFC 6749 §2.3)."""
    form = form if form is not None else {}
    credentials = client_from_basic(header or "")
    posted = form.get("client_secret")
    if credentials is not None and posted:
        raise OAuthError("invalid_request", "Use one client authentication method, not two")
    if credentials is None and posted:
        credentials = (form.get("client_id", ""), posted)
    if credentials is None:
        raise OAuthError("invalid_client", "Client authentication is required (HTTP Basic or client_secret_post)")
    client_id, secret = credentials
    if not (hmac.compare_digest(client_id, CLIENT_ID) and hmac.compare_digest(secret, CLIENT_SECRET)):
        raise OAuthError("invalid_client", "Invalid client credentials")


def _token() -> str:
    return secrets.token_urlsafe(32)


def issue_code(*, user, organisations, scopes, redirect_uri, code_challenge) -> str:
    """After consent: connect the ticked organisations and return a single-use code."""
    now = clock.now()
    auth_event = uuid.uuid4()
    with transaction.atomic(using="sandbox"):
        grant = Grant.objects.create(user=user, client_id=CLIENT_ID, scopes=" ".join(scopes), created_at=now)
        for organisation in organisations:
            connection, created = Connection.objects.get_or_create(
                user=user, organisation=organisation, client_id=CLIENT_ID,
                defaults={"auth_event_id": auth_event, "created_at": now, "updated_at": now})
            if not created:
                connection.auth_event_id, connection.updated_at = auth_event, now
                connection.save(update_fields=["auth_event_id", "updated_at"])
        code = _token()
        AuthCode.objects.create(code=code, grant=grant, redirect_uri=redirect_uri, code_challenge=code_challenge,
                                auth_event_id=auth_event, created_at=now)
    return code


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def _token_response(grant: Grant, *, with_refresh: bool, request_host: str) -> dict:
    now = clock.now()
    lifetime = int(config.get("xero.access_token_lifetime", 1800))
    access = AccessToken.objects.create(token=_token(), grant=grant, created_at=now,
                                        expires_at=now + datetime.timedelta(seconds=lifetime))
    payload = {"access_token": access.token, "expires_in": lifetime, "token_type": "Bearer",
               "scope": grant.scopes}
    scopes = grant.scopes.split()
    if with_refresh and "offline_access" in scopes:
        refresh = RefreshToken.objects.create(token=_token(), grant=grant, created_at=now)
        payload["refresh_token"] = refresh.token
    if "openid" in scopes:
        payload["id_token"] = id_token(grant, now, request_host)
    return payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def id_token(grant: Grant, now, issuer: str) -> str:
    """An OpenID Connect id_token (HS256 with the client secret)."""
    user = grant.user
    claims = {
        "iss": issuer, "aud": CLIENT_ID, "sub": str(user.id), "xero_userid": str(user.id),
        "iat": int(now.timestamp()), "nbf": int(now.timestamp()), "exp": int(now.timestamp()) + 300,
        "auth_time": int(grant.created_at.timestamp()), "global_session_id": str(grant.id),
    }
    scopes = grant.scopes.split()
    if "email" in scopes:
        claims["email"] = user.email
    if "profile" in scopes:
        claims.update({"given_name": user.first_name, "family_name": user.last_name,
                       "preferred_username": user.email})
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = _b64(hmac.new(CLIENT_SECRET.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str, issuer: str) -> dict:
    now = clock.now()
    with transaction.atomic(using="sandbox"):
        record = AuthCode.objects.select_for_update().select_related("grant", "grant__user").filter(
            code=code).first()
        if record is None:
            raise OAuthError("invalid_grant")
        grant = record.grant
        reused = record.used_at is not None
        if reused:
            # A code used twice: revoke what the first exchange issued (RFC 6749 §4.1.2).
            revoke_grant(grant)
        else:  # spent now, even if the checks below fail
            record.used_at = now
            record.save(update_fields=["used_at"])
    if reused:
        raise OAuthError("invalid_grant")
    with transaction.atomic(using="sandbox"):
        if grant.revoked_at is not None:
            raise OAuthError("invalid_grant")
        if now > record.created_at + datetime.timedelta(seconds=int(config.get("xero.code_lifetime", 300))):
            raise OAuthError("invalid_grant")
        if redirect_uri != record.redirect_uri:
            raise OAuthError("invalid_grant")
        if record.code_challenge:
            if not code_verifier or not (43 <= len(code_verifier) <= 128):
                raise OAuthError("invalid_grant")
            if not hmac.compare_digest(s256(code_verifier), record.code_challenge):
                raise OAuthError("invalid_grant")
        elif code_verifier:
            raise OAuthError("invalid_grant")
        return _token_response(grant, with_refresh=True, request_host=issuer)


def refresh(*, token: str, issuer: str) -> dict:
    """Rotate: the old refresh token stops working, except a retry inside the grace window."""
    now = clock.now()
    grace = datetime.timedelta(seconds=int(config.get("xero.refresh_grace", 1800)))
    lifetime = datetime.timedelta(seconds=int(config.get("xero.refresh_token_lifetime", 60 * 86400)))
    with transaction.atomic(using="sandbox"):
        record = RefreshToken.objects.select_for_update().select_related("grant", "grant__user").filter(
            token=token).first()
        if record is None or record.revoked or record.grant.revoked_at is not None:
            raise OAuthError("invalid_grant")
        if record.rotated_at is None:
            if now > record.created_at + lifetime:
                raise OAuthError("invalid_grant")
        else:
            if now > record.rotated_at + grace:
                raise OAuthError("invalid_grant")
            successor = RefreshToken.objects.select_for_update().filter(token=record.successor).first()
            if successor is None or successor.rotated_at is not None or successor.revoked:
                raise OAuthError("invalid_grant")  # the chain moved on: this is not a lost response
            successor.revoked = True  # the retry replaces the response that was lost
            successor.save(update_fields=["revoked"])
        payload = _token_response(record.grant, with_refresh=True, request_host=issuer)
        record.rotated_at = record.rotated_at or now
        record.successor = payload["refresh_token"]
        record.save(update_fields=["rotated_at", "successor"])
        return payload


def revoke_grant(grant: Grant) -> None:
    now = clock.now()
    Grant.objects.filter(pk=grant.pk).update(revoked_at=now)
    RefreshToken.objects.filter(grant=grant).update(revoked=True)
    AccessToken.objects.filter(grant=grant).update(revoked=True)


def revoke(token: str) -> None:
    """POST /connect/revocation: revoke the grant and remove all of the user's connections to the app."""
    with transaction.atomic(using="sandbox"):
        record = (RefreshToken.objects.filter(token=token).select_related("grant").first()
                  or AccessToken.objects.filter(token=token).select_related("grant").first())
        if record is None:
            return  # RFC 7009: unknown tokens are not an error
        grant = record.grant
        revoke_grant(grant)
        Connection.objects.filter(user=grant.user, client_id=grant.client_id).delete()
