import pytest

from connections.ratelimit import _local_backend, _redis_client


@pytest.fixture(autouse=True)
def _fresh_limiter_state():
    """Each test starts with empty rate-limiter windows (process-local backend)."""
    _local_backend.calls.clear()
    _local_backend.days.clear()
    _local_backend.blocked.clear()
    client = _redis_client()
    if client is not None:
        keys = list(client.scan_iter("rl:*"))
        if keys:
            client.delete(*keys)
    yield


class FakeSleep:
    """Records sleeps and moves the (process-local) rate limiter's clock forward instead of waiting."""

    def __init__(self):
        self.calls: list[float] = []
        self.offset = 0.0

    def __call__(self, seconds):
        self.calls.append(seconds)
        self.offset += seconds


@pytest.fixture
def fake_sleep(monkeypatch, settings):
    """No real waiting: the limiter uses its in-process store (Redis is tested in test_rate_limiter.py)."""
    import time

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    import connections.ratelimit

    sleeper = FakeSleep()
    monkeypatch.setattr(connections.ratelimit, "_clock", lambda: time.time() + sleeper.offset)
    return sleeper
