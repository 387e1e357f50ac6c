"""Acceptance 5: Copy to Xero from the documented button URL works, and the same URL with a token of another
organisation is refused. Also the portal's search-and-copy, and the result in the audit log."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from sync.trigger_models import ButtonKey
from sync.triggers import keys

from .portal_setup import connect, start_syncing, writes


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return start_syncing(connect(sandbox, owner_client, organisation, owner, settings))


def _account(portal, name):
    [result] = portal.zoho.insert_records("Accounts", [{"Account_Name": name, "Billing_City": "Hobart"}])
    assert result.ok
    return result.id


def _documented_template(owner_client, module="accounts"):
    page = owner_client.get(reverse("sync:copy")).content.decode()
    match = re.search(rf'data-testid="button-url-{module}">([^<]+)<', page)
    assert match, "the Copy page documents the button URL"
    return html.unescape(match.group(1))


def test_the_documented_button_url_copies_the_record_and_another_organisations_token_is_refused(
        portal, sandbox, owner_client, other_organisation):
    zoho_id = _account(portal, "Platypus Pty Ltd")
    template = _documented_template(owner_client)
    assert "${Accounts.Account Id}" in template  # the Zoho merge field the button fills in
    url = template.replace("${Accounts.Account Id}", zoho_id)
    stranger = Client()  # the button opens a new tab: the token alone authorises this one copy

    forged = url.replace(keys.token_for(portal.organisation, ButtonKey.COPY),
                         keys.token_for(other_organisation, ButtonKey.COPY))
    assert forged != url
    refused = stranger.get(forged)
    assert refused.status_code == 403 and "not valid for this organisation" in refused.content.decode()
    assert keys.token_for(portal.organisation, ButtonKey.COPY) in url and "?key=" in url
    assert writes(sandbox, "xero") == 0

    response = stranger.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    assert "Created in Xero." in response.content.decode()
    [contact] = [c for c in portal.xero.iter_contacts() if c.get("ContactNumber") == zoho_id]
    assert contact["Name"] == "Platypus Pty Ltd"
    entry = AuditEntry.objects.get(zoho_id=zoho_id, trigger="copy")
    assert (entry.status, entry.action, entry.organisation_id) == ("success", "create", portal.organisation.pk)

    again = stranger.get(url)
    assert "nothing needed to be written" in again.content.decode()
    assert len([c for c in portal.xero.iter_contacts() if c.get("ContactNumber") == zoho_id]) == 1


def test_a_regenerated_key_revokes_old_button_urls_and_bad_parameters_are_a_400(portal, owner_client):
    zoho_id = _account(portal, "Echidna Ltd")
    url = _documented_template(owner_client).replace("${Accounts.Account Id}", zoho_id)
    keys.regenerate(portal.organisation, ButtonKey.COPY)
    assert Client().get(url).status_code == 403
    fresh = _documented_template(owner_client)
    assert Client().get(fresh.replace("${Accounts.Account Id}", "not-an-id")).status_code == 400
    assert Client().get(fresh.replace("module=accounts", "module=leads").replace(
        "${Accounts.Account Id}", zoho_id)).status_code == 400
    assert not AuditEntry.objects.filter(trigger="copy").exists()


def test_a_record_found_by_name_in_the_portal_is_copied_and_the_result_shown(portal, owner_client):
    zoho_id = _account(portal, "Quokka Traders")
    _account(portal, "Wallaby Wholesale")
    found = owner_client.get(reverse("sync:copy"), {"module": "accounts", "name": "Quok"}).content.decode()
    assert "Quokka Traders" in found and "Wallaby" not in found and f'data-testid="copy-{zoho_id}"' in found
    response = owner_client.post(reverse("sync:copy") + "?module=accounts&name=Quok",
                                 {"module": "accounts", "record_id": zoho_id}, follow=True)
    page = response.content.decode()
    assert 'data-testid="copy-result"' in page and "Created in Xero." in page
    assert AuditEntry.objects.filter(zoho_id=zoho_id, trigger="copy", status="success").exists()
    missing = owner_client.post(reverse("sync:copy"), {"module": "accounts", "record_id": "4876876999999999999"})
    assert "Zoho CRM has no record 4876876999999999999" in missing.content.decode()


def test_a_search_with_more_matches_than_shown_says_so(portal, owner_client):
    from sync.triggers.copy import SEARCH_LIMIT

    results = portal.zoho.insert_records("Accounts", [{"Account_Name": f"Numbat {n:02}"} for n in range(SEARCH_LIMIT)])
    assert all(result.ok for result in results)
    exactly = owner_client.get(reverse("sync:copy"), {"module": "accounts", "name": "Numbat"}).content.decode()
    assert exactly.count('data-testid="copy-4876') == SEARCH_LIMIT and 'data-testid="copy-more"' not in exactly
    _account(portal, "Numbat Extra")
    more = owner_client.get(reverse("sync:copy"), {"module": "accounts", "name": "Numbat"}).content.decode()
    assert more.count('data-testid="copy-4876') == SEARCH_LIMIT
    assert f"Only the first {SEARCH_LIMIT} records are shown." in more


@pytest.mark.django_db
def test_read_only_members_see_no_button_urls_and_cannot_copy(client, organisation, read_only_member):
    client.force_login(read_only_member)
    page = client.get(reverse("sync:copy")).content.decode()
    assert "button-url-accounts" not in page
    assert client.post(reverse("sync:copy"), {"module": "accounts", "record_id": "1"}).status_code == 403


@pytest.mark.django_db
def test_a_button_url_token_never_serves_another_organisation(client, organisation, other_organisation, caplog):
    token = keys.token_for(organisation, ButtonKey.COPY)
    url = reverse("sync:copy_button", kwargs={"organisation_id": other_organisation.pk})
    assert client.get(url, {"key": token, "module": "accounts", "record_id": "1"}).status_code == 403
    assert client.get(url, {"module": "accounts", "record_id": "1"}).status_code == 403
    assert "Forbidden" in caplog.text and token not in caplog.text  # the key is never logged
