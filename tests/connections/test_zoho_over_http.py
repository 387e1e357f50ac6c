"""Zoho CRM through the sandbox over HTTP: consent in the EU data centre, the client, a revoked grant."""

from datetime import timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from connections import services
from connections.exceptions import AuthRevoked
from connections.models import Status, ZohoConnection
from connections.providers.zoho.client import ZohoClient
from tests.connections.sandbox_flows import connect_zoho as _connect_zoho


def test_authorizing_zoho_in_the_eu_stores_the_data_centre_org_and_language(sandbox, owner_client):
    sandbox.seed(zoho={})
    connection = _connect_zoho(owner_client)
    assert connection.location == "eu"
    assert connection.accounts_server == f"{sandbox.url}/zoho/eu/accounts"
    assert connection.api_domain == f"{sandbox.url}/zoho/eu/api"
    assert connection.crm_org_name == "Alpenblick Handels GmbH"
    assert connection.user_language == "de"
    assert connection.refresh_token.startswith("1000.")
    assert "ZohoCRM.modules.ALL" in connection.scopes

    client = ZohoClient(connection)
    assert any(m["api_name"] == "Accounts" for m in client.get_modules())
    accounts = list(client.iter_records("Accounts", ["Account_Name", "Modified_Time"]))
    assert accounts and all("Account_Name" in a for a in accounts)


def test_an_expired_access_token_is_refreshed_at_the_eu_accounts_server(sandbox, owner_client):
    sandbox.seed(zoho={})
    connection = _connect_zoho(owner_client)
    old_token = connection.access_token
    ZohoConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ZohoClient(ZohoConnection.objects.get()).get_org()["company_name"] == "Alpenblick Handels GmbH"
    connection.refresh_from_db()
    assert connection.access_token != old_token and connection.expires_at > timezone.now()


def test_a_revoked_zoho_grant_shows_reconnect_needed_pauses_sync_and_is_audited(sandbox, owner_client, organisation,
                                                                                   owner):
    """Acceptance 5 (Zoho)."""
    from tests.connections.factories import XeroOrganisationFactory

    sandbox.seed(zoho={})
    connection = _connect_zoho(owner_client)
    XeroOrganisationFactory(organisation=organisation)
    services.accept_terms(organisation, owner)
    assert services.ready_for_sync(organisation)

    # The user revokes the portal's access in Zoho; our access token then expires.
    revoked = requests.post(f"{connection.accounts_server}/oauth/v2/token/revoke",
                            params={"token": connection.refresh_token}, timeout=10)
    assert revoked.json() == {"status": "success"}
    ZohoConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(AuthRevoked):
        ZohoClient(ZohoConnection.objects.get()).get_org()

    assert ZohoConnection.objects.get().status == Status.RECONNECT_NEEDED
    assert not services.ready_for_sync(organisation)
    entry = AuditEntry.objects.get(module="connection", status="failed")
    assert "Zoho CRM access for Alpenblick Handels GmbH was revoked" in entry.message
    page = owner_client.get(reverse("connections:index")).content.decode()
    assert 'data-testid="zoho-reconnect-needed"' in page and 'data-testid="reconnect-zoho"' in page

    # Reconnecting restores the connection.
    _connect_zoho(owner_client)
    assert ZohoConnection.objects.get().status == Status.ACTIVE
    assert services.ready_for_sync(organisation)
