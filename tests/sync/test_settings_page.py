"""The sync Settings page: per Xero organisation, per module switches, the global On Save Sync switch."""

import pytest
from django.urls import reverse

from sync.models import ConflictPolicy, ModuleSettings, OrganisationSyncSettings
from sync.settings_services import module_settings

from .factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xero_organisation(organisation):
    return XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")


def _url(xero_organisation):
    return reverse("sync:settings_for", args=[xero_organisation.pk])


def _post_data(**overrides):
    data = {"organisation-on_save_sync": "on"}
    for module in ("accounts", "contacts", "products", "invoices"):
        data.update({
            f"{module}-allow_sync": "on",
            f"{module}-cron": "on",
            f"{module}-conflict_policy": "most_recent",
            f"{module}-zoho_to_xero_create": "on",
            f"{module}-zoho_to_xero_update": "on",
            f"{module}-xero_to_zoho_create": "on",
            f"{module}-xero_to_zoho_update": "on",
        })
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_settings_page_redirects_to_the_first_xero_organisation(owner_client, xero_organisation):
    response = owner_client.get(reverse("sync:settings"))
    assert response.status_code == 302 and response["Location"] == _url(xero_organisation)


def test_without_a_xero_organisation_it_says_to_connect_one(owner_client):
    response = owner_client.get(reverse("sync:settings"))
    assert response.status_code == 200
    assert b'data-testid="no-xero-organisation"' in response.content


def test_it_shows_every_module_with_every_switch_off_until_the_admin_starts_it(owner_client, xero_organisation):
    response = owner_client.get(_url(xero_organisation))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Xero Sync Configure: Demo Company (AU)" in body and "Update Configuration" in body
    assert " checked" not in body.split('class="settings-table"', 1)[1].split("</table>", 1)[0]  # the module switches
    for module in ("accounts", "contacts", "products", "invoices"):
        assert f'data-testid="module-{module}"' in body
        for switch in ("allow-sync", "cron", "zoho_to_xero_create", "zoho_to_xero_update", "zoho_to_xero_delete",
                       "xero_to_zoho_create", "xero_to_zoho_update", "xero_to_zoho_delete"):
            if (module, switch) == ("contacts", "xero_to_zoho_delete"):  # ModuleSpec.deletes: Zoho -> Xero only
                assert f'data-testid="{module}-{switch}" disabled>' in body
                assert "Xero cannot delete a single contact person." in body
                continue
            assert f'data-testid="{module}-{switch}">' in body  # unchecked


def test_a_delete_switch_the_module_cannot_sync_is_not_saved(owner_client, xero_organisation):
    owner_client.post(_url(xero_organisation), _post_data(**{"contacts-xero_to_zoho_delete": "on",
                                                             "contacts-zoho_to_xero_delete": "on"}))
    contacts = ModuleSettings.objects.get(xero_organisation=xero_organisation, module="contacts")
    assert contacts.zoho_to_xero_delete and not contacts.xero_to_zoho_delete


def test_update_configuration_saves_every_switch(owner_client, xero_organisation, organisation):
    data = _post_data(**{
        "invoices-zoho_to_xero_delete": "on",
        "invoices-xero_to_zoho_update": None,
        "invoices-conflict_policy": "xero_wins",
        "products-allow_sync": None,
        "accounts-cron": None,
    })
    response = owner_client.post(_url(xero_organisation), data)
    assert response.status_code == 302
    invoices = ModuleSettings.objects.get(xero_organisation=xero_organisation, module="invoices")
    assert invoices.zoho_to_xero_delete and not invoices.xero_to_zoho_update
    assert invoices.conflict_policy == ConflictPolicy.XERO_WINS
    assert invoices.allows("zoho_to_xero", "delete") and not invoices.allows("xero_to_zoho", "update")
    products = ModuleSettings.objects.get(xero_organisation=xero_organisation, module="products")
    assert not products.allow_sync and not products.allows("zoho_to_xero", "create")
    assert not ModuleSettings.objects.get(xero_organisation=xero_organisation, module="accounts").cron
    assert OrganisationSyncSettings.objects.get(organisation=organisation).on_save_sync
    page = owner_client.get(_url(xero_organisation)).content.decode()
    assert "The configuration was updated." in page
    assert 'data-testid="invoices-zoho_to_xero_delete" checked' in page


def test_an_invalid_conflict_policy_is_refused_with_a_message_and_nothing_saved(owner_client, xero_organisation):
    response = owner_client.post(_url(xero_organisation), _post_data(**{"accounts-conflict_policy": "coin_toss"}))
    assert response.status_code == 400
    assert "The configuration was not saved" in response.content.decode()
    assert not OrganisationSyncSettings.objects.filter(on_save_sync=True).exists()


def test_settings_are_kept_per_xero_organisation(owner_client, organisation, xero_organisation):
    other = XeroOrganisationFactory(organisation=organisation, tenant_name="Second Org")
    owner_client.post(_url(xero_organisation), _post_data())
    owner_client.post(_url(other), _post_data(**{"accounts-allow_sync": None}))
    assert not ModuleSettings.objects.get(xero_organisation=other, module="accounts").allow_sync
    assert ModuleSettings.objects.get(xero_organisation=other, module="products").allow_sync
    assert module_settings(xero_organisation, "accounts").allow_sync


def test_a_read_only_member_sees_the_settings_but_cannot_change_them(client, read_only_member, xero_organisation):
    client.force_login(read_only_member)
    page = client.get(_url(xero_organisation))
    assert page.status_code == 200 and b'data-testid="read-only-note"' in page.content
    assert b"update-configuration" not in page.content
    response = client.post(_url(xero_organisation), _post_data())  # would switch everything on
    assert response.status_code == 403
    assert not ModuleSettings.objects.filter(xero_organisation=xero_organisation, allow_sync=True).exists()


def test_an_outsider_gets_404_and_changes_nothing(outsider_client, xero_organisation):
    assert outsider_client.get(_url(xero_organisation)).status_code == 404
    assert outsider_client.post(_url(xero_organisation), _post_data()).status_code == 404
    assert not ModuleSettings.objects.filter(allow_sync=True).exists()
    assert not OrganisationSyncSettings.objects.filter(on_save_sync=True).exists()


def test_the_page_is_translated(owner_client, owner, xero_organisation):
    owner.language = "de"
    owner.save()
    body = owner_client.get(_url(xero_organisation), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="de"' in body and "Einstellungen" in body


def test_switching_delete_on_stamps_the_moment_and_the_page_says_deletes_are_never_retroactive(
        owner_client, xero_organisation):
    body = owner_client.get(_url(xero_organisation)).content.decode()
    assert 'data-testid="deletes-never-retroactive"' in body
    for direction in ("zoho_to_xero", "xero_to_zoho"):
        assert f'data-testid="products-{direction}_delete-note"' in body  # next to each Delete switch
    owner_client.post(_url(xero_organisation), _post_data(**{"products-xero_to_zoho_delete": "on"}))
    products = module_settings(xero_organisation, "products")
    first = products.xero_to_zoho_delete_on_at
    assert first is not None and products.delete_on_since("xero_to_zoho") == first
    assert products.zoho_to_xero_delete_on_at is None and products.delete_on_since("zoho_to_xero") is None
    owner_client.post(_url(xero_organisation), _post_data(**{"products-xero_to_zoho_delete": "on"}))
    assert module_settings(xero_organisation, "products").xero_to_zoho_delete_on_at == first  # still on: kept
    owner_client.post(_url(xero_organisation), _post_data())
    assert module_settings(xero_organisation, "products").xero_to_zoho_delete_on_at is None


def test_the_routing_rule_is_safe_by_default_and_saved_per_xero_organisation(owner_client, xero_organisation):
    from sync.models import RoutingMode, ZohoRouting

    body = owner_client.get(_url(xero_organisation)).content.decode()
    assert 'data-testid="routing-zoho_records" checked' in body and "stay with that organisation" in body
    response = owner_client.post(_url(xero_organisation), _post_data(**{
        "routing-mode": "field", "routing-zoho_field": "Billing_Country", "routing-value": "Australia"}))
    assert response.status_code == 302
    rule = ZohoRouting.objects.get(xero_organisation=xero_organisation)
    assert (rule.mode, rule.zoho_field, rule.value) == (RoutingMode.FIELD, "Billing_Country", "Australia")


def test_a_field_rule_without_a_value_is_refused_with_a_translated_message(owner_client, owner, xero_organisation):
    from sync.models import ZohoRouting

    owner.language = "fr"
    owner.save()
    response = owner_client.post(_url(xero_organisation), _post_data(**{
        "routing-mode": "field", "routing-zoho_field": "Billing_Country", "routing-value": " "}),
        HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Saisissez la valeur qui envoie un enregistrement" in response.content.decode()
    assert not ZohoRouting.objects.exists()
