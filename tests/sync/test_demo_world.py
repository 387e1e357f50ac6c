"""Issue 18: the demo world syncs cleanly with either demo Xero organisation. What `make run` seeds (both sides'
default counts and the Zoho records that fail on purpose); the admin's steps of the tour: the suggested tax
mapping with the default sales account the organisation's chart suggests (200 Sales), every module started in both
directions; then one cron cycle. Nothing fails but the records named for why, each with its reason; everything else reached the other
side. Against the sandbox over HTTP (the browser version on the `make run` stack: tests/journey)."""

import inspect

import pytest

from audit.models import AuditEntry
from mapping import record_checks, taxes
from mapping.accounts import NAMED_SALES, suggest_sales_account
from mapping.models import XeroAccount, ZohoTax
from sandbox.zoho import seed as zoho_seed
from sync.engine import messages
from sync.models import RecordLink
from sync.triggers import cron
from tests.connections import sandbox_flows

from .portal_setup import connect, start_syncing

ORGANISATIONS = {"Demo Company (AU)": {"GST": "OUTPUT", "NZ GST": "TAX001", "VAT": "TAX002"},
                 "Demo Company (UK)": {"GST": "TAX001", "NZ GST": "TAX002", "VAT": "OUTPUT2"}}


@pytest.fixture(params=sorted(ORGANISATIONS))
def portal(request, sandbox, owner_client, organisation, owner, settings, monkeypatch):
    sandbox.seed(xero={}, zoho={"failing": True})  # what `manage.py sandbox seed` (make run) seeds
    connect_one = sandbox_flows.connect_xero
    monkeypatch.setattr("tests.sync.portal_setup.connect_xero",
                        lambda client, **options: connect_one(client, **{**options, "tenants": [request.param]}))
    portal = connect(sandbox, owner_client, organisation, owner, settings)
    assert portal.xero_organisation.tenant_name == request.param
    return portal


def _suggested_tax_mapping(portal) -> dict:
    taxes.refresh_zoho_taxes(portal.organisation, portal.zoho)
    rates = taxes.sales_tax_rates(portal.xero_organisation)
    return {tax.name: taxes.suggest_tax_type(tax.percentage, rates, tax.name) or ""
            for tax in ZohoTax.objects.filter(organisation=portal.organisation)}


def test_one_cron_cycle_fails_only_the_records_named_to_fail_each_with_its_reason(portal):
    suggested = _suggested_tax_mapping(portal)
    expected = ORGANISATIONS[portal.xero_organisation.tenant_name]
    assert {name: suggested[name] for name in expected} == expected  # a rate of each percentage
    assert suggested["Zero Rated"] and suggested["Luxury Tax"] == ""  # 12.5 %: no Xero rate, no suggestion
    taxes.save_tax_mappings(portal.xero_organisation, suggested)
    account = suggest_sales_account(XeroAccount.objects.filter(xero_organisation=portal.xero_organisation))
    assert (str(account.account), account.reason) == ("200 Sales", NAMED_SALES)  # of 200, 260 and 270 (REVENUE)
    taxes.save_default_accounts(portal.xero_organisation, {"products": account.code, "invoices": account.code})
    start_syncing(portal)

    cron.run_organisation(portal.organisation)

    failed = {entry.record_name: entry for entry in AuditEntry.objects.filter(status="failed")}
    assert sorted(failed) == sorted(name for names in zoho_seed.DEMO_FAILURES.values() for name in names)
    no_code = failed[zoho_seed.NO_CODE_PRODUCT]  # refused by the planner: never sent to Xero without a Code
    assert (no_code.message_key, no_code.provider_error) == (record_checks.NO_VALUE, "")
    assert no_code.translated_message.startswith(
        f"{zoho_seed.NO_CODE_PRODUCT} has no value for Item code, which Xero requires. Fill it in Zoho CRM")
    assert ("The Zoho tax Luxury Tax has no Xero tax rate. Map it under Mapping › Taxes."
            in failed[zoho_seed.UNMAPPED_TAX_PRODUCT].translated_message)
    assert failed[zoho_seed.CURRENCY_INVOICE].message_key == messages.CURRENCY_NOT_ENABLED
    waiting = failed[zoho_seed.WAITING_INVOICE]
    assert waiting.message_key == messages.WAITS_FOR_DEPENDENCY
    assert waiting.translated_message.startswith(f'Waits for its product "{zoho_seed.NO_CODE_PRODUCT}"')

    defaults = inspect.signature(zoho_seed.seed).parameters
    for module in ("accounts", "products", "invoices"):  # every other Zoho record is in Xero
        zoho_links = RecordLink.objects.filter(module=module, zoho_id__gt="").count()
        assert zoho_links >= defaults[module].default, module
    assert len(portal.xero.get_items()) == defaults["products"].default + 8  # and the seeded Xero items
    assert AuditEntry.objects.filter(direction="xero_to_zoho", status="success", action="create").count() > 0
