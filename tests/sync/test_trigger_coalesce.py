"""On Save notifications that queue up behind a running sync are coalesced: the first task syncs every record
notified before it started reading, in one run, and the tasks behind it make no API call; a notification that
arrives after that read is synced again; without the bookkeeping a task syncs exactly its own ids."""

import pytest

from sync import services
from sync.models import RecordLink, SyncRun
from sync.triggers import coalesce, tasks

from .portal_setup import connect, start_syncing


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


@pytest.fixture
def links(portal, sandbox):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="historical")
    return sorted(RecordLink.objects.filter(module="accounts"), key=lambda link: link.zoho_id)


def _edit(portal, link, number: str, *, notify: bool = True):
    portal.zoho.update_records("Accounts", [{"id": link.zoho_id, "Phone": number}])
    if notify:  # what the callback does before it queues the task
        coalesce.register(portal.organisation.pk, "accounts", [link.zoho_id])


def _phones(portal, links) -> list[str]:
    contacts = {c["ContactID"]: c for c in portal.xero.get_contacts_by_ids([link.xero_id for link in links])}
    return [next((p.get("PhoneNumber") for p in contacts[link.xero_id].get("Phones", [])
                  if p.get("PhoneType") == "DEFAULT"), None) for link in links]


def _task(portal, link):
    return tasks.zoho_changed_task.apply(args=[str(portal.organisation.pk), "accounts", [link.zoho_id]]).get()


def test_the_first_task_syncs_every_queued_notification_in_one_run_and_the_others_make_no_call(portal, sandbox, links):
    for index, link in enumerate(links):
        _edit(portal, link, f"+49 30 5550 100{index}")
    sandbox.reset_counters()

    assert _task(portal, links[0]) == 3

    assert _phones(portal, links) == ["+49 30 5550 1000", "+49 30 5550 1001", "+49 30 5550 1002"]
    assert SyncRun.objects.filter(trigger="on_save").count() == 1
    sandbox.reset_counters()
    assert [_task(portal, link) for link in links[1:]] == [0, 0]
    counters = sandbox.counters()
    assert (counters["xero"]["total"], counters["zoho"]["total"]) == (0, 0), counters


def test_an_edit_notified_after_the_read_is_synced_again(portal, links):
    _edit(portal, links[0], "+49 30 5550 2000")
    _edit(portal, links[1], "+49 30 5550 2001")
    _task(portal, links[0])
    _edit(portal, links[1], "+49 30 5550 2999")  # after the batch read: a new notification

    assert _task(portal, links[1]) == 1

    assert _phones(portal, links[:2]) == ["+49 30 5550 2000", "+49 30 5550 2999"]


def test_without_the_bookkeeping_a_task_syncs_exactly_its_own_ids(portal, links):
    """The worker's cache may not be the callback's (local memory, `make run`): nothing is known, nothing skipped."""
    _edit(portal, links[0], "+49 30 5550 3000", notify=False)
    _edit(portal, links[1], "+49 30 5550 3001", notify=False)

    assert _task(portal, links[0]) == 1
    assert _task(portal, links[0]) == 1  # nothing recorded: the same notification again syncs again

    phones = _phones(portal, links[:2])
    assert phones[0] == "+49 30 5550 3000" and phones[1] != "+49 30 5550 3001"


def test_on_save_tasks_of_one_module_run_one_after_the_other(monkeypatch):
    """Reads included: a task reads after the previous one wrote, so an older read never writes last."""
    import uuid

    from connections.exceptions import TransientError

    monkeypatch.setattr(coalesce, "LOCK_WAIT", 0.2)
    organisation_id = uuid.uuid4()
    with coalesce.serial(organisation_id, "accounts"):
        with pytest.raises(TransientError), coalesce.serial(organisation_id, "accounts"):
            pass  # pragma: no cover - never entered: the lock is held
        with coalesce.serial(organisation_id, "products"):
            pass  # another module is not held up
    with coalesce.serial(organisation_id, "accounts"):
        pass  # released
