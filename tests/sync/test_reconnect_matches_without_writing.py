"""After a Reset Connection and a reconnect of the same Xero organisation, records that both sides already share
with equal values are linked again without a write: a match is a match, not "linked, then updated".

Clicking through make run, the first cron after a reset wrote every matched invoice back into Zoho CRM unchanged:
the candidates read for matching had no line items (COQL selects no subform), so every invoice looked changed, and
rewriting an invoice replaces its Zoho subform rows (new line ids) for nothing. (Accounts created from Zoho CRM are
written once after a reset, and rightly so: Zoho then learns their Xero id, which it did not hold.)"""

import pytest

from audit.models import AuditEntry
from sync import services
from sync.models import RecordLink

from .portal_setup import connect, start_syncing, writes

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
MODULES = ("accounts", "products", "invoices")


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def test_records_synced_before_a_reset_are_matched_again_without_a_write_invoices_with_their_lines(portal, sandbox):
    sandbox.seed(zoho={"accounts": 0, "products": 0, "invoices": 0}, xero={"contacts": 3, "items": 3, "invoices": 3})
    for module in MODULES:
        services.sync_records(portal.xero_organisation, module, "xero_to_zoho", trigger="cron")
    created = AuditEntry.objects.filter(action="create", status="success")
    assert created.filter(module="invoices").count() == 3 and created.filter(module="accounts").exists()
    RecordLink.objects.filter(xero_organisation=portal.xero_organisation).delete()  # what Reset erases
    AuditEntry.objects.all().delete()

    zoho_writes = writes(sandbox, "zoho")
    for module in MODULES:
        services.sync_records(portal.xero_organisation, module, "xero_to_zoho", trigger="cron")
    entries = AuditEntry.objects.filter(direction="xero_to_zoho")
    assert {(e.module, e.action, e.status) for e in entries} == {(m, "match", "success") for m in MODULES}, [
        (e.module, e.record_name, e.action, e.message) for e in entries]
    assert entries.filter(module="invoices").count() == 3
    assert writes(sandbox, "zoho") == zoho_writes
    assert RecordLink.objects.filter(xero_organisation=portal.xero_organisation, module="invoices").count() == 3
