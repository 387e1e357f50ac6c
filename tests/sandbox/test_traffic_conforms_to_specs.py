"""The traffic of a full journey, as the sandbox records it (SANDBOX_TRAFFIC_LOG), is valid against the
official OpenAPI documents of Xero (accounting, identity) and Zoho CRM v8 in ../shared/specs/.

The journey: connect both providers through their OAuth pages, read Zoho's field metadata and Xero's reference
data, sync accounts, products and invoices both ways (with payments back), edit on both sides and sync again,
turn on-save sync on (Zoho watch), let a Zoho notification reach the live portal and its task update Xero, and
meet a 404 and a 429. The Xero webhooks of the journey's writes reach the live portal too; they travel from the
sandbox to the portal, so they are not in the log, and their bodies are validated against xero-webhooks.yaml.
Every response is checked by openapi-core; what no document can describe is listed with the reason (see
spec_conformance).
"""

import json

from django.utils import timezone

from mapping.taxes import save_default_accounts
from sync import services
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink
from sync.settings_services import organisation_settings
from sync.trigger_models import ZohoChannel
from tests.sync.portal_setup import connect, start_syncing
from tests.sync.test_trigger_notifications import run_tasks_in_the_request
from tests.sync.workers import wait_for

from .spec_conformance import validate_log, webhook_errors, zoho

MODULES = ("accounts", "products", "invoices")


def _sync_everything(portal):
    for module in MODULES:
        for direction in (ZOHO_TO_XERO, XERO_TO_ZOHO):
            services.sync_records(portal.xero_organisation, module, direction, trigger="cron")


def _zoho_sale(portal):
    def insert(module, **fields):
        [result] = portal.zoho.insert_records(module, [fields])
        assert result.ok, result
        return result.id

    account = insert("Accounts", Account_Name="Journey Customer Pty")
    product = insert("Products", Product_Name="Journey Widget", Product_Code="JW-1", Unit_Price=25)
    return insert("Invoices", Subject="Journey build", Account_Name={"id": account}, Status="Approved",
                  Invoiced_Items=[{"Product_Name": {"id": product}, "Quantity": 2, "List_Price": 25}])


def _xero_sale(portal):
    [item] = portal.xero.save_items([{"Code": "XJ-1", "Name": "Xero journey item", "SalesDetails": {
        "UnitPrice": 12.3456, "AccountCode": "200", "TaxType": "OUTPUT"}}], create_only=True)
    assert item.ok, item
    contact_id = next(portal.xero.iter_contacts())["ContactID"]
    [invoice] = portal.xero.save_invoices([{"Type": "ACCREC", "Contact": {"ContactID": contact_id},
                                            "Status": "AUTHORISED", "LineAmountTypes": "Exclusive",
                                            "LineItems": [{"ItemCode": "XJ-1", "Quantity": 1}]}], create_only=True)
    assert invoice.ok, invoice
    return invoice.id


def _journey(portal, sandbox, live_server, settings, monkeypatch):
    save_default_accounts(portal.xero_organisation, {"invoices": "200", "products": "200"})
    sandbox.seed(xero={"contacts": 2, "items": 0, "invoices": 0}, zoho={"accounts": 0, "products": 0, "invoices": 0})
    zoho_invoice = _zoho_sale(portal)
    _xero_sale(portal)
    _sync_everything(portal)

    invoice_link = RecordLink.objects.get(module="invoices", zoho_id=zoho_invoice)
    [invoice] = portal.xero.get_invoices_by_ids([invoice_link.xero_id])
    if invoice["Status"] == "AUTHORISED" and invoice["AmountDue"]:
        portal.xero._write("PUT", "Payments", "Payments", [{
            "Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Account": {"Code": "090"},
            "Amount": invoice["AmountDue"], "Date": timezone.localdate().isoformat()}], key="journey-payment")
    account_link = RecordLink.objects.filter(module="accounts").first()
    portal.zoho.update_records("Accounts", [{"id": account_link.zoho_id, "Phone": "+61 2 5550 4321"}])
    portal.xero.save_contacts([{"ContactID": account_link.xero_id, "AccountNumber": "JOURNEY-1"}])
    _sync_everything(portal)

    # On-save sync: the Zoho watch channel and a Zoho notification to the live portal, whose task updates Xero.
    # The Xero webhooks of the writes above have reached the live portal (their tasks were queued, not run);
    # from here tasks run in the request, one callback at a time on SQLite's shared connection.
    sandbox.http.get(sandbox.url + "/_sandbox/xero/webhooks/deliveries?wait=1", timeout=30)
    sandbox.configure(xero={"webhooks_enabled": False})
    settings.PORTAL_BASE_URL = live_server.url
    run_tasks_in_the_request(monkeypatch)
    row = organisation_settings(portal.organisation)
    row.on_save_sync = True
    row.save()
    assert ZohoChannel.objects.get().registered
    portal.zoho.update_records("Accounts", [{"id": account_link.zoho_id, "Account_Name": "Journey Renamed Pty"}])
    wait_for(lambda: portal.xero.get_contacts_by_ids([account_link.xero_id])[0]["Name"] == "Journey Renamed Pty",
             timeout=60, message="the Zoho rename to reach Xero through the notification")
    portal.zoho.list_notifications()

    # Errors the portal meets: an unknown record and the minute limit.
    assert portal.xero.get_contacts_by_ids(["00000000-0000-0000-0000-00000000abcd"]) == []
    api = sandbox.http
    token = portal.xero_organisation.token_set
    from connections.providers.xero import tokens

    headers = {"Authorization": f"Bearer {tokens.access_token(token.pk)}",
               "xero-tenant-id": portal.xero_organisation.tenant_id}
    assert api.get(f"{sandbox.url}/xero/api.xro/2.0/Invoices/00000000-0000-0000-0000-00000000abcd",
                   headers=headers, timeout=10).status_code == 404
    sandbox.configure(xero={"minute_limit": 1})
    statuses = {api.get(f"{sandbox.url}/xero/api.xro/2.0/Organisation", headers=headers, timeout=10).status_code
                for _ in range(2)}
    assert 429 in statuses


def test_the_traffic_of_a_full_journey_is_valid_against_the_official_specs(
        sandbox, owner_client, organisation, owner, settings, live_server, monkeypatch, tmp_path):
    log = tmp_path / "traffic.jsonl"
    settings.SANDBOX_TRAFFIC_LOG = str(log)
    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    _journey(portal, sandbox, live_server, settings, monkeypatch)

    report = validate_log(log)
    print(report.describe())  # the list of what the specs cannot describe, with the reasons
    lines = [json.loads(text) for text in log.read_text().splitlines()]
    covered = {(line["provider"], line["method"]) for line in lines}
    assert {("xero", "GET"), ("xero", "PUT"), ("xero", "POST"), ("zoho", "GET"), ("zoho", "POST"),
            ("zoho", "PUT")} <= covered
    assert report.validated >= 50, report.describe()
    assert report.errors == [], report.describe()
    statuses = {(f.status, f.detail) for f in report.undescribed}
    assert any(status == 429 for status, _detail in statuses), report.describe()  # listed, with its reason
    assert all(f.detail for f in report.undescribed)
    deliveries = sandbox.http.get(sandbox.url + "/_sandbox/xero/webhooks/deliveries?wait=1", timeout=30).json()
    assert deliveries["deliveries"] and all(row["status"] == 200 for row in deliveries["deliveries"])
    payloads = [row["payload"] for row in deliveries["deliveries"]]
    categories = {event["eventCategory"] for payload in payloads for event in payload["events"]}
    assert {"CONTACT", "INVOICE"} <= categories, categories
    webhook = {"CONTACT": "contacts", "INVOICE": "invoices"}
    checked = [webhook_errors(payload, webhook[payload["events"][0]["eventCategory"]]) for payload in payloads]
    assert [error for errors, _defects in checked for error in errors] == []
    assert zoho().unresolved <= {f"https://raw.githubusercontent.com/Zohocorp-Pvt-Ltd/crm-oas/refs/heads/main/v8.0/{name}.json"
                                 for name in ("tags", "profiles", "related_lists")}
