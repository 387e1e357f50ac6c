"""With two Xero organisations on one Zoho CRM, the same record has an entry in each: the audit log, its CSV,
its filters and the dashboard tell them apart, and Resync acts on the organisation of the entry pressed."""

import pytest
from django.urls import reverse

from audit import tasks
from audit.models import Module, ResyncRequest, Status
from tests.audit.factories import make_entry
from tests.sync.factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(organisation):
    north = XeroOrganisationFactory(organisation=organisation, tenant_id="tenant-north", tenant_name="North Ltd")
    south = XeroOrganisationFactory(organisation=organisation, tenant_id="tenant-south", tenant_name="South Ltd")
    entries = {}
    for xero in (north, south):
        entries[xero.tenant_id] = make_entry(
            organisation, record_name="Harbour Supplies", module=Module.PRODUCTS, status=Status.FAILED,
            zoho_id="5725767000000600001", xero_tenant_id=xero.tenant_id, xero_tenant_name=xero.tenant_name)
    make_entry(organisation, record_name="Only North", xero_tenant_id="tenant-north", xero_tenant_name="North Ltd")
    return entries


def _names(response):
    return [(e.record_name, e.xero_tenant_name) for e in response.context["page"].entries]


def test_each_row_names_its_xero_organisation_and_the_filter_keeps_one(owner_client, two):
    everything = owner_client.get(reverse("audit:index"))
    html = everything.content.decode()
    assert html.count('data-testid="row-xero-organisation">North Ltd<') == 2
    assert html.count('data-testid="row-xero-organisation">South Ltd<') == 1
    assert '<option value="tenant-south">South Ltd</option>' in html  # the filter offers both organisations
    south = owner_client.get(reverse("audit:index"), {"xero": "tenant-south"})
    assert _names(south) == [("Harbour Supplies", "South Ltd")]
    assert "xero=tenant-south" in south.context["export_query"]


def test_the_csv_keeps_the_organisation_filter_and_names_the_organisation(owner_client, two):
    response = owner_client.get(reverse("audit:export"), {"xero": "tenant-north"})
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 3  # header + two North entries
    assert all("North Ltd" in line for line in lines[1:]) and not any("South Ltd" in line for line in lines)


def test_the_dashboard_counts_a_record_once_per_organisation_and_narrows_to_one(owner_client, two):
    everything = owner_client.get(reverse("tenancy:home"))
    failing = {row.module: row.failing for row in everything.context["modules"]}
    assert failing["products"] == 2  # the same Zoho product fails in North and in South
    html = everything.content.decode()
    assert 'data-testid="dashboard-xero"' in html
    south = owner_client.get(reverse("tenancy:home"), {"xero": "tenant-south"})
    assert {row.module: row.failing for row in south.context["modules"]}["products"] == 1
    assert "status=failed&amp;xero=tenant-south" in south.content.decode()


def test_resync_acts_on_the_organisation_of_the_entry_pressed(owner_client, two, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.resync_entry_task, "apply_async", lambda args=None, **options: sent.append(args))
    south = two["tenant-south"]
    response = owner_client.post(reverse("audit:resync", args=[south.pk]), {"next": reverse("audit:index")})
    assert response.status_code == 302
    request = ResyncRequest.objects.get()
    assert request.entry_id == south.pk and request.record_key.startswith("tenant-south|")
    north_rows = owner_client.get(reverse("audit:index"), {"xero": "tenant-north", "status": "failed"})
    assert [e.resync_pending for e in north_rows.context["page"].entries] == [False]  # North still offers Resync


def test_an_outsider_filtering_by_an_owners_organisation_sees_nothing(outsider_client, two):
    response = outsider_client.get(reverse("audit:index"), {"xero": "tenant-north"})
    assert response.status_code == 200 and response.context["page"].entries == []
    assert "North Ltd" not in response.content.decode()
