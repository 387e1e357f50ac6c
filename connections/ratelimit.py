"""A per-organisation rate limiter shared by every worker process.

With Django's Redis cache configured it keeps its state in Redis (one sorted set per key, changed by
Lua scripts, so every process and host sees the same budget). Without Redis it falls back to a
process-local limiter: correct for one process (the dev server, the test suite, a single worker with
threads), and the 429 handling in the clients covers the rest.

The sorted set holds one member per call. Its score is the latest moment the provider may still have
the call in its window: `now + lease` while the call is in flight, the finish time once it returned.
So a call counts from before it reaches the provider until `window` seconds after it finished:
  - in flight    = members with a score in the future          (<= max_concurrent)
  - in the window = members with a score > now - window         (<= per_window)
A worker that dies mid-call holds its slot at most `lease` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from . import conf
from .exceptions import RateLimited

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    per_window: int = 0  # 0 = no window limit
    window_seconds: float = 60.0
    max_concurrent: int = 0  # 0 = no concurrency limit
    daily: int = 0  # 0 = no daily budget

    @classmethod
    def xero(cls) -> Limits:
        return cls(
            per_window=conf.get("XERO_RATE_LIMIT_PER_WINDOW"),
            window_seconds=float(conf.get("XERO_RATE_LIMIT_WINDOW_SECONDS")),
            max_concurrent=conf.get("XERO_MAX_CONCURRENT"),
            daily=conf.get("XERO_DAILY_LIMIT"),
        )

    @classmethod
    def zoho(cls) -> Limits:
        return cls(max_concurrent=conf.get("ZOHO_MAX_CONCURRENT"))


# Returns {status, wait}: status 1 = acquired, 0 = wait `wait` seconds, -1 = daily budget spent.
_ACQUIRE = """
local calls, day, blocked = KEYS[1], KEYS[2], KEYS[3]
local window, limit, maxc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local lease, member, daylimit = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pttl = redis.call('PTTL', blocked)
if pttl > 0 then return {0, tostring(pttl / 1000)} end
redis.call('ZREMRANGEBYSCORE', calls, '-inf', '(' .. tostring(now - window))
if daylimit > 0 and tonumber(redis.call('GET', day) or '0') >= daylimit then return {-1, '0'} end
if maxc > 0 and redis.call('ZCOUNT', calls, '(' .. tostring(now), '+inf') >= maxc then return {0, '0.02'} end
if limit > 0 and redis.call('ZCARD', calls) >= limit then
  local oldest = redis.call('ZRANGE', calls, 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 0.01 then wait = 0.01 end
  return {0, tostring(wait)}
end
redis.call('ZADD', calls, now + lease, member)
redis.call('PEXPIRE', calls, math.ceil((window + lease) * 1000) + 1000)
if daylimit > 0 then
  redis.call('INCR', day)
  redis.call('EXPIRE', day, 172800)
end
return {1, '0'}
"""

_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
return 1
"""


def _redis_client():
    """The redis-py client behind Django's RedisCache, or None when the cache is not Redis."""
    default = caches["default"]
    if not isinstance(default, RedisCache):
        return None
    return default._cache.get_client(None, write=True)


class _RedisBackend:
    def __init__(self, client):
        self.client = client
        self.acquire_script = client.register_script(_ACQUIRE)
        self.release_script = client.register_script(_RELEASE)

    def try_acquire(self, key: str, limits: Limits, member: str, lease: float) -> tuple[int, float]:
        status, wait = self.acquire_script(
            keys=[f"rl:{key}:calls", f"rl:{key}:day:{_today()}", f"rl:{key}:blocked"],
            args=[limits.window_seconds, limits.per_window, limits.max_concurrent, lease, member, limits.daily],
        )
        return int(status), float(wait)

    def release(self, key: str, member: str) -> None:
        self.release_script(keys=[f"rl:{key}:calls"], args=[member])

    def block(self, key: str, seconds: float) -> None:
        self.client.set(f"rl:{key}:blocked", "1", px=max(1, int(seconds * 1000)))

    def reset(self, key: str) -> None:
        self.client.delete(f"rl:{key}:calls", f"rl:{key}:day:{_today()}", f"rl:{key}:blocked")


class _LocalBackend:
    """The same algorithm in process memory, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls: dict[str, dict[str, float]] = {}
        self.days: dict[tuple[str, str], int] = {}
        self.blocked: dict[str, float] = {}

    def try_acquire(self, key: str, limits: Limits, member: str, lease: float) -> tuple[int, float]:
        with self.lock:
            now = _clock()
            if self.blocked.get(key, 0) > now:
                return 0, self.blocked[key] - now
            calls = self.calls.setdefault(key, {})
            for name, score in list(calls.items()):
                if score < now - limits.window_seconds:
                    del calls[name]
            day_key = (key, _today())
            if limits.daily and self.days.get(day_key, 0) >= limits.daily:
                return -1, 0.0
            if limits.max_concurrent and sum(1 for s in calls.values() if s > now) >= limits.max_concurrent:
                return 0, 0.02
            if limits.per_window and len(calls) >= limits.per_window:
                return 0, max(0.01, min(calls.values()) + limits.window_seconds - now)
            calls[member] = now + lease
            if limits.daily:
                self.days[day_key] = self.days.get(day_key, 0) + 1
            return 1, 0.0

    def release(self, key: str, member: str) -> None:
        with self.lock:
            calls = self.calls.get(key, {})
            if member in calls:
                calls[member] = _clock()

    def block(self, key: str, seconds: float) -> None:
        with self.lock:
            self.blocked[key] = max(self.blocked.get(key, 0), _clock() + seconds)

    def reset(self, key: str) -> None:
        with self.lock:
            self.calls.pop(key, None)
            self.blocked.pop(key, None)
            for day_key in [k for k in self.days if k[0] == key]:
                del self.days[day_key]


_local_backend = _LocalBackend()


def _clock() -> float:
    return time.time()


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _seconds_until_utc_midnight() -> float:
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def backend():
    client = _redis_client()
    return _RedisBackend(client) if client is not None else _local_backend


class RateLimiter:
    """`with RateLimiter(key, limits).slot(): <one HTTP call>` waits for a free slot, then holds it."""

    def __init__(self, key: str, limits: Limits, *, provider: str = "", sleep=time.sleep, store=None):
        self.key = key
        self.limits = limits
        self.provider = provider
        self.sleep = sleep
        self.backend = store or backend()

    @contextmanager
    def slot(self):
        member = uuid.uuid4().hex
        self.acquire(member)
        try:
            yield
        finally:
            self.backend.release(self.key, member)

    def acquire(self, member: str) -> None:
        lease = float(conf.get("RATE_LIMIT_LEASE_SECONDS"))
        max_wait = float(conf.get("PROVIDER_MAX_INLINE_WAIT_SECONDS"))
        waited = 0.0
        while True:
            status, wait = self.backend.try_acquire(self.key, self.limits, member, lease)
            if status == 1:
                return
            if status == -1:
                raise RateLimited(_seconds_until_utc_midnight(), provider=self.provider, problem="day")
            if waited + wait > max_wait:
                raise RateLimited(wait, provider=self.provider, problem="minute")
            self.sleep(wait)
            waited += wait

    def block_for(self, seconds: float) -> None:
        """After a 429 with Retry-After: every worker waits before its next call for this key."""
        self.backend.block(self.key, seconds)

    def reset(self) -> None:
        self.backend.reset(self.key)
