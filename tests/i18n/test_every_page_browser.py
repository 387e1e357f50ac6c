"""Every page of the portal, in German and in French, shows no English besides names.

The pages come from the URL configuration: every pattern is either visited below (signed out, signed in as the
owner of an organisation with two connected Xero organisations, Zoho CRM, mappings, sync runs, audit entries with
failures and historical jobs) or listed in EXCLUDED with the reason, or in POST_ONLY (and then answers 405 to a
GET). A new page that is none of these fails the test, so it cannot be forgotten.

What counts as English: the text of the page (every text node, hidden ones too, the title, and the placeholder,
aria-label, title, alt and button value attributes) with the names removed (organisations, Xero organisations,
records, Zoho and Xero field, tax and account names, email addresses, product names), then
* any English sentence of the catalogue whose translation differs from it, found verbatim, and
* any word of a list of common English words that are neither German nor French.
Text inside <textarea> (a form's data) and inside elements marked translate="no" is data, not looked at.
"""

import os
import re
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from audit.models import (
    Action,
    AuditEntry,
    Direction,
    Module,
    ResyncBatch,
    ResyncRequest,
    ResyncStatus,
    Status,
    Trigger,
)
from connections import services as connection_services
from connections.models import XeroOrganisation, ZohoConnection
from connections.providers.xero.client import XeroClient
from connections.providers.zoho.client import ZohoClient
from mapping import services as mapping_services
from mapping import taxes as mapping_taxes
from mapping.models import XeroAccount, XeroTaxRate, ZohoFieldCache, ZohoTax
from mapping.registry import DIRECTION_SLUGS, MAPPABLE_MODULES
from sync import services as sync_services
from sync.engine import messages as engine_messages
from sync.models import RecordLink, RunStatus, SyncRun
from sync.trigger_models import ButtonKey, HistoricalItem, HistoricalJob, JobStatus
from sync.triggers import copy as copy_trigger
from sync.triggers import keys, reasons
from tenancy.models import Membership, Organisation, Role
from tests.audit.factories import days_ago, hours_ago, make_entry
from tests.conftest import BROWSER_TIMEOUT_MS, PASSWORD
from tests.connections.sandbox_flows import connect_xero, connect_zoho
from tests.i18n.english import english_in, english_sentences

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases="__all__")]

ROOT = Path(__file__).resolve().parents[2]
DUMP_DIR = os.environ.get("I18N_DUMP_DIR")  # write every page's text there (to look at what the test sees)
LANGUAGES = {"de": "de-DE", "fr": "fr-FR"}

# Patterns reachable with GET that this test does not open, and why.
EXCLUDED = {
    "tenancy:healthz": "a JSON health check for load balancers, not a page",
    "mapping:export": "a JSON file download, not a page",
    "audit:export": "a CSV file download, not a page",
    "admin:*": "Django's admin, for staff only (owners are not staff); Django ships its German and French",
}
# Patterns that take POST only: the test checks that a GET answers 405; their results are the pages (and the
# messages) they redirect to, which are visited.
POST_ONLY = {
    "tenancy:logout", "tenancy:set_language", "tenancy:switch_organisation",
    "connections:xero_connect", "connections:zoho_connect",
    "mapping:refresh_zoho_fields", "mapping:import", "mapping:refresh_taxes",
    "sync:historical_control", "sync:zoho_notification", "sync:zoho_workflow", "sync:xero_webhook",
    "audit:resync", "sync:rotate_key", "sync:cancel_run",
}

COLLECT_TEXT = """() => {
  const parts = [document.title];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, textarea, noscript, [translate="no"]')) continue;
    const text = node.nodeValue.trim();
    if (text) parts.push(text);
  }
  // With JavaScript on, a <noscript>'s content is raw markup: its text is what a reader without JavaScript sees.
  for (const fallback of document.querySelectorAll('noscript')) {
    if (!fallback.closest('[translate="no"]')) {
      parts.push(new DOMParser().parseFromString(fallback.textContent, 'text/html').body.textContent.trim());
    }
  }
  for (const template of document.querySelectorAll('template')) {
    if (!template.closest('[translate="no"]')) parts.push(template.content.textContent.trim());
  }
  const attributes = ['placeholder', 'aria-label', 'title', 'alt', 'data-confirm', 'hx-confirm'];
  for (const el of document.querySelectorAll('*')) {
    if (el.closest('[translate="no"]')) continue;
    for (const name of attributes) { if (el.hasAttribute(name)) parts.push(el.getAttribute(name)); }
    for (const attr of el.attributes) {
      if (attr.name.startsWith('data-msg-') || (attr.name.startsWith('data-') && attr.name.endsWith('-text'))) parts.push(attr.value);
    }
    if (el.matches('input[type=submit], input[type=button], input[type=reset]') && el.value) parts.push(el.value);
  }
  return parts;
}"""


# --- the URL configuration ------------------------------------------------------------------------------------


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or pattern.lookup_str}"


def every_url_name() -> set:
    return set(_patterns())


# --- the organisation ------------------------------------------------------------------------------------------


def build_world(sandbox, client, organisation, owner, settings, live_server):
    """An organisation as it looks after a few weeks of use."""
    settings.PORTAL_BASE_URL = live_server.url
    sandbox.configure(xero={"webhooks_enabled": False})
    sandbox.seed(xero={"contacts": 3, "items": 2, "invoices": 0}, zoho={"accounts": 4, "products": 2, "invoices": 0})
    client.force_login(owner)
    connect_xero(client, email="demo@xero.sandbox", password="sandbox", tenants=2)
    connect_zoho(client, dc="eu")
    connection_services.accept_terms(organisation, owner)
    xero_organisations = list(XeroOrganisation.objects.filter(organisation=organisation).order_by("tenant_name"))
    assert len(xero_organisations) == 2
    zoho = ZohoClient(ZohoConnection.objects.get(organisation=organisation))
    mapping_services.refresh_zoho_fields(organisation, zoho)
    for xero_organisation in xero_organisations:
        mapping_taxes.refresh_xero_reference(xero_organisation, XeroClient(xero_organisation))
    first, second = xero_organisations

    # Real sync: Copy to Xero of two Zoho accounts, and of one that does not exist (a failure).
    zoho_accounts = list(zoho.iter_records("Accounts", ["Account_Name"]))
    accounts = zoho_accounts[:2]
    account_ids = [record["id"] for record in accounts]
    for record_id in account_ids:
        copy_trigger.copy_record(organisation, "accounts", record_id)
    copy_trigger.copy_record(organisation, "accounts", "999999999999")

    _messy_failures(organisation, first, zoho)

    # More history: failures with the engine's messages, a skipped record, a connection problem, runs.
    tenant = {"xero_tenant_id": first.tenant_id, "xero_tenant_name": first.tenant_name}
    failed = make_entry(organisation, module=Module.INVOICES, action=Action.CREATE, status=Status.FAILED,
                        trigger=Trigger.CRON, record_name="INV-0042 Harbour Foods", zoho_id="4100000042",
                        message_key=engine_messages.CREATE_OFF, message_params={"target": "Xero"},
                        message="Not created in Xero.", provider_error_code="ValidationException",
                        created_at=hours_ago(2), **tenant)
    make_entry(organisation, module=Module.PRODUCTS, action=Action.UPDATE, status=Status.SKIPPED,
               trigger=Trigger.WEBHOOK, direction=Direction.XERO_TO_ZOHO, record_name="Widget Pro",
               message_key=reasons.UNCHANGED, created_at=days_ago(1), **tenant)
    make_entry(organisation, module=Module.ACCOUNTS, action=Action.UPDATE, status=Status.FAILED,
               trigger=Trigger.ON_SAVE, record_name="Meridian Trading Ltd", message_key=engine_messages.SYNC_OFF,
               created_at=days_ago(3), **tenant)
    make_entry(organisation, module=Module.CONNECTION, action=Action.UPDATE, status=Status.FAILED,
               trigger=Trigger.SYSTEM, record_name="", zoho_id="", created_at=days_ago(4),
               message_key=reasons.REFUSED, **tenant)
    make_entry(organisation, module=Module.CONTACTS, action=Action.CREATE, status=Status.SUCCESS,
               trigger=Trigger.HISTORICAL, record_name="Ana Meridian", message_key=engine_messages.CREATED,
               message_params={"target": "Xero"}, created_at=days_ago(6), **tenant)
    fixed = make_entry(organisation, module=Module.PRODUCTS, action=Action.UPDATE, status=Status.FAILED,
                       trigger=Trigger.CRON, record_name="Widget Pro", message_key=engine_messages.SYNC_OFF,
                       created_at=days_ago(2), **tenant)
    make_entry(organisation, module=Module.PRODUCTS, action=Action.UPDATE, status=Status.SUCCESS,
               trigger=Trigger.RESYNC, record_name="Widget Pro", message_key=engine_messages.UPDATED,
               message_params={"target": "Xero"}, resync_of=fixed, created_at=days_ago(1.5), **tenant)
    batch = ResyncBatch.objects.create(organisation=organisation, requested_by=owner, status=ResyncStatus.DONE,
                                       filters={"status": "failed"}, scanned=3, queued=2, skipped=1)
    ResyncRequest.objects.create(organisation=organisation, entry=failed, batch=batch, record_key="invoices:42",
                                 requested_by=owner, status=ResyncStatus.FAILED)
    for status, trigger in ((RunStatus.DONE, "cron"), (RunStatus.FAILED, "on_save"), (RunStatus.RUNNING, "cron")):
        SyncRun.objects.create(organisation=organisation, xero_organisation=first, module="accounts",
                               direction="zoho_to_xero", trigger=trigger, status=status, total=4, done=3, failed=1)
    RecordLink.objects.get_or_create(organisation=organisation, xero_organisation=second, module="products",
                                     zoho_id="5100000001", defaults={"xero_id": str(uuid.uuid4()),
                                                                     "name": "Widget Pro"})

    # Historical jobs: one finished with a dry run, one paused half-way, one being planned.
    dry_run = {"accounts": {"create": 3, "update": 1, "skip": 2,
                            "reasons": {f"skip|{reasons.ALREADY_SYNCED}": 2}, "examples": {}}}
    jobs = [
        HistoricalJob.objects.create(organisation=organisation, xero_organisation=first, created_by=owner,
                                     modules=["accounts"], direction="zoho_to_xero", status=JobStatus.DONE,
                                     planned_modules=["accounts"], dry_run=dry_run, total=6, done=5, failed=1),
        HistoricalJob.objects.create(organisation=organisation, xero_organisation=second, created_by=owner,
                                     modules=["accounts", "products", "invoices"], direction="xero_to_zoho",
                                     status=JobStatus.PAUSED, planned_modules=["accounts", "products", "invoices"],
                                     dry_run={"accounts": {"create": 2}, "products": {"update": 1},
                                              "invoices": {"create": 5}}, total=8, done=3, failed=0),
        HistoricalJob.objects.create(organisation=organisation, xero_organisation=first, created_by=owner,
                                     modules=["products"], direction="zoho_to_xero", status=JobStatus.PLANNED,
                                     planned_modules=["products"], dry_run={"products": {"create": 2}}),
    ]
    # ... and one running, with items left (progress bar and time left).
    running = HistoricalJob.objects.create(
        organisation=organisation, xero_organisation=first, created_by=owner, modules=["accounts"],
        direction="zoho_to_xero", status=JobStatus.RUNNING, planned_modules=["accounts"],
        dry_run={"accounts": {"create": 60}}, total=60, done=20, failed=2, started_at=days_ago(0.01))
    HistoricalItem.objects.bulk_create([HistoricalItem(job=running, module="accounts", source_id=str(n),
                                                       planned="create") for n in range(38)])
    jobs.append(running)
    # A "Resync all failed" still at work.
    running_batch = ResyncBatch.objects.create(organisation=organisation, requested_by=owner,
                                               status=ResyncStatus.RUNNING, filters={"module": "accounts"},
                                               scanned=2, queued=2)
    ResyncRequest.objects.create(organisation=organisation, entry=failed, batch=running_batch,
                                 record_key="invoices:42:b", requested_by=owner, status=ResyncStatus.QUEUED)

    # Xero revoked the second organisation's access: "reconnect needed" on the dashboard and connections.
    connection_services.mark_reconnect_needed(second, reason="invalid_grant")

    # A second organisation in which the owner may only read: the organisation switcher, and a 403.
    other = Organisation.objects.create(name="Globex GmbH")
    Membership.objects.create(organisation=other, user=owner, role=Role.READ_ONLY)
    zoho_names = [record["Account_Name"] for record in zoho_accounts] + [
        record["Product_Name"] for record in zoho.iter_records("Products", ["Product_Name"])]
    return {"xero": xero_organisations, "account_name": accounts[0]["Account_Name"], "zoho_names": zoho_names, "jobs": jobs, "entries": list(AuditEntry.objects.filter(
        organisation=organisation)), "batches": [batch, running_batch], "other": other}


def _messy_failures(organisation, xero_organisation, zoho):
    """Real failures of a messy world (issue 13), made by the engine: a Xero invoice with a line without an item
    (no Zoho product chosen for such lines), a contact whose name is too long for Zoho and its invoice, which waits
    for it; Copy to Xero of a Zoho invoice whose product's tax has no Xero rate (the invoice waits for the product
    and says why); and a provider refusal whose English answer belongs in the entry's details only."""
    from sync.readiness import services as readiness

    for module in ("accounts", "contacts", "products", "invoices"):  # the admin started syncing (all starts off)
        for direction in ("zoho_to_xero", "xero_to_zoho"):
            readiness.start_syncing(xero_organisation, module, direction)
    xero = XeroClient(xero_organisation)
    contact = next(iter(xero.iter_contacts()))["ContactID"]
    [too_long] = xero.save_contacts([{"Name": "Long " + "Trading Company Name " * 10}])
    line = {"Description": "Call-out fee", "Quantity": 1, "UnitAmount": 80, "AccountCode": "200"}
    invoices = xero.save_invoices([
        {"Type": "ACCREC", "Contact": {"ContactID": contact}, "Date": "2026-11-02", "Status": "DRAFT",
         "DueDate": "2026-12-02", "LineItems": [line]},
        {"Type": "ACCREC", "Contact": {"ContactID": too_long.id}, "Date": "2026-11-02", "Status": "DRAFT",
         "DueDate": "2026-12-02", "LineItems": [line]}])
    sync_services.sync_records(xero_organisation, "invoices", "xero_to_zoho", ids=[i.id for i in invoices],
                               trigger="cron")
    mapping_taxes.refresh_zoho_taxes(organisation, zoho)
    mapping_taxes.save_default_accounts(xero_organisation, {"invoices": "200", "products": "200"})
    [account] = zoho.insert_records("Accounts", [{"Account_Name": "Wombat Joinery"}])
    [product] = zoho.insert_records("Products", [{"Product_Name": "Cable kit 48", "Product_Code": "CK-48",
                                                  "Unit_Price": 20, "Taxable": True, "Tax": ["GST"]}])
    [invoice] = zoho.insert_records("Invoices", [{
        "Subject": "Wiring", "Account_Name": {"id": account.id}, "Status": "Created",
        "Invoiced_Items": [{"Product_Name": {"id": product.id}, "Quantity": 2, "List_Price": 20}]}])
    copy_trigger.copy_record(organisation, "invoices", invoice.id)
    # the messy world's deliberately unmappable invoice: a currency the Xero organisation has not enabled
    from tests.scenarios.test_messy_world import _missing_currency

    currency = _missing_currency(type("Org", (), {"xero": xero})())
    [survey] = zoho.insert_records("Products", [{"Product_Name": "Site survey", "Product_Code": "SURVEY",
                                                 "Unit_Price": 120}])
    [foreign] = zoho.insert_records("Invoices", [{
        "Subject": f"{currency} quote", "Account_Name": {"id": account.id}, "Status": "Created", "Currency": currency,
        "Invoiced_Items": [{"Product_Name": {"id": survey.id}, "Quantity": 1, "List_Price": 120}]}])
    copy_trigger.copy_record(organisation, "invoices", foreign.id)
    tenant = {"xero_tenant_id": xero_organisation.tenant_id, "xero_tenant_name": xero_organisation.tenant_name}
    # provider refusals: their English answers belong in the entry's details only
    make_entry(organisation, module=Module.PRODUCTS, action=Action.CREATE, status=Status.FAILED,
               trigger=Trigger.CRON, direction=Direction.XERO_TO_ZOHO, record_name="Cable kit 48",
               message_key=engine_messages.PROVIDER_DUPLICATE,
               message_params={"target": "Zoho CRM", "field": "Product Code", "value": "CK-48",
                               "code": "DUPLICATE_DATA", "conflict_id": "5100000777"},
               provider_error_code="DUPLICATE_DATA", provider_error="duplicate data", **tenant)
    make_entry(organisation, module=Module.INVOICES, action=Action.CREATE, status=Status.FAILED,
               trigger=Trigger.ON_SAVE, direction=Direction.ZOHO_TO_XERO, record_name="Wiring",
               message_key=engine_messages.PROVIDER_REFUSED_LINE,
               message_params={"target": "Xero", "field": "Line: tax rate", "value": "OUTPUT9", "line": 2,
                               "code": "ValidationException"},
               provider_error_code="ValidationException",
               provider_error="The TaxType code 'OUTPUT9' does not exist or cannot be used for this type of "
                              "transaction.", **tenant)
    make_entry(organisation, module=Module.ACCOUNTS, action=Action.CREATE, status=Status.FAILED,
               trigger=Trigger.CRON, direction=Direction.ZOHO_TO_XERO, record_name="Wombat Joinery",
               message_key=engine_messages.TRANSFORM_FAILED_DETAIL, message_params={},
               provider_error="Unexpected value for Billing_Country.", **tenant)
    failed = set(AuditEntry.objects.filter(organisation=organisation, status=Status.FAILED)
                 .values_list("message_key", flat=True))
    assert {engine_messages.ITEMLESS_LINE_NO_PRODUCT, engine_messages.WAITS_FOR_CONTACT,
            engine_messages.ZOHO_VALUE_TOO_LONG, engine_messages.WAITS_FOR_DEPENDENCY,
            engine_messages.CURRENCY_NOT_ENABLED} <= failed, failed


def names_in(organisation_ids) -> list:
    """Everything shown that is a name or data, not a text of ours: removed before looking for English."""
    names = set()
    names.update(Organisation.objects.filter(pk__in=organisation_ids).values_list("name", flat=True))
    scoped = {"organisation_id__in": organisation_ids}
    names.update(XeroOrganisation.objects.filter(**scoped).values_list("tenant_name", flat=True))
    names.update(ZohoConnection.objects.filter(**scoped).values_list("crm_org_name", flat=True))
    for entry in AuditEntry.objects.filter(**scoped):
        names.update([entry.record_name, entry.xero_tenant_name, entry.provider_error, entry.provider_error_code])
        names.update(_strings(entry.values_written) + _strings(entry.provider_response))
    names.update(RecordLink.objects.filter(**scoped).values_list("name", flat=True))
    for cache in ZohoFieldCache.objects.filter(**scoped):
        for field in cache.fields:
            names.update(str(field.get(key, "")) for key in ("label", "field_label", "display_label", "api_name"))
            names.update(_strings(field.get("pick_list_values")))
    names.update(XeroTaxRate.objects.filter(**scoped).values_list("name", flat=True))
    names.update(XeroAccount.objects.filter(**scoped).values_list("name", flat=True))
    names.update(ZohoTax.objects.filter(**scoped).values_list("name", flat=True))
    names.update(Membership.objects.filter(**scoped).values_list("user__email", flat=True))
    return sorted((name for name in names if name and name.strip()), key=len, reverse=True)


def _strings(value) -> list:
    """Every string inside a JSON value (provider data shown as it is)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


# --- the walk --------------------------------------------------------------------------------------------------


def test_every_page_is_german_and_french_without_english(sandbox, live_server, browser, client, organisation, owner,
                                                         settings):
    started = time.monotonic()
    world = build_world(sandbox, client, organisation, owner, settings, live_server)
    print(f"the organisation was set up in {time.monotonic() - started:.1f} s")
    first, second = world["xero"]
    done_job, paused_job, _planned_job, running_job = world["jobs"]
    failed_entry = next(entry for entry in world["entries"] if entry.status == Status.FAILED and entry.resync_requests.exists())
    copy_key = keys.token_for(organisation, ButtonKey.COPY)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))

    signed_out = [
        ("tenancy:login", reverse("tenancy:login")),
        ("tenancy:sign_up", reverse("tenancy:sign_up")),
        ("tenancy:sign_up_sent", reverse("tenancy:sign_up_sent")),
        ("tenancy:sign_up_confirm", reverse("tenancy:sign_up_confirm", args=[uid, "bad-token"])),
        ("tenancy:password_reset", reverse("tenancy:password_reset")),
        ("tenancy:password_reset_done", reverse("tenancy:password_reset_done")),
        ("tenancy:password_reset_confirm", reverse("tenancy:password_reset_confirm", args=[uid, "bad-token"])),
        ("tenancy:password_reset_complete", reverse("tenancy:password_reset_complete")),
        ("404", "/no-such-page/"),
        # Signed out, a signed-in page sends to the login page with ?next=.
        ("tenancy:home", reverse("tenancy:home")),
    ]
    signed_in = [
        ("tenancy:home", reverse("tenancy:home")),
        ("tenancy:password_change", reverse("tenancy:password_change")),
        ("tenancy:password_change_done", reverse("tenancy:password_change_done")),
        ("connections:index", reverse("connections:index")),
        ("connections:onboarding", reverse("connections:onboarding")),
        ("connections:terms", reverse("connections:terms")),
        ("connections:xero_organisations", reverse("connections:xero_organisations")),
        ("connections:reset_xero", reverse("connections:reset_xero", args=[second.pk])),
        ("connections:disconnect_zoho", reverse("connections:disconnect_zoho")),
        ("connections:xero_callback", reverse("connections:xero_callback") + "?error=access_denied&state=x"),
        ("connections:zoho_callback", reverse("connections:zoho_callback") + "?error=access_denied&state=x"),
        ("mapping:index", reverse("mapping:index")),
        *[("mapping:editor", reverse("mapping:editor", args=[module, slug]))
          for module in MAPPABLE_MODULES for slug in DIRECTION_SLUGS.values()],
        ("mapping:taxes", reverse("mapping:taxes")),
        ("mapping:taxes", reverse("mapping:taxes") + f"?xero={second.pk}"),
        ("mapping:accounts", reverse("mapping:accounts")),
        ("sync:settings", reverse("sync:settings")),
        ("sync:ready", reverse("sync:ready")),
        ("sync:ready_for", reverse("sync:ready_for", args=[first.pk])),
        ("sync:ready_for", reverse("sync:ready_for", args=[second.pk])),
        ("audit:index", reverse("audit:index") + f"?xero={first.tenant_id}"),
        ("sync:settings_for", reverse("sync:settings_for", args=[first.pk])),
        ("sync:settings_for", reverse("sync:settings_for", args=[second.pk])),
        ("sync:historical", reverse("sync:historical")),
        *[("sync:historical_job", reverse("sync:historical_job", args=[job.pk])) for job in world["jobs"]],
        *[("sync:historical_progress", reverse("sync:historical_progress", args=[job.pk]))
          for job in (paused_job, running_job)],
        ("sync:copy", reverse("sync:copy")),
        ("sync:copy", reverse("sync:copy") + "?module=accounts&name=a"),
        ("sync:copy", reverse("sync:copy") + "?" + urlencode({"module": "accounts", "name": world["account_name"][:4]})),
        ("sync:copy_button", reverse("sync:copy_button", args=[organisation.pk]) + "?key=forged&module=accounts"
                                                                                  "&record_id=1"),
        ("sync:copy_button", reverse("sync:copy_button", args=[organisation.pk])
         + f"?key={copy_key}&module=accounts&record_id=999999999998"),
        ("audit:index", reverse("audit:index")),
        ("audit:index", reverse("audit:index") + "?status=failed&q=zzz-nothing"),
        *[("audit:detail", reverse("audit:detail", args=[entry.pk])) for entry in world["entries"]],
        ("audit:resync_status", reverse("audit:resync_status", args=[failed_entry.pk])),
        ("audit:resync_all", reverse("audit:resync_all") + "?status=failed"),
        *[("audit:resync_batch", reverse("audit:resync_batch", args=[batch.pk])) for batch in world["batches"]],
        ("404", reverse("audit:detail", args=[uuid.uuid4()])),
    ]

    url_names = every_url_name()
    covered = {name for name, _url in signed_out + signed_in} | POST_ONLY
    forgotten = sorted(name for name in url_names if name not in covered and name not in EXCLUDED
                       and name.split(":")[0] + ":*" not in EXCLUDED)
    assert forgotten == [], f"pages neither visited nor excluded (with a reason): {forgotten}"

    names = names_in([organisation.pk, world["other"].pk]) + world["zoho_names"]
    problems = {}  # "[language] what was found" -> the pages it was found on
    for language, browser_locale in LANGUAGES.items():
        owner.language = language
        owner.save(update_fields=["language"])
        context = browser.new_context(locale=browser_locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        walk = Walk(context.new_page(), live_server.url, language, names, problems)
        page = walk.page

        for label, url in signed_out:
            walk.check(label, url)
        # Forms with errors (Django's own messages too).
        page.goto(live_server.url + reverse("tenancy:login"))
        page.locator("input[name=username]").fill(owner.email)
        page.locator("input[name=password]").fill("wrong password")
        page.get_by_test_id("sign-in").click()
        walk.check("login with a wrong password")
        page.goto(live_server.url + reverse("tenancy:sign_up"))
        page.locator("input[name=email]").fill(owner.email)
        page.locator("input[type=password]").first.fill("short")
        page.locator("input[type=password]").last.fill("other")
        page.get_by_test_id("sign-up").click()
        walk.check("sign-up with errors")
        page.locator("input[name=email]").fill(f"{language}.newcomer@example.com")
        page.locator("input[type=password]").first.fill("12345")
        page.locator("input[type=password]").last.fill("12345")
        page.get_by_test_id("sign-up").click()
        walk.check("sign-up with a weak password")  # Django's password validators
        token = default_token_generator.make_token(owner)
        walk.check("password reset form", reverse("tenancy:password_reset_confirm", args=[uid, token]))

        # Signed in.
        page.goto(live_server.url + reverse("tenancy:login"))
        page.locator("input[name=username]").fill(owner.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_test_id("sign-in").click()
        page.wait_for_url(re.compile(r"^(?!.*/login/)"))
        walk.signed_in = True
        for label, url in signed_in:
            walk.check(label, url)
        # Forms that answer with messages or errors.
        page.goto(live_server.url + reverse("tenancy:password_change"))
        page.locator("input[name=old_password]").fill("not my password")
        page.locator("input[name=new_password1]").fill("password")
        page.locator("input[name=new_password2]").fill("password")
        page.locator("main button[type=submit]").click()
        walk.check("password change with errors")
        page.goto(live_server.url + reverse("sync:historical"))
        page.locator("input[name=date_from]").fill("2026-05-01")
        page.locator("input[name=date_to]").fill("2026-01-01")
        page.locator("form[data-historical-form] [type=submit]").first.click()
        walk.check("historical sync with the dates the wrong way round")
        page.goto(live_server.url + reverse("sync:settings_for", args=[first.pk]))
        page.get_by_test_id("update-configuration").click()
        walk.check("settings saved")
        page.goto(live_server.url + reverse("mapping:editor", args=["invoices", "zoho-to-xero"]))
        page.get_by_test_id("save-mapping").click()
        walk.check("mapping saved")
        page.goto(live_server.url + reverse("mapping:index"))
        page.get_by_test_id("import-form").locator("input[type=file]").set_input_files(
            {"name": "mappings.json", "mimeType": "application/json", "buffer": b"{not json"})
        page.get_by_test_id("import-mappings").click()
        walk.check("mapping import refused")
        # Every POST-only pattern answers 405 to a GET (so it is right not to visit it).
        for name in sorted(POST_ONLY):
            url = _any_url(name, organisation, done_job)
            response = context.request.get(live_server.url + url, max_redirects=0)
            assert response.status == 405, f"{name} ({url}) answered {response.status} to a GET: visit it instead"
        # The organisation in which the owner may only read: empty states and read-only notes, then the 403 page
        # when posting to a page only owners and admins may change.
        page.goto(live_server.url + reverse("tenancy:home"))
        page.get_by_test_id("org-switch").locator("select").select_option(str(world["other"].pk))
        page.get_by_test_id("org-switch").locator("button").click()
        page.wait_for_load_state("load")
        for name in READ_ONLY_PAGES:
            walk.check(f"{name} (read-only, nothing connected)", reverse(name))
        page.goto(live_server.url + reverse("connections:terms"))
        with page.expect_navigation():
            page.evaluate(POST_FORM, reverse("connections:terms"))
        walk.check("403")
        assert page.get_by_test_id("error-403").count() == 1, page.title()
        print(f"{language}: {len(walk.timings)} pages in {sum(t for t, _ in walk.timings):.1f} s; slowest:",
              *(f"{t:.2f} s {where}" for t, where in sorted(walk.timings, reverse=True)[:5]), sep="\n  ")
        context.close()

    elapsed = time.monotonic() - started
    print(f"both languages walked in {elapsed:.1f} s")
    report = [f"{problem}\n    on {len(pages)} page(s): {', '.join(pages[:4])}" for problem, pages in problems.items()]
    assert not problems, f"English text ({len(problems)} different):\n" + "\n".join(report)


# What a page answers when it is not 200 (redirects are followed: a callback ends on the connections page).
EXPECTED_STATUS = {"404": (404,), "sync:copy_button": (403, 422), "tenancy:sign_up_confirm": (400,)}
# Every page carries this policy (tenancy/security_headers.py); signed-in pages are never cached.
CSP_SCRIPT_SRC = "script-src 'self'"
READ_ONLY_PAGES = ["tenancy:home", "connections:index", "connections:onboarding", "connections:terms",
                   "mapping:index", "mapping:taxes", "mapping:accounts", "sync:settings", "sync:ready", "sync:historical",
                   "sync:copy", "audit:index"]
POST_FORM = """(url) => {
  const form = document.createElement('form'); form.method = 'post'; form.action = url;
  const input = document.createElement('input'); input.type = 'hidden'; input.name = 'csrfmiddlewaretoken';
  input.value = document.querySelector('[name=csrfmiddlewaretoken]').value;
  form.append(input); document.body.append(form); form.submit();
}"""


class Walk:
    """One language's walk: opens pages and notes the English it finds."""

    def __init__(self, page, base_url, language, names, problems):
        self.page, self.base_url, self.language, self.names, self.problems = page, base_url, language, names, problems
        self.sentences = english_sentences(language)
        self.timings = []
        self.signed_in = False
        # The browser reports what the Content-Security-Policy blocked (an inline script, an onclick, eval).
        page.on("console", lambda message: "Content Security Policy" in message.text and self.problems.setdefault(
            f"[{language}] CSP violation: {message.text[:200]}", []).append(page.url))

    def check(self, label, url=None):
        page = self.page
        started = time.monotonic()
        if url is not None:
            response = page.goto(self.base_url + url, wait_until="load")
            expected = EXPECTED_STATUS.get(label, (200,))
            assert response.status in expected, f"{label} {url} answered {response.status}, expected {expected}"
            headers = response.all_headers()
            policy = headers.get("content-security-policy", "")
            assert f"{CSP_SCRIPT_SRC};" in policy + ";" and "unsafe" not in policy.split("script-src")[1].split(";")[0], (
                f"{label} {url}: Content-Security-Policy {policy!r}")
            if self.signed_in:
                assert headers.get("cache-control") == "private, no-store", f"{label} {url}: {headers.get('cache-control')}"
        # A page that failed (a form's answer, say) would show the translated 500 page: not what is meant.
        assert page.get_by_test_id("error-500").count() == 0, f"{label}: server error"
        try:  # htmx requests made on load (a polling page is never idle, so no "networkidle")
            page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=3_000)
        except PlaywrightTimeout:
            pass
        where = f"{label} {page.url.removeprefix(self.base_url)}"
        lang = page.locator("html").get_attribute("lang")
        if lang is not None and lang != self.language:
            self.problems.setdefault(f"[{self.language}] <html lang={lang}>", []).append(where)
        parts = page.evaluate(COLLECT_TEXT)
        if DUMP_DIR:
            with open(Path(DUMP_DIR) / f"{self.language}.txt", "a") as dump:
                dump.write(f"\n===== [{self.language}] {where}\n" + "\n".join(parts))
        for problem in english_in(parts, self.names, self.sentences):
            self.problems.setdefault(f"[{self.language}] {problem}", []).append(where)
        self.timings.append((time.monotonic() - started, where))


def _any_url(name, organisation, job):
    args = {
        "sync:historical_control": [job.pk, "start"],
        "sync:zoho_workflow": [organisation.pk],
        "audit:resync": [uuid.uuid4()],
        "sync:rotate_key": ["copy"],
        "sync:cancel_run": [uuid.uuid4()],
    }.get(name, [])
    return reverse(name, args=args)
