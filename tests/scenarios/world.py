"""Two Xero organisations (the sandbox's AU and UK demo companies) on one Zoho CRM, with the live triggers caught
by an inbox and delivered to the portal's own endpoints (signature and token checks included).

The sandbox posts Zoho notifications and Xero webhooks to `Inbox`; `Triggers.deliver()` hands every caught
delivery to the portal's views (`/sync/notifications/zoho/`, `/sync/webhooks/xero/`) with the Django test client,
so the callbacks run the real verification and queue the real tasks: eagerly in this process on SQLite, on real
Celery workers with PostgreSQL and Redis. Delivering in rounds makes the chains visible: what a delivery caused
is caught again and delivered in the next round.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import Client

from audit.models import AuditEntry
from connections import services as connection_services
from connections.models import XeroOrganisation, ZohoConnection
from connections.providers.xero.client import XeroClient
from connections.providers.zoho.client import ZohoClient
from mapping import services as mapping_services
from mapping import taxes as mapping_taxes
from sync.models import SYNCED_MODULES, RunStatus, SyncRun
from sync.readiness import services as readiness
from sync.settings_services import organisation_settings
from sync.triggers import notifications, webhooks
from tests.connections.sandbox_flows import connect_xero, connect_zoho
from tests.sync.portal_setup import XERO_EMAIL, XERO_PASSWORD, writes


class Inbox:
    """A tiny HTTP server on a free loopback port that keeps every POST (path, headers, body)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict, bytes]] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with inbox.lock:
                    inbox.received.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def take(self) -> list[tuple[str, dict, bytes]]:
        with self.lock:
            taken, self.received = self.received, []
        return taken

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Org:
    xero_organisation: XeroOrganisation
    xero: XeroClient

    @property
    def name(self) -> str:
        return self.xero_organisation.tenant_name


@dataclass
class World:
    organisation: object
    zoho: ZohoClient
    orgs: list[Org]
    sandbox: object
    inbox: Inbox
    real_workers: bool = False
    rounds: list[dict] = field(default_factory=list)

    def writes(self) -> int:
        return writes(self.sandbox, "xero") + writes(self.sandbox, "zoho")


def connect_two(sandbox, owner_client, organisation, owner, settings) -> tuple[ZohoClient, list[Org]]:
    settings.XERO_RATE_LIMIT_PER_WINDOW = 100_000
    settings.XERO_MAX_CONCURRENT = 50
    settings.XERO_DAILY_LIMIT = 1_000_000
    settings.ZOHO_MAX_CONCURRENT = 50
    sandbox.configure(xero={"minute_limit": 100_000, "day_limit": 1_000_000, "concurrent_limit": 50},
                      zoho={"concurrency": 50, "daily_credits": 10_000_000})
    sandbox.seed(xero={"contacts": 0, "items": 0, "invoices": 0}, zoho={"accounts": 0, "products": 0, "invoices": 0})
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=2)
    connect_zoho(owner_client, dc="eu")
    connection_services.accept_terms(organisation, owner)
    zoho = ZohoClient(ZohoConnection.objects.get(organisation=organisation))
    mapping_services.refresh_zoho_fields(organisation, zoho)
    orgs = []
    for xero_organisation in XeroOrganisation.objects.filter(organisation=organisation).order_by("tenant_name"):
        xero = XeroClient(xero_organisation)
        mapping_taxes.refresh_xero_reference(xero_organisation, xero)
        mapping_taxes.save_default_accounts(xero_organisation, {"invoices": "200", "products": "200"})
        for module in SYNCED_MODULES:  # the admin starts every module both ways: a new organisation syncs nothing
            for direction in ("zoho_to_xero", "xero_to_zoho"):
                readiness.start_syncing(xero_organisation, module, direction)
        orgs.append(Org(xero_organisation, xero))
    assert len(orgs) == 2, [o.name for o in orgs]
    return zoho, orgs


def go_live(world: World, settings) -> None:
    """On Save Sync on (the Zoho channel points at the inbox) and Xero webhooks to the inbox."""
    settings.PORTAL_BASE_URL = world.inbox.url
    world.sandbox.configure(xero={"webhook_url": f"{world.inbox.url}/sync/webhooks/xero/", "webhooks_enabled": True})
    row = organisation_settings(world.organisation)
    row.on_save_sync = True
    row.save()
    channel = notifications.reconcile(world.organisation)
    assert channel is not None and channel.registered, channel


def _settle(timeout: float = 15.0) -> None:
    """Let the sandbox finish posting what its last writes notified."""
    from sandbox.xero import webhooks as sandbox_webhooks
    from sandbox.zoho import notify as sandbox_notify

    sandbox_notify.wait_idle(timeout)
    sandbox_webhooks.wait_for_deliveries(timeout)


def _runs_idle() -> bool:
    return not SyncRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).exists()


def _queues_idle() -> bool:
    """No task waits in the broker's queues or is being worked on (Redis: the queue lists and `unacked`). A task
    queued but not yet started has no run yet: without this, a loaded machine's slow worker looked idle."""
    from django.conf import settings

    from syncportal.celery import app

    with app.connection_for_read() as connection:
        client = connection.default_channel.client
        return not client.hlen("unacked") and not any(client.llen(queue)
                                                       for queue in settings.CELERY_TASK_QUEUES_NAMES)


def wait_for_workers(quiet_seconds: float = 2.0, timeout: float = 180.0) -> None:
    """Real workers: wait until no task is queued or running, no run is pending or running and the audit log
    stopped growing for a while."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        count = AuditEntry.objects.count()
        if count != last or not _runs_idle() or not _queues_idle():
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            return
        time.sleep(0.2)
    from tests.sync.workers import queued_tasks

    busy = list(SyncRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).values_list(
        "module", "direction", "trigger", "status"))
    raise AssertionError(f"the workers did not settle in {timeout} s: runs {busy}, tasks {queued_tasks()}")


def _batched_webhooks(caught):
    """Xero sends the events of a few seconds in one signed webhook: so do we (the sandbox posts one per request),
    signed again with the webhook key, so the portal's signature check still runs."""
    hooks = [json.loads(body) for path, _h, body in caught if path.startswith("/sync/webhooks/xero/") and body]
    others = [item for item in caught if not item[0].startswith("/sync/webhooks/xero/")]
    if not hooks:
        return others
    events = [event for hook in hooks for event in hook.get("events") or []]
    body = json.dumps({"events": events, "firstEventSequence": hooks[0].get("firstEventSequence"),
                       "lastEventSequence": hooks[-1].get("lastEventSequence"), "entropy": "BATCHED"}).encode()
    return [*others, ("/sync/webhooks/xero/", {"x-xero-signature": webhooks.signature_of(body)}, body)]


def deliver(world: World, *, max_rounds: int = 6) -> list[dict]:
    """Deliver caught notifications and webhooks to the portal, round after round, until none arrives.

    Returns one dict per round: deliveries, writes they caused (sandbox write calls), and the audit entries
    written meanwhile with a live trigger."""
    client = Client()
    rounds = []
    for _ in range(max_rounds):
        _settle()
        caught = world.inbox.take()
        if not caught:
            break
        caught = _batched_webhooks(caught)
        before_writes, before_audit = world.writes(), AuditEntry.objects.count()
        for path, headers, body in caught:
            extra = {}
            signature = headers.get("x-xero-signature") or headers.get("X-Xero-Signature")
            if signature:
                extra["HTTP_X_XERO_SIGNATURE"] = signature
            response = client.post(path, data=body, content_type="application/json", **extra)
            assert response.status_code == 200, (path, response.status_code, body[:300])
        if world.real_workers:
            wait_for_workers()
        _settle()
        rounds.append({
            "deliveries": [(path, json.loads(body or b"{}")) for path, _h, body in caught],
            "writes": world.writes() - before_writes,
            "entries": list(AuditEntry.objects.order_by("created_at")[before_audit:]),
        })
    world.rounds.extend(rounds)
    return rounds
