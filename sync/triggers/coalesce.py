"""Coalescing of On Save notifications: when Zoho notifies faster than the worker syncs, one task syncs the ids of
every notification that arrived before it started reading, and the tasks queued behind it find their records
already carried and make no API call.

Without this, each notification was one run of its own: runs of one Xero organisation and module never overlap
(`runs.module_lock`), so a burst of edits queued up one run at a time (bench/on_save.py measured 2-3 runs a
second at most), while one run syncs up to 100 ids for the same three calls.

Bookkeeping lives in the shared cache (Redis in production), per organisation and module:
- `register` (the callback): numbers each record's notifications (`note:<id>`) and keeps the notification's ids in
  a numbered slot, so a task that starts later can take them.
- `take` (the task): its own ids, plus the ids of the slots not yet taken, minus the records whose every
  notification so far was covered by a read that started after it (`read:<id>` >= `note:<id>`).
- `done` (when the task has taken its batch, before it reads): records the notification numbers observed
  *before* reading, so they are covered. The task's runs are durable: its retries resume them (`remember` keeps
  the batch per task id) and a run that keeps failing ends with a failure entry per record, so the tasks that run
  while it waits to retry skip these records instead of syncing them a second time.
`serial(...)`: the on-save tasks of one organisation and module run one after the other, reads included. The
engine's module lock covers a run's writes but not the read before them, so two tasks syncing the same record at
once could both read it, and the one that read the older version could write last (bench/on_save.py saw it: one
account of 50 ended with the value of an earlier edit). Inside `serial`, a task reads after the previous one wrote.
Soundness: a notification is registered after Zoho saved the edit, so a read that starts after the registration
sees the edit. Nothing depends on clocks. When the cache is not shared between the web process and the worker
(the local-memory default of `make run`), the worker knows no notes or slots and syncs exactly its own ids, as
before.
"""

import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache

from connections.exceptions import TransientError

logger = logging.getLogger(__name__)

NOTE_TTL = 24 * 3600
SLOT_TTL = 3600
MAX_SLOTS = 200  # slots looked at per task
MAX_IDS = 200  # ids synced per task (two engine chunks); the rest is left for the next task
LOCK_SECONDS = 300  # as long as the task's time limit: a dead worker's lock lapses by itself
LOCK_WAIT = 120.0  # then the task is retried (TransientError)


def _key(organisation_id, module: str, suffix: str) -> str:
    return f"sync:onsave:{organisation_id}:{module}:{suffix}"


def _incr(key: str, ttl: int) -> int:
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=ttl)
        return cache.incr(key)


def register(organisation_id, module: str, ids) -> None:
    """Callback side: number this notification of each record and keep its ids for a task to take."""
    try:
        for record_id in dict.fromkeys(str(i) for i in ids):
            _incr(_key(organisation_id, module, f"note:{record_id}"), NOTE_TTL)
        number = _incr(_key(organisation_id, module, "seq"), NOTE_TTL)
        cache.set(_key(organisation_id, module, f"slot:{number}"), [str(i) for i in ids], timeout=SLOT_TTL)
    except Exception:  # noqa: BLE001 - bookkeeping only: the queued task syncs its own ids anyway
        logger.warning("Could not register an on-save notification for coalescing", exc_info=True)


@contextmanager
def serial(organisation_id, module: str):
    """Hold the organisation's on-save lock for `module` (shared cache; per process with local memory)."""
    key, token = _key(organisation_id, module, "lock"), uuid.uuid4().hex
    deadline = time.monotonic() + LOCK_WAIT
    while not cache.add(key, token, timeout=LOCK_SECONDS):
        if time.monotonic() > deadline:
            raise TransientError(f"on-save sync of {module} is busy", provider="sync")
        time.sleep(0.02)
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)


@dataclass
class Batch:
    ids: list[str]
    notes: dict[str, int] = field(default_factory=dict)  # id -> notification number observed before reading
    last_slot: int = 0


def take(organisation_id, module: str, ids) -> Batch:
    """Task side: what to sync now (see the module docstring). Called before the sync reads anything."""
    own = list(dict.fromkeys(str(i) for i in ids))
    try:
        seq = cache.get(_key(organisation_id, module, "seq"))
        done = cache.get(_key(organisation_id, module, "done")) or 0
        slots: dict[int, list] = {}
        last_slot = done
        if seq:
            numbers = list(range(max(done + 1, seq - MAX_SLOTS + 1), seq + 1))
            found = cache.get_many([_key(organisation_id, module, f"slot:{n}") for n in numbers])
            for n in numbers:
                slot = found.get(_key(organisation_id, module, f"slot:{n}"))
                if slot is None:
                    break  # not written yet (or expired): later slots wait for the next task
                slots[n] = slot
                last_slot = n
        candidates = list(dict.fromkeys(own + [str(i) for slot in slots.values() for i in slot]))
        note_keys = {i: _key(organisation_id, module, f"note:{i}") for i in candidates}
        read_keys = {i: _key(organisation_id, module, f"read:{i}") for i in candidates}
        values = cache.get_many(list(note_keys.values()) + list(read_keys.values()))
    except Exception:  # noqa: BLE001 - no bookkeeping: sync exactly the given ids
        logger.warning("On-save coalescing unavailable; syncing the notified ids only", exc_info=True)
        return Batch(own)
    notes, chosen = {}, []
    for record_id in candidates:
        note = values.get(note_keys[record_id])
        read = values.get(read_keys[record_id]) or 0
        if note is None:  # unknown here (another process's cache): sync it if it is ours
            if record_id in own:
                chosen.append(record_id)
            continue
        if read < note:
            chosen.append(record_id)
            notes[record_id] = note
    if len(chosen) > MAX_IDS:
        keep = set(own)
        chosen = [i for i in chosen if i in keep] + [i for i in chosen if i not in keep]
        chosen = chosen[:max(MAX_IDS, len(keep))]
        last_slot = done  # some slot ids are left out: the next task looks at these slots again
    return Batch(chosen, {i: notes[i] for i in chosen if i in notes}, last_slot)


def _task_key(task_id: str) -> str:
    return f"sync:onsave:task:{task_id}"


def remember(task_id: str, batch: Batch) -> None:
    """Keep a task's batch for its retries: a retry syncs the same ids in the same runs, and its `done` records
    the notification numbers observed before the first read (the read happens at the first attempt or later)."""
    try:
        cache.set(_task_key(task_id), {"ids": batch.ids, "notes": batch.notes, "last_slot": batch.last_slot},
                  timeout=NOTE_TTL)
    except Exception:  # noqa: BLE001 - a retry then takes a batch again
        logger.warning("Could not keep an on-save batch for the task's retries", exc_info=True)


def recall(task_id: str) -> Batch | None:
    try:
        kept = cache.get(_task_key(task_id))
    except Exception:  # noqa: BLE001
        return None
    if not kept:
        return None
    return Batch(list(kept["ids"]), dict(kept["notes"]), int(kept["last_slot"]))


def forget(task_id: str) -> None:
    try:
        cache.delete(_task_key(task_id))
    except Exception:  # noqa: BLE001 - it expires by itself
        pass


def done(organisation_id, module: str, batch: Batch) -> None:
    """The batch is taken (its read comes after this): the notifications numbered before it are covered."""
    try:
        read_keys = {i: _key(organisation_id, module, f"read:{i}") for i in batch.notes}
        current = cache.get_many(list(read_keys.values()))
        cache.set_many({key: batch.notes[i] for i, key in read_keys.items() if (current.get(key) or 0) < batch.notes[i]},
                       timeout=NOTE_TTL)
        done_key = _key(organisation_id, module, "done")
        if batch.last_slot > (cache.get(done_key) or 0):
            cache.set(done_key, batch.last_slot, timeout=NOTE_TTL)
    except Exception:  # noqa: BLE001 - the next tasks then sync again what this one did
        logger.warning("Could not record an on-save batch", exc_info=True)
