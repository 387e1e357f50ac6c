"""connections.services: when sync may run, and the reconnect flag."""

import pytest

from audit.models import AuditEntry
from connections import services
from connections.models import Status, XeroOrganisation, XeroTokenSet
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(organisation):
    xero = XeroOrganisationFactory(organisation=organisation)
    ZohoConnectionFactory(organisation=organisation)
    return xero


def test_no_sync_runs_before_the_terms_are_accepted(connected, organisation, owner):
    assert not services.ready_for_sync(organisation)
    services.accept_terms(organisation, owner)
    assert services.ready_for_sync(organisation)
    assert services.ready_for_sync(organisation, connected)


def test_sync_needs_both_providers_and_a_selected_organisation(organisation, owner):
    services.accept_terms(organisation, owner)
    xero = XeroOrganisationFactory(organisation=organisation, selected=False)
    assert not services.ready_for_sync(organisation)
    zoho = ZohoConnectionFactory(organisation=organisation)
    assert not services.ready_for_sync(organisation)
    XeroOrganisation.objects.filter(pk=xero.pk).update(selected=True)
    assert services.ready_for_sync(organisation)
    zoho.delete()
    assert not services.ready_for_sync(organisation)


def test_a_reconnect_pauses_only_the_organisations_of_that_grant(connected, organisation, owner):
    services.accept_terms(organisation, owner)
    other = XeroOrganisationFactory(organisation=organisation)
    assert services.mark_reconnect_needed(connected.token_set, reason="invalid_grant") is True
    assert services.mark_reconnect_needed(connected.token_set, reason="invalid_grant") is False  # audited once
    assert not services.ready_for_sync(organisation, connected)
    assert services.ready_for_sync(organisation, other)
    assert list(services.selected_xero_organisations(organisation)) == [other]
    assert services.reconnect_needed(organisation)
    assert AuditEntry.objects.filter(module="connection", status="failed").count() == 1
    assert XeroTokenSet.objects.get(pk=connected.token_set_id).status == Status.RECONNECT_NEEDED


def test_the_zoho_user_s_language_is_offered_only_for_german_french_and_english():
    assert services.language_from_zoho({"language": "de_DE"}) == "de"
    assert services.language_from_zoho({"language": "fr_FR", "locale": "fr_CA"}) == "fr"
    assert services.language_from_zoho({"locale": "en_GB"}) == "en"
    assert services.language_from_zoho({"language": "ja_JP", "locale": "ja_JP"}) == ""
    assert services.language_from_zoho({}) == ""
