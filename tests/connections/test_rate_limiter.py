"""The shared rate limiter, on both stores: Redis (shared by every process) and the in-process fallback."""

import os
import threading
import time
import uuid

import pytest

from connections.exceptions import RateLimited
from connections.ratelimit import Limits, RateLimiter, _LocalBackend, _RedisBackend, backend

# The configured Redis only: a test run reaches no service it was not given (tests/network_guard.py).
REDIS_URL = os.environ.get("REDIS_URL") or (
    os.environ.get("CELERY_BROKER_URL", "") if os.environ.get("CELERY_BROKER_URL", "").startswith("redis") else "")


def _redis_store():
    import redis

    if not REDIS_URL:
        pytest.skip("NO REDIS CONFIGURED (CELERY_BROKER_URL or REDIS_URL): Redis rate-limiter test SKIPPED")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable")
    return _RedisBackend(client)


@pytest.fixture(params=["local", "redis"])
def store(request):
    return _LocalBackend() if request.param == "local" else _redis_store()


def _limiter(store, **limits):
    return RateLimiter(f"test:{uuid.uuid4().hex}", Limits(**limits), provider="xero", store=store)


def test_no_more_than_max_concurrent_calls_are_in_flight(store):
    limiter = _limiter(store, max_concurrent=2)
    lock = threading.Lock()
    in_flight, peak = 0, 0

    def call():
        nonlocal in_flight, peak
        with limiter.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.3)  # long enough for a second thread to be scheduled on a busy machine
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


def test_no_window_holds_more_than_the_limit_counting_from_when_each_call_finished(store):
    limiter = _limiter(store, per_window=4, window_seconds=0.4)
    starts, ends = [], []
    for _ in range(9):
        with limiter.slot():
            starts.append(time.monotonic())
            time.sleep(0.01)
            ends.append(time.monotonic())
    # call i+4 may only start a full window after call i finished
    for i in range(len(starts) - 4):
        assert starts[i + 4] - ends[i] >= 0.39
    assert starts[-1] - starts[0] >= 0.8


def test_the_daily_budget_stops_calls_without_waiting(store):
    limiter = _limiter(store, daily=3)
    for _ in range(3):
        with limiter.slot():
            pass
    with pytest.raises(RateLimited) as raised, limiter.slot():
        pass
    assert raised.value.problem == "day" and raised.value.retry_after > 0


def test_a_block_after_429_makes_every_worker_wait(store):
    limiter = _limiter(store, max_concurrent=5)
    limiter.block_for(0.3)
    started = time.monotonic()
    with RateLimiter(limiter.key, limiter.limits, store=store).slot():
        pass
    assert time.monotonic() - started >= 0.25


def test_a_wait_longer_than_allowed_inline_raises_rate_limited(store, settings):
    settings.PROVIDER_MAX_INLINE_WAIT_SECONDS = 0.1
    limiter = _limiter(store, per_window=1, window_seconds=30)
    with limiter.slot():
        pass
    with pytest.raises(RateLimited) as raised, limiter.slot():
        pass
    assert 29 < raised.value.retry_after <= 30.1


def test_redis_is_used_when_the_cache_is_redis_and_memory_otherwise(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert isinstance(backend(), _LocalBackend)
    _redis_store()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    assert isinstance(backend(), _RedisBackend)


def _process_worker(key, calls, results):
    import redis

    store = _RedisBackend(redis.Redis.from_url(REDIS_URL))
    limiter = RateLimiter(key, Limits(per_window=6, window_seconds=0.5, max_concurrent=2), store=store)
    for _ in range(calls):
        with limiter.slot():
            start = time.time()
            time.sleep(0.03)
            results.put((start, time.time()))


def test_separate_worker_processes_share_one_budget_through_redis():
    import multiprocessing

    _redis_store()
    key = f"test:{uuid.uuid4().hex}"
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_process_worker, args=(key, 6, results)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    calls = sorted(results.get(timeout=5) for _ in range(18))
    assert all(process.exitcode == 0 for process in processes)
    peak = max(sum(1 for s, e in calls if s <= start < e) for start, _end in calls)
    assert peak <= 2
    for i in range(len(calls) - 6):  # call i+6 starts a full window after call i ended
        assert calls[i + 6][0] - calls[i][1] >= 0.49
