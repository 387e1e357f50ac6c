"""A refusal is reported once (issue 18, acceptance 3): a Zoho invoice deleted while its Xero invoice is paid is
refused on every sync, but keeps one failure entry, updated with the time it was last checked; a Resync (a person
asking again) makes a new entry, and so does a change of reason on the same record. Against the sandbox over HTTP."""

import time

from django.urls import reverse

from audit.models import AuditEntry
from mapping import record_checks
from sync import services
from sync.engine import messages
from sync.engine.modules import ZOHO_TO_XERO
from sync.models import RecordLink
from sync.settings_services import module_settings

from .test_invoices_over_http import _pay, _sync, _xero_invoice, _zoho_invoice
from .test_invoices_over_http import portal as portal  # the fixture: connected, syncing, default accounts


def test_six_syncs_of_a_refused_delete_leave_one_failure_entry_with_the_last_check_time(portal, owner_client):
    _account, _product, invoice_id = _zoho_invoice(portal, subject="Paid job")
    _sync(portal)
    invoice = _xero_invoice(portal, invoice_id)
    _pay(portal, invoice, invoice["AmountDue"])
    settings = module_settings(portal.xero_organisation, "invoices")
    settings.zoho_to_xero_delete = True
    settings.save()
    portal.zoho.delete_records("Invoices", [invoice_id])

    checked = []
    for _sync_number in range(6):
        _sync(portal)
        [entry] = AuditEntry.objects.filter(module="invoices", action="delete")
        checked.append(entry.last_checked_at)

    assert entry.status == "failed" and entry.message_key == messages.INVOICE_HAS_PAYMENTS
    assert entry.checks == 6 and checked[0] is None and None not in checked[1:]
    assert checked[1:] == sorted(checked[1:]) and checked[-1] > checked[1]
    assert _xero_invoice(portal, invoice_id)["Status"] == "PAID"
    page = owner_client.get(reverse("audit:index")).content.decode()
    assert 'data-testid="still-refused"' in page and "Still refused, last checked" in page

    again = services.resync_entry(entry)  # a person asks again: a new entry of its own
    assert again.pk != entry.pk and again.message_key == messages.INVOICE_HAS_PAYMENTS
    assert AuditEntry.objects.filter(module="invoices", action="delete").count() == 2


def test_a_change_of_reason_on_the_same_record_makes_a_new_failure_entry_and_a_resync_another(portal):
    """The same product refused three times: the portal refuses it without a code, before sending it, as Xero
    would (one entry, checked again after an edit that changes nothing about the reason), then because its new
    tax has no Xero rate (a new entry: the reason changed), then a Resync (a new entry again)."""
    [product] = portal.zoho.insert_records("Products", [{"Product_Name": "Reason changer", "Unit_Price": 30}])
    assert product.ok

    def sync_products():
        time.sleep(1.1)  # Zoho's Modified_Time has whole seconds: an edit lands after the last failure's second
        services.sync_records(portal.xero_organisation, "products", ZOHO_TO_XERO, trigger="cron")
        return list(AuditEntry.objects.filter(module="products", zoho_id=product.id).order_by("created_at"))

    [first] = sync_products()
    assert first.status == "failed" and first.message_key == record_checks.NO_VALUE
    assert first.message_params["field"] == "Item code" and first.provider_error == ""

    portal.zoho.update_records("Products", [{"id": product.id, "Description": "Still without a code"}])
    [same] = sync_products()  # tried again (it changed), refused for the same reason: the same entry
    assert same.pk == first.pk and same.checks == 2 and same.last_checked_at is not None

    portal.zoho.update_records("Products", [{"id": product.id, "Product_Code": "RC-1", "Taxable": True,
                                             "Tax": ["GST"]}])
    first_again, changed = sync_products()  # the code is there now, but GST has no Xero tax rate: a new entry
    assert first_again.pk == first.pk and first_again.checks == 2
    assert changed.status == "failed" and changed.message_key != first.message_key
    assert "The Zoho tax GST has no Xero tax rate" in changed.translated_message

    again = services.resync_entry(changed)  # a person asks again: a new entry, even for the same reason
    assert again.pk not in (first.pk, changed.pk) and again.message_key == changed.message_key
    assert AuditEntry.objects.filter(module="products", zoho_id=product.id, status="failed").count() == 3
    assert not RecordLink.objects.filter(module="products", zoho_id=product.id).exists()
