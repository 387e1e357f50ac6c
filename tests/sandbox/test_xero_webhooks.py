"""Xero webhooks over HTTP: signed event deliveries after API and UI changes, and the intent-to-receive check."""

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest
import requests
from django.conf import settings

from sandbox.xero import webhooks

from .xero_helpers import AU, api_for


class Receiver:
    """A webhook endpoint that checks x-xero-signature like the portal must (200 good, 401 bad)."""

    def __init__(self, key, always=None):
        self.key, self.always, self.calls = key, always, []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = base64.b64encode(hmac.new(receiver.key.encode(), body, hashlib.sha256).digest()).decode()
                valid = hmac.compare_digest(expected, self.headers.get("x-xero-signature", ""))
                receiver.calls.append({"body": body, "headers": dict(self.headers), "valid": valid})
                self.send_response(receiver.always or (200 if valid else 401))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sync/webhooks/xero/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=60):  # returns as soon as `count` arrived; generous for a busy machine
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.calls

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(sandbox):
    receiver = Receiver(settings.XERO_WEBHOOK_KEY)
    sandbox.configure(xero={"webhook_url": receiver.url})
    yield receiver
    receiver.close()


def test_creating_a_contact_posts_a_signed_contact_create_event(sandbox, receiver):
    api = api_for(sandbox)
    contact = api.put("Contacts", {"Contacts": [{"Name": "Bullseye"}]}).json()["Contacts"][0]
    calls = receiver.wait_for(1)
    assert len(calls) == 1 and calls[0]["valid"]
    payload = json.loads(calls[0]["body"])
    event = payload["events"][0]
    assert event["eventCategory"] == "CONTACT" and event["eventType"] == "CREATE"
    assert event["resourceId"] == contact["ContactID"]
    assert event["resourceUrl"] == f"{sandbox.url}/xero/api.xro/2.0/Contacts/{contact['ContactID']}"
    assert event["tenantId"] == AU and event["tenantType"] == "ORGANISATION"
    assert set(event) == {"resourceUrl", "resourceId", "eventDateUtc", "eventType", "eventCategory", "tenantId",
                          "tenantType"}
    assert payload["firstEventSequence"] == payload["lastEventSequence"] >= 1
    assert len(payload["entropy"]) == 20


def test_updating_an_invoice_and_a_payment_post_invoice_update_events_in_one_batch_each(sandbox, receiver):
    api = api_for(sandbox)
    created = api.put("Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "Hamm"}, "Status": "AUTHORISED",
                                                 "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10,
                                                                "AccountCode": "200", "TaxType": "OUTPUT"}]}]})
    invoice = created.json()["Invoices"][0]
    first = receiver.wait_for(1)[0]
    kinds = [(e["eventCategory"], e["eventType"]) for e in json.loads(first["body"])["events"]]
    assert kinds == [("CONTACT", "CREATE"), ("INVOICE", "CREATE")]
    api.post(f"Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Reference": "PO-9"}]})
    second = receiver.wait_for(2)[1]
    payload = json.loads(second["body"])
    assert [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in payload["events"]] == [
        ("INVOICE", "UPDATE", invoice["InvoiceID"])]
    assert payload["firstEventSequence"] > json.loads(first["body"])["lastEventSequence"]
    assert all(call["valid"] for call in receiver.calls)


def test_items_and_failed_writes_send_no_webhook(sandbox, receiver):
    api = api_for(sandbox)
    api.put("Items", {"Items": [{"Code": "A1", "Name": "Thing"}]})
    api.put("Contacts", {"Contacts": [{"Name": ""}]})
    webhooks.wait_for_deliveries(timeout=60)  # every delivery these requests started has finished (none, here)
    assert receiver.calls == []


def test_a_change_in_the_sandbox_ui_sends_the_webhook_too(sandbox, receiver):
    api_for(sandbox)
    response = requests.post(f"{sandbox.url}/xero/ui/{AU}/contacts/new/", data={"Name": "Wheezy"},
                             headers={"Origin": sandbox.url}, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    calls = receiver.wait_for(1)
    assert json.loads(calls[0]["body"])["events"][0]["eventType"] == "CREATE"
    assert calls[0]["valid"]


def test_the_webhook_key_is_configurable(sandbox, receiver):
    api = api_for(sandbox)
    sandbox.configure(xero={"webhook_key": "another-key"})
    api.put("Contacts", {"Contacts": [{"Name": "Lotso"}]})
    assert receiver.wait_for(1)[0]["valid"] is False
    receiver.key = "another-key"
    api.put("Contacts", {"Contacts": [{"Name": "Ken"}]})
    assert receiver.wait_for(2)[1]["valid"] is True


def test_the_intent_to_receive_check_passes_when_the_receiver_answers_200_and_401(sandbox, receiver):
    report = requests.post(sandbox.url + "/_sandbox/xero/webhooks/intent", timeout=15).json()
    assert report["passed"] is True
    assert report["correctly_signed"]["status"] == 200 and report["incorrectly_signed"]["status"] == 401
    payloads = [json.loads(call["body"]) for call in receiver.calls]
    assert payloads[0]["events"] == [] and payloads[0]["firstEventSequence"] == 0
    assert [call["valid"] for call in receiver.calls] == [True, False]


def test_the_intent_to_receive_check_fails_a_receiver_that_accepts_bad_signatures(sandbox):
    lax = Receiver(settings.XERO_WEBHOOK_KEY, always=200)
    try:
        sandbox.configure(xero={"webhook_url": lax.url})
        report = requests.post(sandbox.url + "/_sandbox/xero/webhooks/intent", timeout=15).json()
        assert report["passed"] is False
        assert report["incorrectly_signed"]["status"] == 200
    finally:
        lax.close()
