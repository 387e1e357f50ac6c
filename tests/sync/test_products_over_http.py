"""Products <-> items end to end against the sandbox."""

import json

import pytest

from audit import resync
from audit.models import AuditEntry
from mapping.record_checks import NO_VALUE
from sync import services
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.models import RecordLink
from sync.settings_services import module_settings
from sync.triggers import copy, historical, tasks

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


def _item_writes(log) -> list[dict]:
    """The Items the portal sent to Xero (PUT or POST /Items), from the sandbox's traffic log."""
    sent = []
    for line in map(json.loads, log.read_text().splitlines()):
        if line["provider"] == "xero" and line["method"] in ("PUT", "POST") and "/Items" in line["url"]:
            sent += json.loads(line["request_body"] or "{}").get("Items", [])
    return sent


def test_a_product_without_code_is_refused_before_any_request_the_same_in_every_trigger(
        portal, sandbox, settings, tmp_path, monkeypatch):
    """Cron, On Save, Copy to Xero, Resync and Historical Sync (its dry run, then its job) fail a Zoho product
    without a Product Code in the planner, with one translated reason naming the field and the record; none of
    them sends Xero an item without a Code (which Xero answers "Item code must be specified")."""
    for task in (tasks.historical_plan_task, tasks.historical_run_task):
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: None)  # the test runs them itself
    log = tmp_path / "traffic.jsonl"
    settings.SANDBOX_TRAFFIC_LOG = str(log)
    names = {trigger: f"No code ({trigger})" for trigger in ("cron", "on_save", "copy", "historical")}
    ids = {trigger: result.id for trigger, result in zip(names, portal.zoho.insert_records(
        "Products", [{"Product_Name": name} for name in names.values()]), strict=True)}
    [coded] = portal.zoho.insert_records("Products", [{"Product_Name": "Coded", "Product_Code": "CODED-1"}])

    services.sync_records(portal.xero_organisation, "products", ZOHO_TO_XERO, ids=[ids["cron"], coded.id],
                          trigger="cron")
    tasks.zoho_changed_task.apply(args=[str(portal.organisation.pk), "products", [ids["on_save"]]])
    copy.copy_record(portal.organisation, "products", ids["copy"])
    cron_entry = AuditEntry.objects.get(module="products", zoho_id=ids["cron"])
    request, _created = resync.request_resync(cron_entry)
    resynced = resync.run_request(cron_entry.organisation_id, cron_entry.pk, request.pk)
    job = historical.plan(historical.create_job(portal.xero_organisation, modules=["products"],
                                                direction=ZOHO_TO_XERO).pk)
    assert (job.dry_run["products"]["refuse"], job.dry_run["products"]["create"]) == (4, 0), job.dry_run
    assert {key for key in job.dry_run["products"]["reasons"] if key.startswith("refuse")} == {
        f"refuse|{NO_VALUE}"}, job.dry_run  # (and "Coded": already synced)
    historical.start(job)
    while historical.work(job.pk, slice_seconds=0) == "more":
        pass

    failed = AuditEntry.objects.filter(module="products", status="failed")
    by_trigger = {(entry.trigger, entry.record_name) for entry in failed}
    assert {(trigger, names[trigger]) for trigger in ("cron", "on_save", "copy")} <= by_trigger
    assert ("resync", names["cron"]) in by_trigger and resynced.trigger == "resync"
    # the job refused all four again; the three already reported for that reason got no second entry (issue 13)
    job.refresh_from_db()
    assert job.failed == 4 and {name for trigger, name in by_trigger if trigger == "historical"} == {
        names["historical"]}
    for entry in failed:
        assert entry.message_key == NO_VALUE and not entry.provider_error, (entry.trigger, entry.message_key)
        assert entry.message_params == {**entry.message_params, "record": entry.record_name, "field": "Item code"}
        assert entry.translated_message == (f"{entry.record_name} has no value for Item code, which Xero "
                                            "requires. Fill it in Zoho CRM, or map a field to it under Mapping, "
                                            "then resync.")
    sent = _item_writes(log)
    assert [item.get("Code") for item in sent] == ["CODED-1"]  # the one product with a code, once
    assert not any(i["Name"].startswith("No code") for i in portal.xero.get_items())


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
