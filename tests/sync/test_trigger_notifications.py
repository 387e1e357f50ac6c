"""On Save Sync and Zoho notifications: the Settings page's switch registers, updates and removes the watch
channel in Zoho (the sandbox), Beat renews it well before it expires, and a notification from Zoho reaches the
callback and runs the real task code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sync.models import RecordLink
from sync.trigger_models import ZohoChannel
from sync.triggers import notifications, tasks

from .portal_setup import connect, start_syncing
from .workers import wait_for


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    settings.PORTAL_BASE_URL = "http://portal.invalid"  # unreachable by design (RFC 2606): no webhook leaves
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def _settings_form(on_save: bool, **overrides):
    data = {"organisation-on_save_sync": "on" if on_save else None}
    for module in ("accounts", "contacts", "products", "invoices"):
        data.update({f"{module}-allow_sync": "on", f"{module}-cron": "on", f"{module}-conflict_policy": "most_recent",
                     f"{module}-zoho_to_xero_create": "on", f"{module}-zoho_to_xero_update": "on",
                     f"{module}-xero_to_zoho_create": "on", f"{module}-xero_to_zoho_update": "on"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _save(owner_client, portal, on_save, **overrides):
    url = reverse("sync:settings_for", args=[portal.xero_organisation.pk])
    response = owner_client.post(url, _settings_form(on_save, **overrides))
    assert response.status_code == 302


def test_turning_on_save_sync_on_and_off_registers_updates_and_removes_the_channel(portal, owner_client):
    _save(owner_client, portal, True)
    channel = ZohoChannel.objects.get()
    [watch] = portal.zoho.list_notifications()
    assert str(watch["channel_id"]) == str(channel.channel_id)
    assert sorted(watch["events"]) == ["Accounts.all", "Contacts.all", "Invoices.all", "Products.all"]
    assert watch["notify_url"] == "http://portal.invalid/sync/notifications/zoho/"
    assert timedelta(days=5) < channel.expires_at - timezone.now() <= timedelta(days=6)

    _save(owner_client, portal, True, **{"products-allow_sync": None})
    [watch] = portal.zoho.list_notifications()
    assert sorted(watch["events"]) == ["Accounts.all", "Contacts.all", "Invoices.all"]
    assert ZohoChannel.objects.get().events == ["Accounts.all", "Contacts.all", "Invoices.all"]

    _save(owner_client, portal, False)
    assert portal.zoho.list_notifications() == [] and not ZohoChannel.objects.exists()


def test_beat_renews_a_channel_well_before_it_expires(portal, owner_client):
    _save(owner_client, portal, True)
    ZohoChannel.objects.update(expires_at=timezone.now() + timedelta(days=1))
    assert tasks.renew_channels_task() == 1
    channel = ZohoChannel.objects.get()
    assert channel.expires_at - timezone.now() > timedelta(days=5)
    [watch] = portal.zoho.list_notifications()
    assert watch["channel_expiry"].startswith(channel.expires_at.strftime("%Y-%m-%d"))
    assert tasks.renew_channels_task() == 0  # nothing due


def test_a_channel_lost_on_the_zoho_side_is_registered_again_by_beat(portal, owner_client):
    _save(owner_client, portal, True)
    portal.zoho.disable_notifications([ZohoChannel.objects.get().channel_id])
    ZohoChannel.objects.update(registered=False)
    assert tasks.renew_channels_task() == 1
    assert len(portal.zoho.list_notifications()) == 1


def test_a_channel_zoho_no_longer_knows_is_enabled_again_instead_of_failing_for_good(portal, owner_client):
    _save(owner_client, portal, True)
    portal.zoho.disable_notifications([ZohoChannel.objects.get().channel_id])  # the portal still thinks it is there
    ZohoChannel.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    assert tasks.renew_channels_task() == 1
    channel = ZohoChannel.objects.get()
    assert channel.registered and channel.last_error == ""
    assert channel.expires_at - timezone.now() > timedelta(days=5)
    [watch] = portal.zoho.list_notifications()
    assert str(watch["channel_id"]) == str(channel.channel_id)


def run_tasks_in_the_request(monkeypatch):
    """The eager path: a queued task runs at once in the process that queued it (the real task code)."""
    for task in (tasks.zoho_changed_task, tasks.xero_changed_task):
        monkeypatch.setattr(task, "apply_async",
                            lambda args=None, kwargs=None, _task=task, **options: _task.apply(args, kwargs))


def test_a_zoho_edit_notifies_the_callback_and_the_task_updates_xero(portal, sandbox, live_server, settings,
                                                                      monkeypatch):
    """The sandbox posts the notification to the live portal; the task runs eagerly in the request (the real
    task code; the browser test uses a real worker when PostgreSQL and Redis are available)."""
    settings.PORTAL_BASE_URL = live_server.url
    sandbox.configure(xero={"webhooks_enabled": False})  # one callback at a time on SQLite's shared connection
    run_tasks_in_the_request(monkeypatch)
    if True:
        sandbox.seed(zoho={"accounts": 1, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
        from sync import services

        [account] = list(portal.zoho.iter_records("Accounts", ["Account_Name"]))
        services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="historical")
        link = RecordLink.objects.get(zoho_id=account["id"])
        from sync.settings_services import organisation_settings

        settings_row = organisation_settings(portal.organisation)
        settings_row.on_save_sync = True
        settings_row.save()
        assert ZohoChannel.objects.get().registered
        portal.zoho.update_records("Accounts", [{"id": account["id"], "Account_Name": "Renamed by Zoho GmbH"}])
        wait_for(lambda: portal.xero.get_contacts_by_ids([link.xero_id])[0]["Name"] == "Renamed by Zoho GmbH",
                 timeout=60, message="the renamed account in Xero")
        # the link is stored in the checkpoint after the Xero write: a moment later than the name shows in Xero
        wait_for(lambda: RecordLink.objects.get(pk=link.pk).zoho_fingerprint != link.zoho_fingerprint,
                 timeout=60, message="the link's new fingerprint")


def test_notifications_for_switched_off_modules_sync_nothing(portal):
    assert list(notifications.sync_targets(portal.organisation, "accounts")) == [portal.xero_organisation]
    from sync.settings_services import module_settings

    row = module_settings(portal.xero_organisation, "accounts")
    row.allow_sync = False
    row.save()
    assert list(notifications.sync_targets(portal.organisation, "accounts")) == []


def test_a_delete_notification_archives_the_xero_contact_when_delete_is_on(portal, sandbox):
    from sync import services
    from sync.settings_services import module_settings

    sandbox.seed(zoho={"accounts": 1, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    services.sync_records(portal.xero_organisation, "accounts", "zoho_to_xero", trigger="historical")
    link = RecordLink.objects.get(module="accounts")
    row = module_settings(portal.xero_organisation, "accounts")
    row.zoho_to_xero_delete = True
    row.save()
    portal.zoho.delete_records("Accounts", [link.zoho_id])
    tasks.zoho_changed_task.apply(args=[str(portal.organisation.pk), "accounts", [link.zoho_id]])
    [contact] = [c for c in portal.xero.iter_contacts(include_archived=True) if c["ContactID"] == link.xero_id]
    assert contact["ContactStatus"] == "ARCHIVED"
