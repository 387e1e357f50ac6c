"""Xero webhooks from the sandbox to the live portal: the intent-to-receive check passes (200 signed, 401 not),
and a contact changed in Xero reaches Zoho through the webhook and the real task code (eager path)."""

import pytest

from sync import services
from sync.models import RecordLink
from sync.triggers import tasks

from .portal_setup import connect, start_syncing
from .workers import wait_for


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings, live_server, monkeypatch):
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    monkeypatch.setattr(tasks.xero_changed_task, "apply_async",
                        lambda args=None, kwargs=None, **options: tasks.xero_changed_task.apply(args, kwargs))
    return portal


def test_the_intent_to_receive_check_passes(portal, sandbox):
    result = sandbox.http.post(sandbox.url + "/_sandbox/xero/webhooks/intent", timeout=30).json()
    assert result["passed"], result
    assert result["correctly_signed"]["status"] == 200 and result["incorrectly_signed"]["status"] == 401


def test_a_contact_changed_in_xero_reaches_zoho_through_the_webhook(portal, sandbox):
    sandbox.seed(zoho={"accounts": 1, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="historical")
    link = RecordLink.objects.get(module="accounts")
    portal.xero.save_contacts([{"ContactID": link.xero_id, "AccountNumber": "HOOK-7"}])
    wait_for(lambda: portal.zoho.get_record("Accounts", link.zoho_id).get("Account_Number") == "HOOK-7",
             timeout=60, message="the Xero change to reach Zoho")

    def delivered():  # the sandbox records a delivery when the portal has answered it (after the task ran)
        deliveries = sandbox.http.get(sandbox.url + "/_sandbox/xero/webhooks/deliveries").json()
        return deliveries.get("deliveries", deliveries) if isinstance(deliveries, dict) else deliveries

    rows = wait_for(delivered, timeout=60, message="the webhook delivery to be recorded")
    assert all(row["status"] == 200 for row in rows), rows
