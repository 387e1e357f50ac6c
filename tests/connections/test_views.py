import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.urls import reverse

from audit.models import AuditEntry
from connections.models import Status, TermsAcceptance, XeroOrganisation, XeroTokenSet, ZohoConnection
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db
XERO_TOKEN = "https://identity.xero.com/connect/token"
XERO_CONNECTIONS = "https://api.xero.com/connections"


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _start_xero(client, next_page="onboarding") -> dict:
    response = client.post(reverse("connections:xero_connect"), {"next": next_page})
    assert response.status_code == 302
    assert response["Location"].startswith("https://login.xero.com/identity/connect/authorize?")
    return _query(response["Location"])


def _xero_connections(*names):
    return [{"id": f"conn-{i}", "authEventId": "evt-1", "tenantId": f"tenant-{i}", "tenantType": "ORGANISATION",
             "tenantName": name, "createdDateUtc": "2026-11-25T00:00:00"} for i, name in enumerate(names)]


# --- onboarding wizard and Xero ------------------------------------------------------------------------
def test_the_wizard_starts_with_connect_buttons_and_a_disabled_next(owner_client):
    page = owner_client.get(reverse("connections:onboarding")).content.decode()
    assert 'data-testid="connect-xero"' in page and "Connect Xero" in page
    assert "Authorize Zoho" in page
    assert 'disabled data-testid="onboarding-next"' in page


@responses.activate
def test_connect_xero_uses_pkce_and_lists_the_organisations_to_pick(owner_client, organisation):
    query = _start_xero(owner_client)
    assert query["scope"] == "offline_access accounting.contacts accounting.settings accounting.invoices accounting.payments"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "http://testserver/connections/xero/callback/"
    responses.post(XERO_TOKEN, json={"access_token": "xero-at", "refresh_token": "xero-rt", "expires_in": 1800,
                                     "scope": "offline_access accounting.contacts"})
    responses.get(XERO_CONNECTIONS, json=_xero_connections("Demo Company (AU)", "Demo Company (NZ)"))

    response = owner_client.get(reverse("connections:xero_callback"), {"code": "abc", "state": query["state"]})

    assert response.status_code == 302 and reverse("connections:xero_organisations") in response["Location"]
    verifier = parse_qs(responses.calls[0].request.body)["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    assert challenge == query["code_challenge"]
    assert responses.calls[1].request.headers["Authorization"] == "Bearer xero-at"
    names = sorted(XeroOrganisation.objects.filter(organisation=organisation).values_list("tenant_name", flat=True))
    assert names == ["Demo Company (AU)", "Demo Company (NZ)"]
    assert not XeroOrganisation.objects.filter(selected=True).exists()

    picker = owner_client.get(response["Location"]).content.decode()
    assert picker.count("checked") == 2
    chosen = XeroOrganisation.objects.get(tenant_name="Demo Company (NZ)")
    response = owner_client.post(reverse("connections:xero_organisations"),
                                 {"organisations": [str(chosen.pk)], "next": "onboarding"})
    assert response["Location"] == reverse("connections:onboarding")
    assert list(XeroOrganisation.objects.filter(selected=True)) == [chosen]
    page = owner_client.get(reverse("connections:onboarding")).content.decode()
    assert "Connected to Xero: Demo Company (AU), Demo Company (NZ)" in page
    assert "Add another organisation" in page


def test_the_state_works_only_once(owner_client):
    query = _start_xero(owner_client)
    with responses.RequestsMock() as mock:
        mock.post(XERO_TOKEN, json={"access_token": "a", "refresh_token": "r", "expires_in": 1800})
        mock.get(XERO_CONNECTIONS, json=_xero_connections("Demo"))
        owner_client.get(reverse("connections:xero_callback"), {"code": "abc", "state": query["state"]})
    response = owner_client.get(reverse("connections:xero_callback"), {"code": "abc", "state": query["state"]},
                                follow=True)
    assert "expired or was already used" in response.content.decode()
    assert XeroTokenSet.objects.count() == 1


def test_a_forged_state_is_refused_without_calling_xero(owner_client):
    _start_xero(owner_client)
    with responses.RequestsMock():
        response = owner_client.get(reverse("connections:xero_callback"), {"code": "abc", "state": "forged"},
                                    follow=True)
    assert "expired or was already used" in response.content.decode()
    assert not XeroTokenSet.objects.exists()


def test_a_cancelled_consent_returns_to_the_wizard_with_a_friendly_message(owner_client):
    query = _start_xero(owner_client)
    response = owner_client.get(reverse("connections:xero_callback"),
                                {"error": "access_denied", "state": query["state"]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("connections:onboarding")
    assert "You cancelled the Xero authorization" in response.content.decode()


def test_legacy_scopes_setting_asks_for_accounting_transactions(owner_client, settings):
    settings.XERO_LEGACY_SCOPES = True
    assert "accounting.transactions" in _start_xero(owner_client)["scope"].split()


# --- Zoho --------------------------------------------------------------------------------------------
@responses.activate
def test_authorize_zoho_follows_the_data_centre_of_the_redirect_and_offers_the_user_s_language(owner_client, owner):
    response = owner_client.post(reverse("connections:zoho_connect"), {"next": "onboarding"})
    query = _query(response["Location"])
    assert response["Location"].startswith("https://accounts.zoho.com/oauth/v2/auth?")
    assert (query["access_type"], query["prompt"]) == ("offline", "consent")
    assert query["redirect_uri"] == "http://testserver/connections/zoho/callback/"
    responses.post("https://accounts.zoho.eu/oauth/v2/token", json={
        "access_token": "1000.at", "refresh_token": "1000.rt", "expires_in": 3600,
        "api_domain": "https://www.zohoapis.eu", "token_type": "Bearer", "scope": "ZohoCRM.modules.ALL"})
    responses.get("https://www.zohoapis.eu/crm/v8/org", json={"org": [{"id": "777", "company_name": "Zylker GmbH"}]})
    responses.get("https://www.zohoapis.eu/crm/v8/users", json={"users": [{"email": "a@zylker.de",
                                                                           "language": "de_DE", "locale": "de_DE"}]})

    response = owner_client.get(reverse("connections:zoho_callback"), {
        "code": "1000.code", "state": query["state"], "location": "eu", "accounts-server": "https://accounts.zoho.eu"})

    assert response["Location"] == reverse("connections:onboarding")
    connection = ZohoConnection.objects.get()
    assert (connection.location, connection.accounts_server, connection.api_domain) == (
        "eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu")
    assert (connection.crm_org_name, connection.user_language, connection.refresh_token) == ("Zylker GmbH", "de", "1000.rt")
    page = owner_client.get(reverse("connections:onboarding")).content.decode()
    assert 'data-testid="language-offer"' in page and "Deutsch" in page
    assert "Authorized: Zylker GmbH (Europe)" in page
    owner.language = "en"
    owner.save()
    assert 'data-testid="language-offer"' not in owner_client.get(reverse("connections:onboarding")).content.decode()


def test_a_forged_accounts_server_never_receives_the_code(owner_client):
    query = _query(owner_client.post(reverse("connections:zoho_connect"))["Location"])
    with responses.RequestsMock():
        response = owner_client.get(reverse("connections:zoho_callback"), {
            "code": "1000.code", "state": query["state"], "location": "eu",
            "accounts-server": "https://evil.example"}, follow=True)
    assert response.status_code == 200
    assert "Zoho CRM could not be connected" in response.content.decode()
    assert not ZohoConnection.objects.exists()


def test_a_cancelled_zoho_consent_is_a_friendly_cancel(owner_client):
    query = _query(owner_client.post(reverse("connections:zoho_connect"), {"next": "onboarding"})["Location"])
    response = owner_client.get(reverse("connections:zoho_callback"),
                                {"error": "access_denied", "state": query["state"]}, follow=True)
    assert "You cancelled the Zoho CRM authorization" in response.content.decode()


# --- terms, connection page ------------------------------------------------------------------------
def test_next_leads_to_the_terms_and_accepting_stores_user_and_time(owner_client, owner, organisation):
    XeroOrganisationFactory(organisation=organisation)
    ZohoConnectionFactory(organisation=organisation)
    page = owner_client.get(reverse("connections:onboarding")).content.decode()
    assert f'href="{reverse("connections:terms")}" data-testid="onboarding-next"' in page
    response = owner_client.post(reverse("connections:terms"))
    assert response["Location"] == reverse("sync:ready")  # the checklist: nothing syncs until started there
    acceptance = TermsAcceptance.objects.get(organisation=organisation)
    assert acceptance.user == owner and acceptance.accepted_at is not None
    assert "Accepted by" in owner_client.get(reverse("connections:terms")).content.decode()


def test_the_connection_page_shows_names_dc_scopes_quota_and_a_reconnect_button(owner_client, organisation):
    xero = XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")
    ZohoConnectionFactory(organisation=organisation, crm_org_name="Zylker GmbH")
    page = owner_client.get(reverse("connections:index")).content.decode()
    assert "Demo Company (AU)" in page and "Zylker GmbH" in page and "Europe (EU)" in page
    assert "accounting.contacts" in page and "0 of 5000" in page
    assert 'data-testid="reconnect-xero"' not in page
    XeroOrganisation.objects.filter(pk=xero.pk).update(day_limit_remaining=4321)
    assert "Xero reports 4321 left today" in owner_client.get(reverse("connections:index")).content.decode()
    for secret in (xero.token_set.access_token, xero.token_set.refresh_token):
        assert secret not in page
    XeroTokenSet.objects.filter(pk=xero.token_set_id).update(status=Status.RECONNECT_NEEDED)
    page = owner_client.get(reverse("connections:index")).content.decode()
    assert "Reconnect needed" in page and 'data-testid="reconnect-xero"' in page


# --- reset and disconnect ----------------------------------------------------------------------------
@responses.activate
def test_reset_names_what_is_erased_then_disconnects_and_revokes_the_last_organisation(owner_client, organisation):
    xero = XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")
    page = owner_client.get(reverse("connections:reset_xero", args=[xero.pk])).content.decode()
    assert "Demo Company (AU)" in page and "links between Zoho and Xero records" in page
    responses.delete(f"{XERO_CONNECTIONS}/{xero.connection_id}", status=204)
    responses.post("https://identity.xero.com/connect/revocation", status=200)

    refused = owner_client.post(reverse("connections:reset_xero", args=[xero.pk]))
    assert refused.status_code == 200 and XeroOrganisation.objects.exists()  # confirmation box not ticked

    response = owner_client.post(reverse("connections:reset_xero", args=[xero.pk]), {"confirm": "on"})
    assert response["Location"] == reverse("connections:index")
    assert [c.request.method for c in responses.calls] == ["DELETE", "POST"]
    assert not XeroOrganisation.objects.exists() and not XeroTokenSet.objects.exists()
    assert AuditEntry.objects.filter(action="disconnect", xero_tenant_id=xero.tenant_id).exists()


@responses.activate
def test_reset_keeps_the_grant_while_another_organisation_uses_it(owner_client, organisation):
    first = XeroOrganisationFactory(organisation=organisation)
    XeroOrganisationFactory(organisation=organisation, token_set=first.token_set)
    responses.delete(f"{XERO_CONNECTIONS}/{first.connection_id}", status=204)
    owner_client.post(reverse("connections:reset_xero", args=[first.pk]), {"confirm": "on"})
    assert [c.request.method for c in responses.calls] == ["DELETE"]
    assert XeroTokenSet.objects.count() == 1 and XeroOrganisation.objects.count() == 1


@responses.activate
def test_reset_still_erases_when_the_grant_is_already_revoked(owner_client, organisation):
    xero = XeroOrganisationFactory(organisation=organisation)
    XeroTokenSet.objects.filter(pk=xero.token_set_id).update(status=Status.RECONNECT_NEEDED)
    owner_client.post(reverse("connections:reset_xero", args=[xero.pk]), {"confirm": "on"})
    assert not XeroOrganisation.objects.exists()


@responses.activate
def test_disconnect_zoho_revokes_the_refresh_token_at_its_accounts_server(owner_client, organisation):
    zoho = ZohoConnectionFactory(organisation=organisation)
    responses.post("https://accounts.zoho.eu/oauth/v2/token/revoke", json={"status": "success"})
    response = owner_client.post(reverse("connections:disconnect_zoho"), {"confirm": "on"})
    assert response["Location"] == reverse("connections:index")
    assert f"token={zoho.refresh_token}" in responses.calls[0].request.url
    assert not ZohoConnection.objects.exists()
    assert AuditEntry.objects.filter(action="disconnect", module="connection").exists()


# --- roles and tenancy ---------------------------------------------------------------------------------
def test_read_only_members_can_look_but_not_change(client, read_only_member, organisation):
    xero = XeroOrganisationFactory(organisation=organisation)
    ZohoConnectionFactory(organisation=organisation)
    client.force_login(read_only_member)
    assert client.get(reverse("connections:index")).status_code == 200
    assert 'data-testid="reset-xero"' not in client.get(reverse("connections:index")).content.decode()
    assert client.post(reverse("connections:xero_connect")).status_code == 403
    assert client.post(reverse("connections:zoho_connect")).status_code == 403
    assert client.post(reverse("connections:terms")).status_code == 403
    assert client.post(reverse("connections:reset_xero", args=[xero.pk]), {"confirm": "on"}).status_code == 403
    assert client.post(reverse("connections:disconnect_zoho"), {"confirm": "on"}).status_code == 403
    assert client.post(reverse("connections:xero_organisations"), {"organisations": []}).status_code == 403
    assert XeroOrganisation.objects.filter(selected=True).exists() and ZohoConnection.objects.exists()


def test_outsiders_see_nothing_of_another_organisation(outsider_client, organisation):
    xero = XeroOrganisationFactory(organisation=organisation, tenant_name="Secret Books Ltd")
    ZohoConnectionFactory(organisation=organisation, crm_org_name="Secret CRM")
    assert outsider_client.get(reverse("connections:reset_xero", args=[xero.pk])).status_code == 404
    assert outsider_client.post(reverse("connections:reset_xero", args=[xero.pk]), {"confirm": "on"}).status_code == 404
    for name in ("connections:index", "connections:onboarding", "connections:xero_organisations"):
        page = outsider_client.get(reverse(name)).content.decode()
        assert "Secret Books Ltd" not in page and "Secret CRM" not in page
    outsider_client.post(reverse("connections:xero_organisations"), {"organisations": [str(xero.pk)]})
    outsider_client.post(reverse("connections:disconnect_zoho"), {"confirm": "on"})
    assert XeroOrganisation.objects.filter(pk=xero.pk, selected=True).exists()
    assert ZohoConnection.objects.filter(organisation=organisation).exists()


def test_a_callback_started_in_another_organisation_is_refused(client, owner, organisation, other_organisation):
    from tenancy.models import Membership, Role

    Membership.objects.create(user=owner, organisation=other_organisation, role=Role.OWNER)
    client.force_login(owner)
    query = _start_xero(client)
    session = client.session
    session["current_organisation_id"] = str(other_organisation.pk)
    session.save()
    with responses.RequestsMock():
        response = client.get(reverse("connections:xero_callback"), {"code": "c", "state": query["state"]},
                              follow=True)
    assert "expired or was already used" in response.content.decode()


def test_outsiders_cannot_complete_a_consent_started_for_another_organisation(owner, outsider):
    from django.test import Client

    owner_browser, outsider_browser = Client(), Client()
    owner_browser.force_login(owner)
    outsider_browser.force_login(outsider)
    xero_state = _start_xero(owner_browser)["state"]
    zoho_state = _query(owner_browser.post(reverse("connections:zoho_connect"))["Location"])["state"]
    with responses.RequestsMock():  # no provider call may happen
        xero = outsider_browser.get(reverse("connections:xero_callback"), {"code": "c", "state": xero_state},
                                    follow=True)
        zoho = outsider_browser.get(reverse("connections:zoho_callback"),
                                    {"code": "c", "state": zoho_state, "location": "eu"}, follow=True)
    assert "expired or was already used" in xero.content.decode()
    assert "expired or was already used" in zoho.content.decode()
    assert not XeroTokenSet.objects.exists() and not ZohoConnection.objects.exists()
