"""Connecting Zoho, or choosing a Xero organisation, reads its reference data in the background at once (fields and
taxes; tax rates, accounts and currencies), so a new user's mapping and tax pages are complete without Refresh."""

import pytest
from django.urls import reverse

from mapping import tasks
from tests.connections.factories import XeroOrganisationFactory
from tests.connections.sandbox_flows import connect_zoho


@pytest.fixture
def queued(monkeypatch):
    sent = []
    for task in (tasks.refresh_zoho_metadata, tasks.refresh_xero_reference_data):
        monkeypatch.setattr(task, "delay", lambda *args, _task=task: sent.append((_task.name.rsplit(".")[-1], args)))
    return sent


def test_connecting_zoho_queues_reading_its_fields_and_taxes(sandbox, owner_client, organisation, queued):
    sandbox.seed(xero={}, zoho={"accounts": 0, "products": 0, "invoices": 0})
    connect_zoho(owner_client)
    assert queued == [("refresh_zoho_metadata", (str(organisation.pk),))]


@pytest.mark.django_db
def test_choosing_a_xero_organisation_queues_reading_its_rates_and_accounts_once(
        owner_client, organisation, queued, django_capture_on_commit_callbacks):
    chosen = XeroOrganisationFactory(organisation=organisation, selected=False)
    kept = XeroOrganisationFactory(organisation=organisation, selected=True)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("connections:xero_organisations"), {"organisations": [chosen.pk, kept.pk]})
    assert queued == [("refresh_xero_reference_data", (str(chosen.pk),))]  # not the one already chosen
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("connections:xero_organisations"), {"organisations": [chosen.pk, kept.pk]})
    assert len(queued) == 1
