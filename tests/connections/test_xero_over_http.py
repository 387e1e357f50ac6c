"""Xero through the sandbox over HTTP: consent with several organisations, the client, reset, revocation,
and acceptance 4 (200 calls from 4 workers within Xero's real limits, no 429)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from connections import services
from connections.exceptions import AuthRevoked
from connections.models import ApiCallCounter, Status, XeroOrganisation, XeroTokenSet
from connections.providers.xero.adapter import XeroAdapter
from connections.providers.xero.client import XeroClient
from tests.connections.sandbox_flows import XERO_EMAIL, XERO_PASSWORD, connect_xero, connect_zoho
from tests.databases import needs_parallel_database


@pytest.fixture
def seeded(sandbox):
    sandbox.seed(xero={}, zoho={})
    return sandbox


def test_connecting_two_xero_organisations_stores_one_token_set_and_both_tenants(seeded, owner_client, organisation):
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=2)
    token_set = XeroTokenSet.objects.get()
    organisations = list(XeroOrganisation.objects.filter(organisation=organisation))
    assert len(organisations) == 2 and all(o.selected and o.token_set == token_set for o in organisations)
    assert all(o.connection_id and o.tenant_name for o in organisations)
    assert "accounting.contacts" in token_set.scopes and token_set.refresh_token

    names = {XeroClient(o).get_organisation()["Name"] for o in organisations}
    assert names == {o.tenant_name for o in organisations}
    page = owner_client.get(reverse("connections:index")).content.decode()
    assert all(o.tenant_name in page for o in organisations)
    assert page.count("1 of 5000") == 2  # today's quota: one call per organisation so far
    assert page.count("Xero reports 4999 left today") == 2


def test_resetting_one_organisation_disconnects_it_in_xero_and_it_can_be_connected_again(seeded, owner_client,
                                                                                         organisation):
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=2)
    first, second = XeroOrganisation.objects.order_by("tenant_name")
    access = XeroTokenSet.objects.get().access_token

    owner_client.post(reverse("connections:reset_xero", args=[first.pk]), {"confirm": "on"})

    remaining = [c["tenantId"] for c in XeroAdapter().list_connections(access)]
    assert remaining == [second.tenant_id]
    assert list(XeroOrganisation.objects.all()) == [second]
    assert AuditEntry.objects.filter(action="disconnect", xero_tenant_id=first.tenant_id).exists()

    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=[first.tenant_name])
    assert sorted(XeroOrganisation.objects.values_list("tenant_name", flat=True)) == sorted(
        [first.tenant_name, second.tenant_name])


def test_resetting_the_last_organisation_revokes_the_grant(seeded, owner_client):
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=1)
    xero = XeroOrganisation.objects.get()
    refresh_token = xero.token_set.refresh_token
    owner_client.post(reverse("connections:reset_xero", args=[xero.pk]), {"confirm": "on"})
    assert not XeroTokenSet.objects.exists()
    from connections.exceptions import AuthRevoked as Revoked

    with pytest.raises(Revoked):
        XeroAdapter().refresh(refresh_token)


def test_a_revoked_xero_grant_shows_reconnect_needed_pauses_sync_and_is_audited(seeded, owner_client, organisation,
                                                                                  owner):
    """Acceptance 5 (Xero)."""
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=1)
    connect_zoho(owner_client)
    services.accept_terms(organisation, owner)
    xero = XeroOrganisation.objects.get()
    assert services.ready_for_sync(organisation)

    XeroAdapter().revoke(xero.token_set.refresh_token)  # e.g. the user disconnected the app in Xero
    XeroTokenSet.objects.filter(pk=xero.token_set_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(AuthRevoked):
        XeroClient(XeroOrganisation.objects.get()).get_contacts_by_ids(["x"])

    assert XeroTokenSet.objects.get().status == Status.RECONNECT_NEEDED
    assert not services.ready_for_sync(organisation)
    entry = AuditEntry.objects.get(module="connection", status="failed")
    assert xero.tenant_name in entry.message and entry.xero_tenant_id == xero.tenant_id
    page = owner_client.get(reverse("connections:index")).content.decode()
    assert 'data-testid="xero-reconnect-needed"' in page and 'data-testid="reconnect-xero"' in page

    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=1)
    assert services.ready_for_sync(organisation)
    assert not XeroTokenSet.objects.filter(status=Status.RECONNECT_NEEDED).exists()


class SandboxClockPump(threading.Thread):
    """Runs the sandbox clock SPEED times faster than real time (through its /_sandbox/clock control), so
    Xero's 60-second windows pass in 60/SPEED real seconds."""

    def __init__(self, sandbox, speed: float):
        super().__init__(daemon=True)
        self.sandbox, self.speed = sandbox, speed
        self.stopped = threading.Event()

    def run(self):
        started, advanced = time.monotonic(), 0.0
        while not self.stopped.is_set():
            target = (time.monotonic() - started) * (self.speed - 1)
            self.sandbox.advance_clock(target - advanced)
            advanced = target
            self.stopped.wait(0.01)


@needs_parallel_database
def test_two_hundred_calls_from_four_workers_stay_within_xero_limits_without_a_429(seeded, owner_client, settings):
    """Acceptance 4. The sandbox keeps Xero's real limits (60 calls per minute, 5 in flight, fixed windows on
    its clock). To finish in seconds, the test runs the sandbox clock SPEED times faster than real time (so
    its minute lasts 60/SPEED real seconds) and gives our limiter the same scaled window plus a third of
    margin for the clock pump's jitter: 60 calls per 4 real seconds against a sandbox minute of 3 real seconds.
    Each sandbox call also takes 20 ms, so calls overlap and the in-flight limit matters."""
    speed = 20
    settings.XERO_RATE_LIMIT_WINDOW_SECONDS = 60 / speed * 4 / 3
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=1)
    xero = XeroOrganisation.objects.get()
    seeded.configure(latency={"xero": 0.02})
    seeded.reset_counters()
    pump = SandboxClockPump(seeded, speed)
    errors, done = [], []
    lock = threading.Lock()

    def worker():
        try:
            client = XeroClient(XeroOrganisation.objects.get(pk=xero.pk))
            for _ in range(50):
                client.get_tax_rates()
                with lock:
                    done.append(1)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    pump.start()
    try:
        workers = [threading.Thread(target=worker) for _ in range(4)]
        started = time.monotonic()
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=120)
        elapsed = time.monotonic() - started
    finally:
        pump.stopped.set()
        pump.join(timeout=5)

    assert errors == [] and len(done) == 200
    counters = ApiCallCounter.objects.filter(external_id=xero.tenant_id, endpoint="GET TaxRates").get()
    assert counters.count == 200 and counters.rate_limited == 0
    # 200 calls at 60 per window need at least three full windows.
    assert elapsed >= 3 * settings.XERO_RATE_LIMIT_WINDOW_SECONDS
    xero_counts = seeded.counters()["xero"]
    assert xero_counts["throttled"] == 0 and xero_counts["by_tenant"][xero.tenant_id] == 200


@needs_parallel_database
def test_eight_workers_never_have_more_than_five_calls_in_flight(seeded, owner_client):
    """The in-flight limit: each sandbox call takes 100 ms, eight workers call at once; the sandbox answers
    429 "concurrent" to a sixth call in flight, and none arrives."""
    connect_xero(owner_client, email=XERO_EMAIL, password=XERO_PASSWORD, tenants=1)
    xero = XeroOrganisation.objects.get()
    seeded.configure(latency={"xero": 0.1})
    seeded.reset_counters()
    errors = []

    def worker():
        try:
            client = XeroClient(XeroOrganisation.objects.get(pk=xero.pk))
            for _ in range(4):
                client.get_accounts()
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(8)]
    started = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert errors == []
    assert seeded.counters()["xero"]["throttled"] == 0
    # 32 calls of 0.1 s, at most 5 at a time: at least 7 rounds.
    assert time.monotonic() - started >= 0.6
