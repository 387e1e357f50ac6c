"""Nothing is written until the admin says so: a newly connected organisation starts with every trigger off, the
"Ready to sync" checklist tracks mapping, taxes, default accounts and a dry run, and "Start syncing" switches on
one module in one direction. The dashboard says what does not sync yet and why."""

import pytest
from django.urls import reverse

from connections import services as connection_services
from mapping import taxes
from mapping.models import XeroAccount, ZohoTax
from sync.models import ModuleSettings
from sync.readiness import services as readiness
from sync.trigger_models import HistoricalJob, JobStatus
from sync.triggers import cron
from tests.connections.factories import ZohoConnectionFactory

from .factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xero_organisation(organisation, owner):
    ZohoConnectionFactory(organisation=organisation)
    connection_services.accept_terms(organisation, owner)
    return XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")


def _ready_url(xero_organisation):
    return reverse("sync:ready_for", args=[xero_organisation.pk])


def _start(client, xero_organisation, module, direction, action="start"):
    return client.post(_ready_url(xero_organisation), {"action": action, "module": module, "direction": direction})


def test_a_newly_connected_organisation_has_every_trigger_off_and_nothing_is_due_for_cron(xero_organisation):
    for settings in readiness.settings_services.all_module_settings(xero_organisation):
        assert not settings.allow_sync and not settings.cron
        assert not any(settings.allows(d, a) for d in readiness.DIRECTIONS for a in ("create", "update", "delete"))
    assert list(cron.organisations_due()) == []


def test_start_syncing_turns_on_one_module_in_one_direction_only(owner_client, xero_organisation, organisation):
    response = _start(owner_client, xero_organisation, "accounts", "zoho_to_xero")
    assert response.status_code == 302
    accounts = ModuleSettings.objects.get(xero_organisation=xero_organisation, module="accounts")
    assert accounts.allow_sync and accounts.cron and accounts.started("zoho_to_xero")
    assert not accounts.started("xero_to_zoho") and not accounts.allows("zoho_to_xero", "delete")
    others = ModuleSettings.objects.filter(xero_organisation=xero_organisation).exclude(module="accounts")
    assert not any(s.allow_sync or s.cron for s in others)
    assert list(cron.organisations_due()) == [organisation]
    _start(owner_client, xero_organisation, "accounts", "zoho_to_xero", action="stop")
    accounts.refresh_from_db()
    assert not accounts.allow_sync and not accounts.cron and not accounts.started("zoho_to_xero")


def test_the_checklist_follows_what_was_saved_and_looked_at(owner_client, xero_organisation, organisation):
    ZohoTax.objects.create(organisation=organisation, name="GST", percentage=10)
    XeroAccount.objects.create(organisation=organisation, xero_organisation=xero_organisation, account_id="a1", code="200",
                               name="Sales", account_class="REVENUE", status="ACTIVE")

    def done():
        page = owner_client.get(_ready_url(xero_organisation))
        return {check.key: check.done for check in page.context["checks"]}

    assert done() == {"mapping": False, "taxes": False, "accounts": False, "dry_run": False}
    owner_client.post(_ready_url(xero_organisation), {"action": "mapping_reviewed"})
    taxes.save_tax_mappings(xero_organisation, {"GST": "OUTPUT"})
    taxes.save_default_accounts(xero_organisation, {m: "200" for m in taxes.ACCOUNT_CODE_MODULES})
    job = HistoricalJob.objects.create(organisation=organisation, xero_organisation=xero_organisation,
                                       modules=["accounts"], direction="zoho_to_xero", status=JobStatus.PLANNED)
    assert done()["dry_run"] is False  # a dry run nobody looked at does not count
    owner_client.get(reverse("sync:historical_job", args=[job.pk]))
    assert done() == {"mapping": True, "taxes": True, "accounts": True, "dry_run": True}


def test_the_tax_page_says_suggestions_are_not_applied_until_saved(owner_client, xero_organisation, organisation):
    ZohoTax.objects.create(organisation=organisation, name="GST", percentage=10)
    from mapping.models import XeroTaxRate

    XeroTaxRate.objects.create(organisation=organisation, xero_organisation=xero_organisation, name="GST on Income",
                               tax_type="OUTPUT", rate=10, status="ACTIVE", can_apply_to_revenue=True)
    url = reverse("mapping:taxes") + f"?xero={xero_organisation.pk}"
    html = owner_client.get(url).content.decode()
    assert 'data-testid="taxes-not-saved"' in html and 'data-testid="tax-unsaved"' in html
    assert taxes.tax_mappings(xero_organisation) == {}  # the suggestion is only pre-selected
    taxes.save_tax_mappings(xero_organisation, {"GST": "OUTPUT"})
    assert 'data-testid="taxes-not-saved"' not in owner_client.get(url).content.decode()


def test_the_dashboard_says_what_does_not_sync_yet_and_why_until_a_module_starts(owner_client, xero_organisation):
    html = owner_client.get(reverse("tenancy:home")).content.decode()
    assert 'data-testid="getting-started"' in html and 'data-testid="nothing-syncs"' in html
    assert 'data-testid="sync-status-accounts-zoho_to_xero" data-syncing="no"' in html
    assert "nobody has pressed Start syncing yet" in html
    _start(owner_client, xero_organisation, "accounts", "zoho_to_xero")
    html = owner_client.get(reverse("tenancy:home")).content.decode()
    assert 'data-testid="getting-started"' not in html and 'data-testid="nothing-syncs"' not in html
    assert 'data-testid="sync-status-accounts-zoho_to_xero" data-syncing="yes"' in html
    assert 'data-testid="sync-status-accounts-xero_to_zoho" data-syncing="no"' in html


def test_nothing_starts_while_the_connections_are_not_ready(owner_client, organisation, owner):
    xero = XeroOrganisationFactory(organisation=organisation)  # no Zoho, no terms
    response = _start(owner_client, xero, "accounts", "zoho_to_xero")
    assert response.status_code == 302
    assert not ModuleSettings.objects.filter(xero_organisation=xero, allow_sync=True).exists()


def test_a_read_only_member_sees_the_checklist_but_cannot_start(client, read_only_member, xero_organisation):
    client.force_login(read_only_member)
    page = client.get(_ready_url(xero_organisation))
    assert page.status_code == 200 and 'data-testid="start-accounts-zoho_to_xero"' not in page.content.decode()
    assert _start(client, xero_organisation, "accounts", "zoho_to_xero").status_code == 403
    assert not ModuleSettings.objects.filter(xero_organisation=xero_organisation, allow_sync=True).exists()


def test_an_outsider_gets_404(outsider_client, xero_organisation):
    assert outsider_client.get(_ready_url(xero_organisation)).status_code == 404
    assert _start(outsider_client, xero_organisation, "accounts", "zoho_to_xero").status_code == 404
