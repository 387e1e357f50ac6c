"""Concurrency helpers shared by the emulators.

* `InFlight`: counts the requests really in progress per key (a tenant, an org) across the server's threads,
  so the emulators can enforce "N calls in flight" limits.
* `serial`: a process-wide lock the sandbox server holds while Django handles a request when the sandbox store
  is SQLite (one writer at a time; in tests the in-memory database is one connection shared by all threads).
  `pause(seconds)` sleeps with the lock released, so simulated latency overlaps across threads.
"""

import contextlib
import threading
import time


class _Serial:
    def __init__(self):
        self._lock = threading.Lock()
        self._local = threading.local()
        self.enabled = False

    def held(self) -> bool:
        return getattr(self._local, "depth", 0) > 0

    @contextlib.contextmanager
    def hold(self):
        """Hold the lock (re-entrant per thread) when serialisation is enabled."""
        if not self.enabled or self.held():
            self._local.depth = getattr(self._local, "depth", 0) + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        self._lock.acquire()
        self._local.depth = 1
        self._local.owns = True
        try:
            yield
        finally:
            self._local.depth = 0
            self._local.owns = False
            self._lock.release()

    @contextlib.contextmanager
    def released(self):
        """Let other requests run while this one waits on something else (a sleep, an outgoing HTTP call)."""
        owns = getattr(self._local, "owns", False)
        if owns:
            self._lock.release()
        try:
            yield
        finally:
            if owns:
                self._lock.acquire()

    def pause(self, seconds: float) -> None:
        """Sleep `seconds`, letting other requests run meanwhile."""
        if seconds <= 0:
            return
        with self.released():
            time.sleep(seconds)


serial = _Serial()


class InFlight:
    """Requests in progress per key. `enter(key, limit)` returns False (and counts nothing) when full."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def enter(self, key: str, limit: int) -> bool:
        with self._lock:
            current = self._counts.get(key, 0)
            if current >= limit:
                return False
            self._counts[key] = current + 1
            return True

    def arrive(self, key: str) -> int:
        """Count a request in (whatever the limit) and return how many are now in flight, itself included."""
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def leave(self, key: str) -> None:
        with self._lock:
            current = self._counts.get(key, 0) - 1
            if current > 0:
                self._counts[key] = current
            else:
                self._counts.pop(key, None)

    def current(self, key: str) -> int:
        with self._lock:
            return self._counts.get(key, 0)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
