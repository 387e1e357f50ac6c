"""The daily refresh of Zoho fields and taxes and of each Xero organisation's reference data."""

import pytest
from celery.exceptions import Retry

from connections.exceptions import AuthRevoked, TransientError
from connections.models import Status
from mapping import clients, tasks
from mapping.models import XeroAccount, ZohoFieldCache, ZohoTax
from mapping.schedules import BEAT_SCHEDULE
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory
from tests.mapping.test_fields_and_files import FakeZoho as FakeZohoFields
from tests.mapping.test_taxes_and_accounts import FakeXero
from tests.mapping.test_taxes_and_accounts import FakeZoho as FakeZohoTaxes

pytestmark = pytest.mark.django_db


class FakeZoho(FakeZohoFields, FakeZohoTaxes):
    pass


def test_the_dispatcher_queues_one_task_per_zoho_connection_and_chosen_xero_organisation(
    organisation, monkeypatch
):
    ZohoConnectionFactory(organisation=organisation)
    chosen = XeroOrganisationFactory(organisation=organisation)
    XeroOrganisationFactory(organisation=organisation, selected=False)
    XeroOrganisationFactory(organisation=organisation, status=Status.RECONNECT_NEEDED)
    queued = []
    monkeypatch.setattr(tasks.refresh_zoho_metadata, "delay", lambda org_id: queued.append(("zoho", org_id)))
    monkeypatch.setattr(
        tasks.refresh_xero_reference_data, "delay", lambda xo_id: queued.append(("xero", xo_id))
    )
    assert tasks.refresh_reference_data() == 2
    assert queued == [("zoho", str(organisation.pk)), ("xero", str(chosen.pk))]
    assert (
        BEAT_SCHEDULE["daily-refresh-mapping-reference-data"]["task"]
        == "mapping.tasks.refresh_reference_data"
    )


def test_the_tasks_refresh_the_caches_and_return_quietly_when_the_row_is_gone(organisation, monkeypatch):
    ZohoConnectionFactory(organisation=organisation)
    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    monkeypatch.setattr(clients, "zoho_client", lambda connection: FakeZoho())
    monkeypatch.setattr(clients, "xero_client", lambda xo: FakeXero())
    tasks.refresh_zoho_metadata(str(organisation.pk))
    tasks.refresh_xero_reference_data(str(xero_organisation.pk))
    assert ZohoFieldCache.objects.filter(organisation=organisation).count() == 4
    assert ZohoTax.objects.filter(organisation=organisation).count() == 3
    assert XeroAccount.objects.filter(xero_organisation=xero_organisation).count() == 3
    gone = str(xero_organisation.pk)
    xero_organisation.delete()
    tasks.refresh_xero_reference_data(gone)  # gone: nothing to do, no error


def test_a_transient_failure_is_retried_and_a_revoked_grant_is_not(organisation, monkeypatch):
    xero_organisation = XeroOrganisationFactory(organisation=organisation)

    class Failing:
        def __init__(self, error):
            self.error = error

        def get_tax_rates(self):
            raise self.error

    monkeypatch.setattr(clients, "xero_client", lambda xo: Failing(TransientError("502")))
    with pytest.raises(Retry):
        tasks.refresh_xero_reference_data.apply(args=[str(xero_organisation.pk)], throw=True)
    monkeypatch.setattr(clients, "xero_client", lambda xo: Failing(AuthRevoked("gone")))
    tasks.refresh_xero_reference_data(str(xero_organisation.pk))
