"""sync.bulk.update_rows: one UPDATE for a chunk's rows, each with its own values (PostgreSQL and SQLite)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sync import bulk
from sync.models import RecordLink
from tests.connections.factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_in_one_statement(organisation):
    xero_organisation = XeroOrganisationFactory(organisation=organisation)
    links = [RecordLink.objects.create(organisation=organisation, xero_organisation=xero_organisation,
                                       module="accounts", zoho_id=str(i), xero_id=f"x-{i}", name=f"old {i}")
             for i in range(3)]
    untouched = RecordLink.objects.create(organisation=organisation, xero_organisation=xero_organisation,
                                          module="accounts", zoho_id="9", xero_id="x-9", name="keep")
    now = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        updated = bulk.update_rows(RecordLink, [(link.pk, f"new {i}", "it's \"quoted\"") for i, link in
                                                enumerate(links)], ["name", "zoho_fingerprint"],
                                   same={"last_synced_at": now})

    assert updated == 3 and len(queries) == 1
    rows = {link.zoho_id: link for link in RecordLink.objects.all()}
    assert [rows[str(i)].name for i in range(3)] == ["new 0", "new 1", "new 2"]
    assert {rows[str(i)].zoho_fingerprint for i in range(3)} == {"it's \"quoted\""}
    assert all(rows[str(i)].last_synced_at == now for i in range(3))
    assert rows["9"].name == "keep" and rows["9"].last_synced_at is None and untouched.pk == rows["9"].pk
    assert bulk.update_rows(RecordLink, [], ["name"]) == 0
