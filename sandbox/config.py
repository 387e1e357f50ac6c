"""Configurable limits and failure injection, stored in the sandbox database (SandboxState.config).

`DEFAULTS` documents every key. Overrides are deep-merged over the defaults; keys are dotted paths:
`get("xero.minute_limit")`, `update({"xero": {"minute_limit": 3}})`. An emulator can add keys of its own
at import time with `register_defaults("zoho", {...})`. HTTP: `GET/POST /_sandbox/config`.
"""

import copy
import random
import threading

# Every documented limit, with its source in shared/reference (xero.md §2, zoho.md §6).
DEFAULTS: dict = {
    "xero": {
        "concurrent_limit": 5,  # calls in flight per tenant
        "minute_limit": 60,  # calls per minute per tenant
        "day_limit": 5000,  # calls per day per tenant (a fixed window from the tenant's first call)
        "app_minute_limit": 10000,  # calls per minute across all tenants
        "access_token_lifetime": 1800,  # seconds (expires_in)
        "code_lifetime": 300,  # seconds an authorization code stays usable (single use)
        "refresh_grace": 1800,  # seconds a rotated refresh token still works (the grace window)
        "refresh_token_lifetime": 60 * 24 * 3600,  # an unused refresh token expires after 60 days
        "idempotency_retention": 24 * 3600,  # seconds an Idempotency-Key is remembered
        "webhooks_enabled": True,
        "webhook_url": "",  # "" means {PORTAL_BASE_URL}/sync/webhooks/xero/
        "webhook_key": "",  # "" means settings.XERO_WEBHOOK_KEY or "sandbox-xero-webhook-key"
    },
    "zoho": {
        "edition": "standard",
        "concurrency": 10,  # calls in flight per org (Standard edition)
        "daily_credits": 50000,  # API credits per rolling day per org (Standard: 50,000 + 250 x users)
    },
    # Fraction of API responses replaced by a failure before the request is processed.
    "inject": {"seed": 0, "xero": {"429": 0.0, "500": 0.0}, "zoho": {"429": 0.0, "500": 0.0}},
    # Seconds every API call of a provider takes (held inside the in-flight window), to exercise concurrency.
    "latency": {"xero": 0.0, "zoho": 0.0},
}

_rng_lock = threading.Lock()
_rng = random.Random(0)


class ConfigError(ValueError):
    """An update names a key that does not exist or gives a value of the wrong type."""


def register_defaults(section: str, values: dict) -> None:
    """Let an emulator document (and default) configuration keys of its own."""
    DEFAULTS.setdefault(section, {})
    _merge(DEFAULTS[section], values, strict=False)


def _merge(target: dict, changes: dict, *, strict: bool, defaults: dict | None = None, path: str = "") -> None:
    for key, value in changes.items():
        key = str(key)
        where = f"{path}{key}"
        default = None if defaults is None else defaults.get(key, _MISSING)
        if strict and default is _MISSING:
            raise ConfigError(f"Unknown configuration key: {where}")
        if isinstance(value, dict) and (default is None or isinstance(default, dict)):
            node = target.setdefault(key, {})
            if not isinstance(node, dict):
                node = target[key] = {}
            _merge(node, value, strict=strict, defaults=default if isinstance(default, dict) else None,
                   path=where + ".")
        else:
            if strict and isinstance(default, dict):
                raise ConfigError(f"Configuration key {where} takes an object")
            if strict and isinstance(default, bool) and not isinstance(value, bool):
                raise ConfigError(f"Configuration key {where} takes true or false")
            if strict and isinstance(default, int | float) and not isinstance(default, bool):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigError(f"Configuration key {where} takes a number")
            target[key] = value


_MISSING = object()


def _state():
    from .models import SandboxState

    state, _ = SandboxState.objects.get_or_create(pk=1)
    return state


def snapshot() -> dict:
    """The whole effective configuration: defaults with the stored overrides merged in."""
    from .models import SandboxState

    overrides = SandboxState.objects.filter(pk=1).values_list("config", flat=True).first() or {}
    merged = copy.deepcopy(DEFAULTS)
    _merge(merged, overrides, strict=False)
    return merged


def get(key: str, default=None, *, config: dict | None = None):
    """One value by dotted path, e.g. get("xero.minute_limit")."""
    node = snapshot() if config is None else config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def update(changes: dict) -> dict:
    """Deep-merge `changes` into the stored overrides (unknown keys raise ConfigError); returns the effective config."""
    from django.db import transaction

    from .models import SandboxState

    if not isinstance(changes, dict):
        raise ConfigError("The configuration must be a JSON object")
    _merge(copy.deepcopy(DEFAULTS), changes, strict=True, defaults=DEFAULTS)  # validate first
    with transaction.atomic(using="sandbox"):
        _state()
        state = SandboxState.objects.select_for_update().get(pk=1)
        overrides = state.config or {}
        _merge(overrides, changes, strict=False)
        state.config = overrides
        state.save(update_fields=["config"])
    if "inject" in changes:
        reseed()
    return snapshot()


def reset() -> dict:
    """Drop every override: back to DEFAULTS."""
    from .models import SandboxState

    SandboxState.objects.filter(pk=1).update(config={})
    reseed()
    return snapshot()


def reseed(seed: int | None = None) -> None:
    """Restart the failure-injection random sequence (from inject.seed unless given)."""
    global _rng
    if seed is None:
        seed = get("inject.seed", 0)
    with _rng_lock:
        _rng = random.Random(seed)


def injected_failure(provider: str, config: dict | None = None) -> int | None:
    """The status (429 or 500) to answer instead of processing this call, or None to process it."""
    rates = get(f"inject.{provider}", {}, config=config) or {}
    too_many, server_error = float(rates.get("429", 0) or 0), float(rates.get("500", 0) or 0)
    if too_many <= 0 and server_error <= 0:
        return None
    with _rng_lock:
        draw = _rng.random()
    if draw < too_many:
        return 429
    if draw < too_many + server_error:
        return 500
    return None
