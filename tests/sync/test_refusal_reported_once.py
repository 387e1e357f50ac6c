"""A refusal is reported once (issue 18, acceptance 3): a Zoho invoice deleted while its Xero invoice is paid is
refused on every sync, but keeps one failure entry, updated with the time it was last checked; a Resync (a person
asking again) makes a new entry. Against the sandbox over HTTP."""

from django.urls import reverse

from audit.models import AuditEntry
from sync import services
from sync.engine import messages
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
