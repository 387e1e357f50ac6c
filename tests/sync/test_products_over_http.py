"""Products <-> items end to end against the sandbox."""

import pytest

from audit.models import AuditEntry
from sync import services
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink
from sync.settings_services import module_settings

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    from mapping.taxes import save_default_accounts

    portal = start_syncing(connect(sandbox, owner_client, organisation, owner, settings))
    save_default_accounts(portal.xero_organisation, {"products": "200", "invoices": "200"})
    return portal


def _sync(portal, direction):
    return services.sync_records(portal.xero_organisation, "products", direction, trigger="cron")


def test_a_product_becomes_an_item_and_price_changes_in_xero_come_back_once(portal, sandbox):
    [created] = portal.zoho.insert_records("Products", [{"Product_Name": "Gadget", "Product_Code": "GAD-1",
                                                         "Unit_Price": 12.5}])
    _sync(portal, ZOHO_TO_XERO)
    [item] = [i for i in portal.xero.get_items() if i["Code"] == "GAD-1"]
    assert item["Name"] == "Gadget" and float(item["SalesDetails"]["UnitPrice"]) == 12.5
    portal.xero.save_items([{"ItemID": item["ItemID"], "Code": "GAD-1", "SalesDetails": {"UnitPrice": 14}}])
    sandbox.reset_counters()
    for direction in (XERO_TO_ZOHO, ZOHO_TO_XERO, XERO_TO_ZOHO):
        _sync(portal, direction)
    assert float(portal.zoho.get_record("Products", created.id)["Unit_Price"]) == 14
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 1)


def test_a_product_without_code_is_refused_and_says_why(portal):
    [created] = portal.zoho.insert_records("Products", [{"Product_Name": "Nameless code"}])
    _sync(portal, ZOHO_TO_XERO)
    entry = AuditEntry.objects.get(module="products", zoho_id=created.id)
    assert entry.status == "failed"
    assert not any(i["Name"] == "Nameless code" for i in portal.xero.get_items())


def test_deleted_items_and_products_follow_the_delete_switches(portal):
    [kept] = portal.zoho.insert_records("Products", [{"Product_Name": "Kept", "Product_Code": "K-1"}])
    [gone] = portal.zoho.insert_records("Products", [{"Product_Name": "Gone", "Product_Code": "G-1"}])
    _sync(portal, ZOHO_TO_XERO)
    settings = module_settings(portal.xero_organisation, "products")
    settings.zoho_to_xero_delete = settings.xero_to_zoho_delete = True
    settings.save()
    # Zoho -> Xero: the item is deleted.
    portal.zoho.delete_records("Products", [gone.id])
    _sync(portal, ZOHO_TO_XERO)
    assert {i["Code"] for i in portal.xero.get_items()} >= {"K-1"} and "G-1" not in {i["Code"] for i in portal.xero.get_items()}
    # Xero -> Zoho: an item deleted in Xero deletes the product (seen by a full pass).
    item_id = RecordLink.objects.get(module="products", zoho_id=kept.id).xero_id
    portal.xero.delete_item(item_id)
    _sync(portal, XERO_TO_ZOHO)
    assert portal.zoho.get_record("Products", kept.id) is None
    assert AuditEntry.objects.filter(module="products", action="delete", status="success").count() == 2
