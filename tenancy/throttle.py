"""Throttling of sign-in, admin sign-in, password-reset and sign-up requests, per account and per client address.

Counters live in Django's cache (the "throttle" alias: Redis when the portal runs with Redis, shared by every
web worker; the local-memory cache otherwise, per process). A limit allows `attempts` within `window` seconds per
account (the email address as typed, lower-cased) and, separately, per client address; the attempt that reaches
the limit starts a lockout of a whole window, during which every request of that account or address is refused
without checking its password. Each lockout is recorded (tenancy.models.Lockout) and logged.

Why not django-axes: it throttles sign-ins only (not password-reset mails or sign-ups), and its authentication
backend refuses `authenticate()` calls without a request. Counting in the cache needs neither."""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class Limit:
    kind: str  # sign_in, admin_sign_in, password_reset, sign_up
    attempts: int  # allowed per account within the window; the next one is refused
    window: int  # seconds; also how long a lockout lasts
    address_attempts: int = 0  # allowed per client address (0: as many as per account)

    def allowed(self, scope: str) -> int:
        return self.address_attempts or self.attempts if scope == ADDRESS else self.attempts

    @property
    def minutes(self) -> int:
        return max(1, round(self.window / 60))


def _limit(kind: str, attempts: int, window: int, address_attempts: int = 0) -> Limit:
    overrides = getattr(settings, "THROTTLE_LIMITS", {}).get(kind, {})
    return Limit(kind, overrides.get("attempts", attempts), overrides.get("window", window),
                 overrides.get("address_attempts", address_attempts))


def sign_in() -> Limit:
    return _limit("sign_in", 30, 15 * 60)


def admin_sign_in() -> Limit:
    return _limit("admin_sign_in", 30, 15 * 60)


def password_reset() -> Limit:
    return _limit("password_reset", 5, 60 * 60, address_attempts=20)


def sign_up() -> Limit:
    return _limit("sign_up", 10, 60 * 60)


def _cache():
    return caches[getattr(settings, "THROTTLE_CACHE", "default")]


def client_address(request) -> str:
    """The client's address as the WSGI server saw it (behind a proxy: set it from X-Forwarded-For there)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def normalise(account) -> str:
    return str(account or "").strip().lower()[:254]


def _key(limit: Limit, scope: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"throttle:{limit.kind}:{scope}:{digest}"


def _keys(limit: Limit, request, account) -> dict[str, str]:
    keys = {ADDRESS: _key(limit, ADDRESS, client_address(request))}
    if normalise(account):
        keys[ACCOUNT] = _key(limit, ACCOUNT, normalise(account))
    return keys


def is_locked(limit: Limit, request, account="") -> bool:
    """True while the account or the client address has used up its attempts."""
    keys = _keys(limit, request, account)
    try:
        counts = _cache().get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 - the cache (Redis) is down: sign-ins go on, unthrottled, and it is logged
        logger.exception("The throttle's cache cannot be read; %s is not throttled", limit.kind)
        return False
    return any(int(counts.get(key) or 0) >= limit.allowed(scope) for scope, key in keys.items())


def _increment(key: str, window: int) -> int:
    cache = _cache()
    cache.add(key, 0, timeout=window)  # the window starts at the first attempt
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def count(limit: Limit, request, account="") -> bool:
    """Count one attempt (a failed sign-in, a reset or sign-up request). True when it started a lockout."""
    locked = False
    for scope, key in _keys(limit, request, account).items():
        try:
            attempts = _increment(key, limit.window)
        except Exception:  # noqa: BLE001 - the cache is down: logged, not counted
            logger.exception("The throttle's cache cannot be written; %s is not counted", limit.kind)
            return False
        if attempts == limit.allowed(scope):
            _cache().set(key, limit.allowed(scope), timeout=limit.window)  # locked for a whole window from now
            _record_lockout(limit, scope, request, account)
            locked = True
    return locked


def clear_account(limit: Limit, account) -> None:
    """After a successful sign-in: the account's failures are forgotten (the address's are not)."""
    if normalise(account):
        try:
            _cache().delete(_key(limit, ACCOUNT, normalise(account)))
        except Exception:  # noqa: BLE001 - the cache is down: logged; the count expires by itself
            logger.exception("The throttle's cache cannot be written; the failures of %s stay", limit.kind)


def _record_lockout(limit: Limit, scope: str, request, account) -> None:
    from .models import Lockout

    address = client_address(request)
    logger.warning("Locked out %s by %s for %s s: account %r, address %s", limit.kind, scope, limit.window,
                   normalise(account), address)
    Lockout.objects.create(kind=limit.kind, scope=scope, account=normalise(account), address=address,
                           attempts=limit.allowed(scope), window_seconds=limit.window,
                           path=str(request.path)[:200])
