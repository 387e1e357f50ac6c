import pytest
from django.core import mail
from django.urls import reverse

from audit.links import record_links
from audit.services import record
from connections.services import mark_reconnect_needed
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_each_connection_with_its_status_and_token_expiry(owner_client, organisation):
    ZohoConnectionFactory(organisation=organisation, crm_org_name="Alpenblick CRM")
    XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)", day_limit_remaining=4990)
    page = owner_client.get(reverse("tenancy:home")).content.decode()
    assert 'data-testid="connection-status"' in page
    assert "Alpenblick CRM" in page and "Demo Company (AU)" in page
    assert "4990 left today" in page
    section = page.split('data-testid="connection-status"')[1].split("</section>")[0]
    assert "Reconnect needed" not in section and ">Reconnect</a>" not in section


def test_the_dashboard_asks_to_reconnect_a_revoked_xero_organisation(owner_client, organisation, django_capture_on_commit_callbacks):
    xero = XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (UK)")
    with django_capture_on_commit_callbacks(execute=True):
        mark_reconnect_needed(xero.token_set, reason="invalid_grant")
    section = owner_client.get(reverse("tenancy:home")).content.decode().split('data-testid="connection-status"')[1]
    assert "Reconnect needed" in section and ">Reconnect</a>" in section


def test_a_revoked_grant_emails_the_organisations_admins_once(organisation, owner, django_capture_on_commit_callbacks):
    zoho = ZohoConnectionFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        assert mark_reconnect_needed(zoho, reason="invalid_code")
    with django_capture_on_commit_callbacks(execute=True):
        assert not mark_reconnect_needed(zoho, reason="invalid_code")
    assert len(mail.outbox) == 1
    assert owner.email in mail.outbox[0].to


def test_audit_entries_link_to_the_record_in_the_zoho_data_centre_of_the_connection(organisation):
    ZohoConnectionFactory(organisation=organisation, api_domain="https://www.zohoapis.eu", crm_org_id="20001234")
    entry = record(organisation=organisation, module="accounts", action="create", status="success", zoho_id="4150868000001")
    links = record_links(entry)
    assert links["zoho"] == "https://crm.zoho.eu/crm/org20001234/tab/Accounts/4150868000001"
