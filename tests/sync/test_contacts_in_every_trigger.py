"""Contacts are a module like the others (issue 13): Historical Sync offers them in both directions through its
form (and brings their accounts), Copy to Xero copies a Zoho contact, and a failed contact entry is resynced in
either direction. Everything against the sandbox, as an admin would do it."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from audit import resync
from audit.models import AuditEntry
from sync.models import RecordLink
from sync.trigger_models import HistoricalJob, JobStatus
from sync.triggers import historical, tasks

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return connect(sandbox, owner_client, organisation, owner, settings)


@pytest.fixture
def queued(monkeypatch):
    for name in ("historical_plan_task", "historical_run_task"):
        monkeypatch.setattr(getattr(tasks, name), "apply_async", lambda *args, **kwargs: None)


def _insert(portal, module, **fields):
    [result] = portal.zoho.insert_records(module, [fields])
    assert result.ok, result
    return result.id


def _persons(portal, contact_id):
    [contact] = portal.xero.get_contacts_by_ids([contact_id])
    return contact.get("ContactPersons") or []


def _job(owner_client, portal, **fields):
    data = {"xero_organisation": str(portal.xero_organisation.pk), "modules": ["contacts"], **fields}
    response = owner_client.post(reverse("sync:historical"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return historical.plan(HistoricalJob.objects.latest("created_at").pk)


def _run(job):
    assert historical.start(job)
    for _ in range(1000):
        if historical.work(job.pk, slice_seconds=0) != "more":
            break
    job.refresh_from_db()
    return job


def test_the_historical_form_offers_contacts_and_brings_their_accounts(portal, owner_client):
    page = owner_client.get(reverse("sync:historical")).content.decode()
    assert 'value="contacts"' in page and "choosing Contacts also syncs Accounts" in page
    assert historical.with_dependencies(["contacts"]) == ["accounts", "contacts"]
    assert historical.with_dependencies(["invoices", "contacts"]) == ["accounts", "contacts", "products", "invoices"]


def test_historical_sync_of_contacts_from_zoho_makes_contact_persons_and_a_contact_of_its_own(
        portal, sandbox, owner_client, queued):
    account = _insert(portal, "Accounts", Account_Name="Platypus Pty Ltd")
    ada = _insert(portal, "Contacts", First_Name="Ada", Last_Name="Lovelace", Email="ada@platypus.example",
                  Account_Name={"id": account})
    grace = _insert(portal, "Contacts", First_Name="Grace", Last_Name="Hopper", Email="grace@platypus.example",
                    Account_Name={"id": account})
    loner = _insert(portal, "Contacts", First_Name="Solo", Last_Name="Trader", Email="solo@trader.example")

    job = _job(owner_client, portal)
    assert job.modules == ["accounts", "contacts"] and job.status == JobStatus.PLANNED
    assert (job.dry_run["accounts"]["create"], job.dry_run["contacts"]["create"]) == (1, 3), job.dry_run
    assert job.total == 4 and writes(sandbox, "xero") == 0  # the dry run writes nothing
    page = owner_client.get(reverse("sync:historical_job", args=[job.pk])).content.decode()
    assert 'data-testid="dry-run-contacts-create">3<' in page

    job = _run(job)
    assert (job.status, job.done, job.failed) == (JobStatus.DONE, 4, 0)
    contact_id = RecordLink.objects.get(module="accounts", zoho_id=account).xero_id
    assert sorted(p["EmailAddress"] for p in _persons(portal, contact_id)) == [
        "ada@platypus.example", "grace@platypus.example"]
    own = RecordLink.objects.get(module="contacts", zoho_id=loner).xero_id
    [solo] = portal.xero.get_contacts_by_ids([own])
    assert (solo["Name"], solo.get("ContactNumber")) == ("Solo Trader", loner)
    assert set(AuditEntry.objects.filter(module="contacts", trigger="historical", status="success")
               .values_list("zoho_id", flat=True)) == {ada, grace, loner}
    assert not AuditEntry.objects.filter(status="failed").exists()

    sandbox.reset_counters()
    again = _run(_job(owner_client, portal))
    assert again.total == 0 and again.dry_run["contacts"]["skip"] == 3  # already synced
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)


def test_historical_sync_of_contacts_from_xero_makes_zoho_contacts_under_the_new_account(
        portal, sandbox, owner_client, queued):
    [saved] = portal.xero.save_contacts([{"Name": "Wombat Holdings", "ContactPersons": [
        {"FirstName": "Alan", "LastName": "Turing", "EmailAddress": "alan@wombat.example"},
        {"FirstName": "Joan", "LastName": "Clarke", "EmailAddress": "joan@wombat.example"}]}])
    assert saved.ok, saved.errors
    contact_id = saved.id

    job = _job(owner_client, portal, xero_to_zoho="on")
    assert job.modules == ["accounts", "contacts"] and job.direction == "xero_to_zoho"
    assert (job.dry_run["accounts"]["create"], job.dry_run["contacts"]["create"]) == (1, 2), job.dry_run
    assert writes(sandbox, "zoho") == 0

    job = _run(job)
    assert (job.status, job.failed) == (JobStatus.DONE, 0)
    account = RecordLink.objects.get(module="accounts", xero_id=contact_id).zoho_id
    links = RecordLink.objects.filter(module="contacts", xero_id__startswith=f"{contact_id}:")
    assert links.count() == 2
    for link in links:
        record = portal.zoho.get_record("Contacts", link.zoho_id)
        assert record["Account_Name"]["id"] == account
        assert record["Email"] in ("alan@wombat.example", "joan@wombat.example")
    assert not AuditEntry.objects.filter(status="failed").exists()

    sandbox.reset_counters()
    again = _run(_job(owner_client, portal, xero_to_zoho="on"))
    assert again.dry_run["contacts"]["create"] == 0 and again.total == 0, again.dry_run
    assert (writes(sandbox, "xero"), writes(sandbox, "zoho")) == (0, 0)


def test_copy_to_xero_copies_a_zoho_contact_from_the_page_and_from_the_button(portal, sandbox, owner_client):
    start_syncing(portal)
    account = _insert(portal, "Accounts", Account_Name="Quokka Traders")
    ada = _insert(portal, "Contacts", First_Name="Ada", Last_Name="Quokka", Email="ada@quokka.example",
                  Account_Name={"id": account})
    found = owner_client.get(reverse("sync:copy"), {"module": "contacts", "name": "Ada"}).content.decode()
    assert "Ada Quokka" in found and f'data-testid="copy-{ada}"' in found
    response = owner_client.post(reverse("sync:copy"), {"module": "contacts", "record_id": ada}, follow=True)
    assert 'data-testid="copy-result"' in response.content.decode()
    contact_id = RecordLink.objects.get(module="accounts", zoho_id=account).xero_id  # its account came first
    assert [p["EmailAddress"] for p in _persons(portal, contact_id)] == ["ada@quokka.example"]
    entry = AuditEntry.objects.get(module="contacts", zoho_id=ada, trigger="copy")
    assert (entry.status, entry.action, entry.xero_id) == ("success", "create", contact_id)

    page = owner_client.get(reverse("sync:copy")).content.decode()
    template = html.unescape(re.search(r'data-testid="button-url-contacts">([^<]+)<', page).group(1))
    assert "${Contacts.Contact Id}" in template
    grace = _insert(portal, "Contacts", First_Name="Grace", Last_Name="Quokka", Email="grace@quokka.example",
                    Account_Name={"id": account})
    assert Client().get(template.replace("${Contacts.Contact Id}", grace)).status_code == 200
    assert sorted(p["EmailAddress"] for p in _persons(portal, contact_id)) == [
        "ada@quokka.example", "grace@quokka.example"]
    sandbox.reset_counters()
    assert "nothing needed to be written" in Client().get(
        template.replace("${Contacts.Contact Id}", grace)).content.decode()
    assert writes(sandbox, "xero") == 0


def _resync(entry):
    assert resync.can_resync(entry)
    request, created = resync.request_resync(entry)
    assert created
    return resync.run_request(entry.organisation_id, entry.pk, request.pk)


def test_a_failed_contact_person_is_resynced_from_zoho(portal, sandbox):
    from sync import services

    start_syncing(portal)
    account = _insert(portal, "Accounts", Account_Name="Echidna Ltd")
    services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="cron")
    contact_id = RecordLink.objects.get(module="accounts", zoho_id=account).xero_id
    full = [{"FirstName": f"P{i}", "LastName": "Full", "EmailAddress": f"p{i}@echidna.example"} for i in range(5)]
    assert portal.xero.save_contacts([{"ContactID": contact_id, "ContactPersons": full}])[0].ok
    sixth = _insert(portal, "Contacts", First_Name="Sixth", Last_Name="Person", Email="six@echidna.example",
                    Account_Name={"id": account})
    services.sync_records(portal.xero_organisation, "contacts", "zoho_to_xero", trigger="cron")
    failed = AuditEntry.objects.get(module="contacts", zoho_id=sixth, status="failed")
    assert "5 contact persons" in failed.message

    # The admin removes a person in Xero, then presses Resync on the failed entry.
    assert portal.xero.save_contacts([{"ContactID": contact_id, "ContactPersons": full[:4]}])[0].ok
    new = _resync(failed)
    assert (new.status, new.action, new.resync_of_id, new.trigger) == ("success", "create", failed.pk, "resync")
    assert "six@echidna.example" in [p["EmailAddress"] for p in _persons(portal, contact_id)]


def test_a_failed_contact_person_is_resynced_from_xero(portal, sandbox):
    from sync import services

    start_syncing(portal)
    account = _insert(portal, "Accounts", Account_Name="Bilby Partners")
    services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="cron")
    contact_id = RecordLink.objects.get(module="accounts", zoho_id=account).xero_id
    nameless = {"FirstName": "Ida", "EmailAddress": "ida@bilby.example"}  # Zoho requires a Last Name
    assert portal.xero.save_contacts([{"ContactID": contact_id, "ContactPersons": [nameless]}])[0].ok
    services.sync_records(portal.xero_organisation, "contacts", "xero_to_zoho", trigger="cron")
    failed = AuditEntry.objects.get(module="contacts", direction="xero_to_zoho", status="failed")
    assert failed.xero_id == contact_id  # the Xero contact holding the person: what the resync reads again

    assert portal.xero.save_contacts([{"ContactID": contact_id,
                                       "ContactPersons": [{**nameless, "LastName": "Pfeiffer"}]}])[0].ok
    new = _resync(failed)
    assert (new.status, new.action, new.resync_of_id) == ("success", "create", failed.pk), new.message
    link = RecordLink.objects.get(module="contacts", xero_id__startswith=f"{contact_id}:")
    record = portal.zoho.get_record("Contacts", link.zoho_id)
    assert (record["Last_Name"], record["Email"], record["Account_Name"]["id"]) == (
        "Pfeiffer", "ida@bilby.example", account)
