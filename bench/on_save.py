"""Benchmark: On Save Sync latency over 200 edits, from the edit in Zoho to the write in Xero (issue 9).

    .venv/bin/python -m bench.on_save                 # SQLite + the filesystem broker, in a scratch folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/syncportal CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.on_save

The whole path runs as in production, each part in its own process (bench/live_stack.py): the sandbox server
(Zoho and Xero, its own database), the portal behind `manage.py runserver`, and a Celery worker (every queue,
two processes, as `make run` starts it). ON_SAVE_BENCH_RECORDS accounts (default 50) are seeded in Zoho and
synced to Xero, On Save Sync is switched on (the portal registers its watch channel in Zoho), then
ON_SAVE_BENCH_EDITS edits (default 200) change the phone number of a randomly chosen account through Zoho's API,
one every 100-250 ms (serially: an edit starts when the previous one was answered, if that took longer).

Each edit writes a unique number. For each edit, Zoho notifies the portal's callback, the callback queues
`zoho_changed_task` on the realtime queue, the worker reads the account from Zoho and writes the contact to Xero.
The sandbox's traffic log is followed (polled every 5 ms) for Xero contact writes; an edit's latency runs from the
moment its request was sent to Zoho (before Zoho saved it: a slight overestimate) to the moment the traffic log
shows a Xero write carrying its number or a later one of the same account (several quick edits of one account may
be carried by one write: the last value wins). At the end every Xero contact must hold its account's last number.

A second phase (ON_SAVE_BENCH_SERIAL_EDITS, default 30) edits one account at a time, each edit waiting until the
previous one reached Xero: the latency of a single save with no queue in front of it.

With the shared cache (Redis) the portal coalesces notifications that queue up (sync/triggers/coalesce.py); with
the local-memory default (SQLite + filesystem broker) each notification is a run of its own, so a burst faster
than the worker's runs queues up (the throughput figure says how far).

Rate limits are lifted on both sides (bench/live_settings.py): 200 edits in forty seconds exceed Xero's 60 calls a
minute per tenant, whatever the portal does. Xero's webhooks stay on, as in `make run`: each write to Xero comes
back as a webhook, and the worker recognises its own write by fingerprint (no echo) on the same queues.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

EDITS = int(os.environ.get("ON_SAVE_BENCH_EDITS", "200"))
RECORDS = int(os.environ.get("ON_SAVE_BENCH_RECORDS", "50"))
SERIAL_EDITS = int(os.environ.get("ON_SAVE_BENCH_SERIAL_EDITS", "30"))
CONCURRENCY = int(os.environ.get("ON_SAVE_BENCH_CONCURRENCY", "2"))  # as `make run` (WORKER_CONCURRENCY)
SPACING = (0.100, 0.250)
GOAL_P95_SECONDS = 2.0
SETTLE_TIMEOUT = 90.0
BENCHMARK = "on_save"
NUMBER = re.compile(r"(\d{6})$")


def phone(seq: int) -> str:
    return f"+49 30 55{seq:06d}"


def seq_of(number) -> int | None:
    found = NUMBER.search(str(number or "").replace(" ", ""))
    return int(found.group(1)) if found else None


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class XeroWrites(threading.Thread):
    """Follows the sandbox's traffic log: (time seen, ContactID, edit number) of every Xero contact write."""

    def __init__(self, stack, offset: int):
        super().__init__(daemon=True, name="bench-xero-writes")
        self.stack, self.offset = stack, offset
        self.writes: list[tuple[float, str, int]] = []
        self.calls: Counter = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.poll()
            time.sleep(0.005)
        self.poll()

    def poll(self) -> None:
        lines, self.offset = self.stack.traffic(self.offset)
        seen = time.monotonic()
        found = []
        for line in lines:
            path = urlsplit(line.get("url", "")).path
            with self.lock:
                self.calls[(line["provider"], line["method"], re.sub(r"/[0-9a-f-]{20,}|/\d{6,}", "/<id>", path))] += 1
            if line["provider"] != "xero" or line["method"] not in ("POST", "PUT") or line["status"] != 200:
                continue
            if not re.search(r"/Contacts(/[^/]+)?$", path):
                continue
            try:
                body = json.loads(line.get("request_body") or "{}")
            except ValueError:
                continue
            for contact in body.get("Contacts", []) if isinstance(body, dict) else []:
                numbers = [p.get("PhoneNumber") for p in contact.get("Phones") or [] if p.get("PhoneType") == "DEFAULT"]
                seq = seq_of(numbers[0]) if numbers else None
                if contact.get("ContactID") and seq is not None:
                    found.append((seen, contact["ContactID"], seq))
        if found:
            with self.lock:
                self.writes.extend(found)

    def snapshot(self) -> list[tuple[float, str, int]]:
        with self.lock:
            return list(self.writes)


def _latencies(edits, writes, xero_id_of) -> dict[int, float]:
    """Edit number -> seconds until a write of its account carried it (or a later number)."""
    by_contact: dict[str, list[tuple[float, int]]] = {}
    for seen, contact_id, seq in writes:
        by_contact.setdefault(contact_id, []).append((seen, seq))
    result = {}
    for seq, zoho_id, sent in edits:
        carried = [seen for seen, written in by_contact.get(xero_id_of[zoho_id], []) if written >= seq]
        if carried:
            result[seq] = min(carried) - sent
    return result


def _wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _edit_burst(zoho, rng, zoho_ids, edits: int, first: int, *, wait=None) -> tuple[list, dict, float]:
    """Edit `edits` accounts, one every 100-250 ms (or, with `wait`, each after the previous reached Xero)."""
    sent_edits: list[tuple[int, str, float]] = []  # (edit number, Zoho id, sent at)
    last_number: dict[str, int] = {}
    next_at = time.monotonic()
    for seq in range(first, first + edits):
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        zoho_id = rng.choice(zoho_ids)
        sent = time.monotonic()
        zoho.update_records("Accounts", [{"id": zoho_id, "Phone": phone(seq)}])
        sent_edits.append((seq, zoho_id, sent))
        last_number[zoho_id] = seq
        if wait is not None:
            wait(seq, zoho_id, sent)
        next_at = (time.monotonic() if wait is not None else sent) + rng.uniform(*SPACING)
    return sent_edits, last_number, time.monotonic() - sent_edits[0][2]


def _last_values(connected, xero_id_of, last_number) -> int:
    """Accounts whose Xero contact holds the number of the account's last edit."""
    contacts = {}
    ids = [xero_id_of[zoho_id] for zoho_id in last_number]
    for start in range(0, len(ids), 50):
        for contact in connected.xero.get_contacts_by_ids(ids[start:start + 50]):
            contacts[contact["ContactID"]] = contact
    correct = 0
    for zoho_id, seq in last_number.items():
        contact = contacts.get(xero_id_of[zoho_id], {})
        numbers = [p.get("PhoneNumber") for p in contact.get("Phones") or [] if p.get("PhoneType") == "DEFAULT"]
        correct += bool(numbers) and seq_of(numbers[0]) == seq
    return correct


def _figures(scenario: str, sent_edits, latencies, last_number, correct: int, *, goal: bool) -> list:
    from bench.report import Figure

    samples = sorted(latencies.values())
    edits = len(sent_edits)
    p50 = statistics.median(samples) if samples else float("nan")
    p95 = percentile(samples, 0.95) if samples else float("nan")
    goal_text = f"< {GOAL_P95_SECONDS * 1000:.0f} ms" if goal else ""
    return [
        Figure(BENCHMARK, scenario, "edit → Xero write, p50", round(p50 * 1000) if samples else "none", "ms"),
        Figure(BENCHMARK, scenario, "edit → Xero write, p95", round(p95 * 1000) if samples else "none", "ms",
               goal_text, (bool(samples) and p95 < GOAL_P95_SECONDS) if goal else None),
        Figure(BENCHMARK, scenario, "edit → Xero write, max", round(max(samples) * 1000) if samples else "none",
               "ms"),
        Figure(BENCHMARK, scenario, "edits synced", f"{len(samples)}/{edits}", "", "all", len(samples) == edits),
        Figure(BENCHMARK, scenario, "last value in Xero", f"{correct}/{len(last_number)} accounts", "", "all",
               correct == len(last_number)),
    ]


def run(edits: int = EDITS, records: int = RECORDS, serial_edits: int = SERIAL_EDITS) -> list:
    from bench.live_stack import LiveStack
    from bench.report import Figure

    rng = random.Random(9)
    with LiveStack(BENCHMARK, traffic_log=True) as stack:
        connected = stack.connect()
        stack.seed(zoho={"accounts": records + 1, "products": 0, "invoices": 0},
                   xero={"contacts": 0, "items": 0, "invoices": 0})

        from django.db import connections

        from sync import services
        from sync.models import RecordLink
        from sync.settings_services import organisation_settings
        from sync.trigger_models import ZohoChannel

        services.sync_records(connected.xero_organisation, "accounts", "zoho_to_xero", trigger="historical")
        xero_id_of = dict(RecordLink.objects.filter(module="accounts").values_list("zoho_id", "xero_id"))
        zoho_ids = sorted(xero_id_of)
        warm_up_id, zoho_ids = zoho_ids[-1], zoho_ids[:records]
        settings_row = organisation_settings(connected.organisation)
        settings_row.on_save_sync = True
        settings_row.save()  # the portal registers its watch channel in Zoho (after the commit)
        if not ZohoChannel.objects.filter(registered=True).exists():
            raise RuntimeError("On Save Sync did not register a Zoho watch channel")
        connections.close_all()  # the bench process only talks HTTP from here on

        stack.start_portal()
        stack.start_worker(concurrency=CONCURRENCY)
        _lines, offset = stack.traffic()
        follower = XeroWrites(stack, offset)
        follower.start()
        zoho = connected.zoho

        def carried(seq: int) -> bool:
            return any(written >= seq for _t, _c, written in follower.snapshot())

        # Warm-up (not measured): one edit of a spare account, so the worker's first task has loaded its code.
        zoho.update_records("Accounts", [{"id": warm_up_id, "Phone": phone(999_999)}])
        if not _wait_until(lambda: carried(999_999), 60):
            raise RuntimeError("the warm-up edit never reached Xero; worker log:\n" + stack.log("worker")[-3000:])
        stack.reset_counters()
        with follower.lock:
            follower.calls.clear()

        # 1. The load: `edits` edits, one every 100-250 ms, whatever the portal's progress.
        sent_edits, last_number, edits_seconds = _edit_burst(zoho, rng, zoho_ids, edits, 1)
        _wait_until(lambda: len(_latencies(sent_edits, follower.snapshot(), xero_id_of)) == len(sent_edits),
                    SETTLE_TIMEOUT, 0.2)
        time.sleep(2)  # let the echoes (Xero webhooks of our own writes) finish, for the call counts
        latencies = _latencies(sent_edits, follower.snapshot(), xero_id_of)
        counters = stack.counters()
        with follower.lock:
            calls = Counter(follower.calls)
        correct = _last_values(connected, xero_id_of, last_number)

        # 2. One save at a time: each edit waits until the previous one reached Xero (no queue in front of it).
        serial = ([], {}, 0.0)
        if serial_edits:
            first = edits + 1

            def reached(seq, zoho_id, sent):
                _wait_until(lambda: bool(_latencies([(seq, zoho_id, sent)], follower.snapshot(), xero_id_of)),
                            30, 0.01)

            serial = _edit_burst(zoho, random.Random(11), zoho_ids, serial_edits, first, wait=reached)
            serial_latencies = _latencies(serial[0], follower.snapshot(), xero_id_of)
            serial_correct = _last_values(connected, xero_id_of, serial[1])
        follower.stopping.set()
        follower.join(timeout=10)

    xero_writes = sum(n for (provider, method, _path), n in calls.items() if provider == "xero"
                      and method in ("POST", "PUT"))
    xero_calls = counters["xero"]["total"]
    zoho_calls = counters["zoho"]["total"] - edits  # the edits themselves are Zoho API calls too
    print(f"  {edits} edits sent in {edits_seconds:.1f} s to {len(last_number)} accounts; "
          f"{len(latencies)} reached Xero. Calls seen during the edits and their echoes:", flush=True)
    for (provider, method, path), n in sorted(calls.items()):
        print(f"    {provider} {method} {path}: {n}", flush=True)
    load = f"{edits} edits, 1 every 100-250 ms"
    figures = _figures(load, sent_edits, latencies, last_number, correct, goal=True)
    arrivals = [sent + seconds for (_seq, _zoho_id, sent), seconds in
                ((edit, latencies[edit[0]]) for edit in sent_edits if edit[0] in latencies)]
    span = (max(arrivals) - sent_edits[0][2]) if arrivals else 0.0
    figures += [
        Figure(BENCHMARK, load, "throughput (first edit to last write)",
               round(len(arrivals) / span, 2) if span else "none", f"edits/s (offered {edits / edits_seconds:.2f})"),
        Figure(BENCHMARK, load, "Xero writes per edit", round(xero_writes / edits, 2), ""),
        Figure(BENCHMARK, load, "API calls per edit (echoes included)",
               f"Xero {xero_calls / edits:.2f}, Zoho {zoho_calls / edits:.2f}", ""),
    ]
    if serial_edits:
        figures += _figures(f"{serial_edits} edits, one at a time", serial[0], serial_latencies, serial[1],
                            serial_correct, goal=False)
    return figures


def main() -> int:
    from bench.report import text_table

    print(text_table(run()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
