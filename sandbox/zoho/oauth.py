"""The accounts server: grant codes, access and refresh tokens, scopes (zoho.md §1).

Token lifetimes and limits come from sandbox.config (`zoho.*`), time from the sandbox clock.
"""

import datetime
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from sandbox import clock, config

from .errors import invalid_token, scope_mismatch
from .models import AccessToken, GrantCode, RefreshToken, User, token_hash

DATA_CENTRES = ("us", "eu", "in", "au", "jp", "ca", "sa", "cn")
DC_LABELS = {"us": "United States (.com)", "eu": "Europe (.eu)", "in": "India (.in)", "au": "Australia (.com.au)",
             "jp": "Japan (.jp)", "ca": "Canada (zohocloud.ca)", "sa": "Saudi Arabia (.sa)",
             "cn": "China (.com.cn)"}
CLIENT_ID = "sandbox-zoho-client"
CLIENT_SECRET = "sandbox-zoho-secret"
REDIRECT_PATH = "/connections/zoho/callback/"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
SCOPE_PATTERN = re.compile(r"^(ZohoCRM\.[A-Za-z_.{}]+\.(ALL|READ|CREATE|UPDATE|DELETE|WRITE)|"
                           r"ZohoCRM\.[a-z_]+\.(ALL|READ|CREATE|UPDATE|DELETE|WRITE)|"
                           r"aaaserver\.profile\.(READ|ALL)|ZohoSearch\.securesearch\.(READ|ALL))$",
                           re.IGNORECASE)
TOO_MANY = {"error": "Access Denied",
            "error_description": "You have made too many requests continuously. Please try again after some time.",
            "status": "failure"}


class TokenError(Exception):
    """An accounts-server error: Zoho answers these with HTTP 200 and {"error": code} (see README)."""

    def __init__(self, body: dict, status: int = 200):
        super().__init__(body.get("error"))
        self.body, self.status = body, status


def new_token() -> str:
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


def redirect_uri_allowed(uri: str) -> bool:
    """The registered redirect URI: /connections/zoho/callback/ on a loopback host (any port) or the portal."""
    try:
        parts = urlsplit(uri)
        port = parts.port  # noqa: F841 (raises on a malformed port)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or parts.path != REDIRECT_PATH or parts.query or parts.fragment:
        return False
    if parts.hostname in LOOPBACK_HOSTS:
        return True
    portal = urlsplit(getattr(settings, "PORTAL_BASE_URL", ""))
    return (parts.scheme, parts.netloc) == (portal.scheme, portal.netloc)


def parse_scopes(raw: str) -> list[str]:
    return [scope.strip() for scope in re.split(r"[,\s]+", raw or "") if scope.strip()]


def invalid_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if not SCOPE_PATTERN.match(scope)]


def _setting(key: str, default):
    return config.get(f"zoho.{key}", default)


def issue_code(*, user: User, client_id: str, redirect_uri: str, scopes: list[str], offline: bool, dc: str,
               consent: bool = True) -> str:
    code = new_token()
    GrantCode.objects.create(
        code_hash=token_hash(code), client_id=client_id, redirect_uri=redirect_uri, scope=",".join(scopes),
        offline=offline, consent=consent, dc=dc, user=user,
        expires_at=clock.now() + datetime.timedelta(seconds=_setting("code_lifetime", 120)))
    return code


def _check_client(params) -> str:
    client_id = params.get("client_id", "")
    if client_id != CLIENT_ID:
        raise TokenError({"error": "invalid_client"})
    if not secrets.compare_digest(params.get("client_secret", ""), CLIENT_SECRET):
        raise TokenError({"error": "invalid_client_secret"})
    return client_id


def _access_token(*, user, client_id, scope, dc, refresh=None) -> tuple[str, AccessToken]:
    now = clock.now()
    raw = new_token()
    token = AccessToken.objects.create(
        token_hash=token_hash(raw), refresh_token=refresh, client_id=client_id, scope=scope, dc=dc, user=user,
        created_at=now, expires_at=now + datetime.timedelta(seconds=_setting("access_token_lifetime", 3600)))
    if refresh is not None:
        # At most N active access tokens per refresh token: the oldest is invalidated.
        active = refresh.access_tokens.filter(revoked=False, expires_at__gt=now).order_by("-created_at", "-id")
        stale = list(active.values_list("pk", flat=True)[_setting("max_active_access_tokens", 10):])
        if stale:
            AccessToken.objects.filter(pk__in=stale).update(revoked=True)
    return raw, token


def _token_body(raw: str, scope: str, api_domain: str) -> dict:
    return {"access_token": raw, "scope": scope.replace(",", " "), "api_domain": api_domain,
            "token_type": "Bearer", "expires_in": _setting("access_token_lifetime", 3600)}


def exchange(params, *, dc: str, api_domain: str) -> dict:
    grant_type = params.get("grant_type", "")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise TokenError({"error": "unsupported_grant_type"})
    client_id = _check_client(params)
    if grant_type == "authorization_code":
        return _exchange_code(params, client_id=client_id, dc=dc, api_domain=api_domain)
    return _refresh(params, client_id=client_id, dc=dc, api_domain=api_domain)


def _exchange_code(params, *, client_id, dc, api_domain) -> dict:
    with transaction.atomic(using="sandbox"):
        grant = (GrantCode.objects.select_for_update()
                 .filter(code_hash=token_hash(params.get("code", "")), client_id=client_id).first())
        # A code is known only to the accounts server of the DC it was issued in.
        if grant is None or grant.used or grant.dc != dc or grant.expires_at <= clock.now():
            raise TokenError({"error": "invalid_code"})
        if params.get("redirect_uri", "") != grant.redirect_uri:
            raise TokenError({"error": "invalid_redirect_uri"})
        grant.used = True
        grant.save(update_fields=["used"])
        refresh = refresh_raw = None
        # access_type=offline gives a refresh token on first consent; prompt=consent forces a new one.
        first_consent = not RefreshToken.objects.filter(user=grant.user, client_id=client_id, revoked=False).exists()
        if grant.offline and (grant.consent or first_consent):
            refresh_raw = new_token()
            refresh = RefreshToken.objects.create(
                token_hash=token_hash(refresh_raw), client_id=client_id, scope=grant.scope, dc=dc, user=grant.user,
                created_at=clock.now())
            _evict_old_refresh_tokens(grant.user, client_id)
        raw, _ = _access_token(user=grant.user, client_id=client_id, scope=grant.scope, dc=dc, refresh=refresh)
    body = _token_body(raw, grant.scope, api_domain)
    if refresh_raw:
        body = {"access_token": raw, "refresh_token": refresh_raw, **{k: v for k, v in body.items()
                                                                         if k != "access_token"}}
    return body


def _evict_old_refresh_tokens(user, client_id):
    """At most 20 refresh tokens per user: the 21st silently deletes the oldest."""
    limit = _setting("max_refresh_tokens", 20)
    live = RefreshToken.objects.filter(user=user, client_id=client_id, revoked=False).order_by("-created_at", "-id")
    stale = list(live.values_list("pk", flat=True)[limit:])
    if stale:
        RefreshToken.objects.filter(pk__in=stale).update(revoked=True)
        AccessToken.objects.filter(refresh_token__in=stale).update(revoked=True)


def _refresh(params, *, client_id, dc, api_domain) -> dict:
    with transaction.atomic(using="sandbox"):
        refresh = (RefreshToken.objects.select_for_update()
                   .filter(token_hash=token_hash(params.get("refresh_token", "")), client_id=client_id).first())
        if refresh is None or refresh.revoked or refresh.dc != dc:
            raise TokenError({"error": "invalid_code"})
        window = datetime.timedelta(seconds=_setting("token_rate_window", 600))
        recent = refresh.access_tokens.filter(created_at__gt=clock.now() - window).count()
        if recent >= _setting("token_rate_limit", 10):
            raise TokenError(TOO_MANY, status=400)
        raw, _ = _access_token(user=refresh.user, client_id=client_id, scope=refresh.scope, dc=dc, refresh=refresh)
    return _token_body(raw, refresh.scope, api_domain)


def revoke(raw: str, *, dc: str) -> bool:
    """Revoke a refresh token (and every access token it issued) or a single access token."""
    digest = token_hash(raw or "")
    refresh = RefreshToken.objects.filter(token_hash=digest, dc=dc).first()
    if refresh is not None:
        RefreshToken.objects.filter(pk=refresh.pk).update(revoked=True)
        AccessToken.objects.filter(refresh_token=refresh).update(revoked=True)
        return True
    return AccessToken.objects.filter(token_hash=digest, dc=dc).update(revoked=True) > 0


def authenticate(request, dc: str) -> AccessToken:
    """The access token of an API call (`Authorization: Zoho-oauthtoken <token>`), valid in this DC."""
    header = request.headers.get("Authorization", "")
    prefix = "Zoho-oauthtoken "
    if not header.startswith(prefix):
        from .errors import ZohoError

        raise ZohoError("AUTHENTICATION_FAILURE", "Authentication failed", status=401)
    token = (AccessToken.objects.select_related("user__org", "refresh_token")
             .filter(token_hash=token_hash(header[len(prefix):].strip())).first())
    if token is None or token.revoked or token.dc != dc or token.expires_at <= clock.now():
        raise invalid_token()
    if token.refresh_token is not None and token.refresh_token.revoked:
        raise invalid_token()
    return token


# Scopes ------------------------------------------------------------------------------------------

_OPS = {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "PATCH": "UPDATE", "DELETE": "DELETE"}


def operation_of(method: str) -> str:
    return _OPS.get(method.upper(), "READ")


def _covers(granted_op: str, needed_op: str) -> bool:
    granted_op = granted_op.upper()
    return granted_op in ("ALL", needed_op) or (granted_op == "WRITE" and needed_op in ("CREATE", "UPDATE", "DELETE"))


def has_scope(granted: str, area: str, op: str) -> bool:
    """`area` like "modules.accounts", "settings.fields", "org", "users", "notifications", "coql".

    A grant covers the area when it names it or a parent of it (ZohoCRM.modules.ALL covers
    ZohoCRM.modules.accounts.READ; ZohoCRM.settings.ALL covers settings.fields.READ)."""
    parts = area.lower().split(".")
    for scope in parse_scopes(granted):
        pieces = scope.split(".")
        if len(pieces) < 3 or pieces[0].lower() != "zohocrm":
            continue
        scope_area, scope_op = [p.lower() for p in pieces[1:-1]], pieces[-1]
        if parts[: len(scope_area)] == scope_area and _covers(scope_op, op):
            return True
    return False


def require_scope(token: AccessToken, area: str, op: str) -> None:
    if not has_scope(token.scope, area, op):
        raise scope_mismatch()
