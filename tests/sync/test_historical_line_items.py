"""Issue 17: a Zoho -> Xero historical job reads each source record once, invoice line items in bulk (COQL on the
Invoiced_Items subform) with GET by id as the fallback, and nothing back after writing.

The job runs in-process against the sandbox over HTTP; the Zoho client's calls are recorded as they pass (nothing
is mocked)."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from connections.providers.zoho.client import ZohoClient
from sync.models import RecordLink
from sync.trigger_models import HistoricalItem, JobStatus
from sync.triggers import historical

from .portal_setup import writes
from .test_historical_sync import TAXES, _map_taxes_and_accounts, _run_to_the_end, _start_dry_run, queued  # noqa: F401
from .test_historical_sync import portal as portal  # noqa: F401  (the fixture)

BY_ID = re.compile(r"^Invoices/\d+$")


@pytest.fixture
def zoho_calls(monkeypatch):
    """(method, path, params, COQL query, headers) of every Zoho API call the portal makes."""
    calls = []
    original = ZohoClient._call

    def recording(self, method, path, *, params=None, json=None, headers=None, **kwargs):
        calls.append((method, path, params or {}, (json or {}).get("select_query", ""), headers or {}))
        return original(self, method, path, params=params, json=json, headers=headers, **kwargs)

    monkeypatch.setattr(ZohoClient, "_call", recording)
    return calls


def _by_id(calls) -> list[str]:
    return [path for method, path, *_ in calls if method == "GET" and BY_ID.match(path)]


def _line_queries(calls) -> list[str]:
    return [query for *_, query, _headers in calls if "from Invoiced_Items" in query]


def _invoices_with_an_untold_tax(sandbox_org_invoices) -> set[str]:
    """Invoices with a line whose tax value is 0: with the org's 0 % tax ("Zero Rated") that line's Line_Tax
    cannot be told from its amounts, so the job reads that invoice by id."""
    return {str(record.zid) for record in sandbox_org_invoices
            if any(round(line["Net_Total"] - line["Total_After_Discount"], 2) == 0
                   for line in record.data["Invoiced_Items"])}


def _zoho_invoices():
    from sandbox.zoho.models import Record

    return list(Record.objects.using("sandbox").filter(module="Invoices", deleted_time=None))


def _xero_lines(portal) -> dict:
    """Each Xero invoice's lines as the job wrote them, by its Zoho id."""
    by_xero = dict(RecordLink.objects.filter(module="invoices").values_list("xero_id", "zoho_id"))
    return {by_xero[invoice["InvoiceID"]]: [
        (line.get("ItemCode"), line.get("Quantity"), line.get("UnitAmount"), line.get("TaxType"),
         line.get("DiscountAmount"), line.get("Description")) for line in invoice.get("LineItems") or []]
        for invoice in portal.xero.iter_invoices() if invoice["InvoiceID"] in by_xero}


def _job(portal, owner_client, *, bulk: bool, resync_all: bool = False):
    portal_sandbox = portal.sandbox
    portal_sandbox.configure(zoho={"bulk_read_paths": bulk})
    job = historical.plan(_start_dry_run(owner_client, portal, **({"resync_all": "on"} if resync_all else {})).pk)
    assert job.status == JobStatus.PLANNED, job.dry_run
    historical.start(job)
    assert _run_to_the_end(job) == "done"
    job.refresh_from_db()
    return job


@pytest.fixture
def seeded(portal, sandbox):  # noqa: F811
    sandbox.seed(zoho={"accounts": 12, "products": 10, "invoices": 30}, xero={"contacts": 0, "items": 0, "invoices": 0})
    _map_taxes_and_accounts(portal)
    portal.sandbox = sandbox
    yield portal
    sandbox.configure(zoho={"bulk_read_paths": True})


@pytest.mark.parametrize("first, second", [(True, False), (False, True)], ids=["bulk-then-fallback",
                                                                              "fallback-then-bulk"])
def test_the_bulk_line_read_and_its_fallback_write_the_same_invoices(seeded, sandbox, owner_client, queued,  # noqa: F811
                                                                     zoho_calls, first, second):
    portal = seeded
    zoho = _zoho_invoices()
    job = _job(portal, owner_client, bulk=first)
    assert (job.done, job.failed) == (52, 0)
    lines = _xero_lines(portal)
    assert len(lines) == 30 and all(lines.values())
    # every Xero invoice has as many lines as its Zoho invoice, with the right tax rate per line
    for record in zoho:
        zoho_taxes = [TAXES[line["Line_Tax"][0]["name"]] if line["Line_Tax"] else "EXEMPTOUTPUT"
                      for line in record.data["Invoiced_Items"]]
        assert [line[3] for line in lines[str(record.zid)]] == zoho_taxes, record.zid
    by_id = _by_id(zoho_calls)
    if first:
        untold = _invoices_with_an_untold_tax(zoho)
        assert 0 < len(untold) < 30  # the seed has both kinds
        assert sorted(path.split("/")[1] for path in by_id) == sorted(untold)  # only those, once each
        assert _line_queries(zoho_calls) and not job.line_fallback
    else:
        assert len(by_id) == 30 and job.line_fallback.startswith("INVALID_QUERY")
        assert len(_line_queries(zoho_calls)) == 1  # tried once, then the job went on by id

    # the other path, Re-sync all: what it reads maps to exactly what was written, so nothing is planned or written
    sandbox.reset_counters()
    again = _job(portal, owner_client, bulk=second, resync_all=True)
    assert again.dry_run["invoices"]["update"] == 0 and again.dry_run["invoices"]["create"] == 0, again.dry_run
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)
    assert _xero_lines(portal) == lines


def test_a_job_whose_zoho_refuses_the_bulk_read_says_fallback_on_its_page_and_in_the_audit(
        seeded, sandbox, owner_client, queued, zoho_calls):  # noqa: F811
    job = _job(seeded, owner_client, bulk=False)
    page = owner_client.get(reverse("sync:historical_job", args=[job.pk])).content.decode()
    assert 'data-testid="line-fallback"' in page and "(fallback)" in page and "INVALID_QUERY" in page
    entries = AuditEntry.objects.filter(message_key=historical.LINE_FALLBACK)
    assert entries.count() == 1  # logged once, although every slice of the job read invoices
    assert "fallback" in entries.get().message and entries.get().module == "invoices"
    for language, words in (("de", "(Fallback)"), ("fr", "(solution de repli)")):
        page = owner_client.get(reverse("sync:historical_job", args=[job.pk]),
                                HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<html lang="{language}">' in page and words in page and "INVALID_QUERY" in page


def test_a_resumed_job_reads_only_the_records_changed_since_the_dry_run(seeded, sandbox, owner_client, queued,  # noqa: F811
                                                                       zoho_calls):
    portal = seeded
    sandbox.seed(zoho={"accounts": 50, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = historical.plan(_start_dry_run(owner_client, portal).pk)
    assert job.total == 62 + 10 + 30 and set(job.snapshot_marks) == {"accounts", "products", "invoices"}
    assert not HistoricalItem.objects.filter(job=job, snapshot__isnull=True).exists()  # every record read once
    historical.start(job)
    assert historical.work(job.pk, slice_seconds=0) == "more"  # one chunk of 50 accounts
    assert historical.pause(job)
    # after the dry run, in Zoho: an account still to sync is renamed, an invoice gets a new subject
    account_id = HistoricalItem.objects.filter(job=job, module="accounts", state="pending").first().source_id
    invoice_id = HistoricalItem.objects.filter(job=job, module="invoices").order_by("id").first().source_id
    portal.zoho.update_records("Accounts", [{"id": account_id, "Account_Name": "Renamed after the dry run"}])
    portal.zoho.update_records("Invoices", [{"id": invoice_id, "Subject": "Changed after the dry run"}])
    del zoho_calls[:]

    assert historical.resume(job)
    assert _run_to_the_end(job) == "done"

    job.refresh_from_db()
    assert (job.done, job.failed) == (102, 0)
    gets = [(path, params, headers) for method, path, params, _query, headers in zoho_calls if method == "GET"]
    # one If-Modified-Since list and one list of deletions per module, nothing read by id
    assert sorted(path for path, _params, headers in gets if "If-Modified-Since" in headers) == [
        "Accounts", "Accounts/deleted", "Invoices", "Invoices/deleted", "Products", "Products/deleted"]
    assert not [path for path, params, _headers in gets if "ids" in params and path != "Products"]
    assert not _by_id(zoho_calls)
    assert len(_line_queries(zoho_calls)) <= 1  # the changed invoice's lines
    contacts = {contact["Name"] for contact in portal.xero.iter_contacts()}
    assert "Renamed after the dry run" in contacts
    xero_id = RecordLink.objects.get(module="invoices", zoho_id=invoice_id).xero_id
    assert portal.xero.get_invoices_by_ids([xero_id])[0]["Reference"] == "Changed after the dry run"
