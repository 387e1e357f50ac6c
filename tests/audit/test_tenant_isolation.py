"""Acceptance 3: a member of another organisation sees none of these entries and gets 404 on their URLs."""

import pytest
from django.urls import reverse

from audit.models import Status
from tests.audit.factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(organisation):
    original = make_entry(organisation, record_name="Acme secret deal", status=Status.FAILED, zoho_id="4242424242")
    return make_entry(organisation, record_name="Acme secret deal", resync_of=original)


def test_an_outsider_gets_404_on_every_entry_url(outsider_client, secret):
    assert outsider_client.get(reverse("audit:detail", args=[secret.pk])).status_code == 404
    assert outsider_client.get(reverse("audit:detail", args=[secret.resync_of_id])).status_code == 404


def test_an_outsider_sees_none_of_the_entries_in_the_list_search_or_export(outsider_client, secret):
    for params in [{}, {"q": "secret"}, {"q": "4242424242"}, {"status": "failed"}]:
        response = outsider_client.get(reverse("audit:index"), params)
        assert response.status_code == 200
        assert response.context["page"].entries == []
        assert "Acme secret deal" not in response.content.decode()
    export = b"".join(outsider_client.get(reverse("audit:export")).streaming_content).decode()
    assert "Acme secret deal" not in export
    assert len(export.strip().splitlines()) == 1


def test_an_outsider_cannot_page_into_the_entries_with_an_owners_cursor(client, owner, outsider, secret, organisation):
    for _ in range(12):
        make_entry(organisation, record_name="Acme secret deal")
    client.force_login(owner)
    owners_page = client.get(reverse("audit:index"), {"per_page": 10}).context["page"]
    assert owners_page.entries and owners_page.next_cursor
    client.force_login(outsider)
    for key in ("after", "before"):
        response = client.get(reverse("audit:index"), {"per_page": 10, key: owners_page.next_cursor})
        assert response.status_code == 200
        assert response.context["page"].entries == []


def test_the_outsiders_dashboard_counts_none_of_the_entries(outsider_client, secret):
    response = outsider_client.get(reverse("tenancy:home"))
    assert response.status_code == 200
    assert all(row.in_sync == row.failing == row.skipped == 0 for row in response.context["modules"])
    assert all(run.entry is None for run in response.context["runs"])
    assert sum(day.successes + day.failures for day in response.context["days"]) == 0


def test_a_signed_out_visitor_is_sent_to_sign_in(client, secret):
    for url in [reverse("audit:index"), reverse("audit:export"), reverse("audit:detail", args=[secret.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("tenancy:login") in response["Location"]


def test_a_user_without_an_organisation_gets_404_on_the_audit_urls(client, secret):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("audit:index")).status_code == 404
    assert client.get(reverse("audit:export")).status_code == 404
    assert client.get(reverse("audit:detail", args=[secret.pk])).status_code == 404
    assert client.get(reverse("tenancy:home")).status_code == 200


def test_the_admin_lists_entries_read_only_for_superusers(client, secret):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
