import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Module, Status, Trigger
from tests.audit.factories import days_ago, make_entry

pytestmark = pytest.mark.django_db
URL = reverse("tenancy:home")


def by_module(response):
    return {row.module: (row.in_sync, row.failing, row.skipped) for row in response.context["modules"]}


def test_each_record_counts_once_by_its_latest_status_in_the_last_30_days(owner_client, organisation):
    # Account A failed, then succeeded: in sync. Account B succeeded, then failed: failing.
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="A", status=Status.FAILED, created_at=days_ago(3))
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="A", status=Status.SUCCESS, created_at=days_ago(2))
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="B", status=Status.SUCCESS, created_at=days_ago(3))
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="B", status=Status.FAILED, created_at=days_ago(1))
    # A record known only by its Xero id, and a skipped one.
    make_entry(organisation, module=Module.INVOICES, zoho_id="", xero_id="X1", status=Status.FAILED, created_at=days_ago(1))
    make_entry(organisation, module=Module.INVOICES, zoho_id="I2", status=Status.SKIPPED, created_at=days_ago(1))
    # Outside the window, or not a record: not counted.
    make_entry(organisation, module=Module.PRODUCTS, zoho_id="P1", status=Status.FAILED, created_at=days_ago(31))
    make_entry(organisation, module=Module.CONNECTION, zoho_id="", xero_id="", status=Status.FAILED)
    response = owner_client.get(URL)
    assert response.status_code == 200
    counts = by_module(response)
    assert counts["accounts"] == (1, 1, 0)
    assert counts["invoices"] == (0, 1, 1)
    assert counts["products"] == (0, 0, 0)
    assert "connection" not in counts


def test_it_shows_the_last_run_of_each_trigger(owner_client, organisation):
    make_entry(organisation, trigger=Trigger.CRON, status=Status.SUCCESS, created_at=days_ago(2))
    latest_cron = make_entry(organisation, trigger=Trigger.CRON, status=Status.FAILED, created_at=days_ago(1))
    webhook = make_entry(organisation, trigger=Trigger.WEBHOOK, created_at=days_ago(5))
    response = owner_client.get(URL)
    runs = {run.trigger: run.entry for run in response.context["runs"]}
    assert runs["cron"] == latest_cron
    assert runs["webhook"] == webhook
    assert runs["historical"] is None
    html = response.content.decode()
    assert reverse("audit:detail", args=[latest_cron.pk]) in html
    assert "Never" in html


def test_a_run_with_a_few_failing_records_reads_as_counts_not_as_failed(owner_client, organisation):
    # One cron run: 5 records synced, then 2 failed (its last entry is a failure); an older run is not counted.
    run_end = timezone.now() - timezone.timedelta(minutes=1)
    make_entry(organisation, trigger=Trigger.CRON, status=Status.SUCCESS, created_at=run_end - timezone.timedelta(hours=1))
    for i in range(5):
        make_entry(organisation, trigger=Trigger.CRON, status=Status.SUCCESS,
                   created_at=run_end - timezone.timedelta(seconds=30 - i))
    make_entry(organisation, trigger=Trigger.CRON, status=Status.SKIPPED, created_at=run_end - timezone.timedelta(seconds=3))
    make_entry(organisation, trigger=Trigger.CRON, status=Status.FAILED, created_at=run_end - timezone.timedelta(seconds=2))
    make_entry(organisation, trigger=Trigger.CRON, status=Status.FAILED, created_at=run_end)
    make_entry(organisation, trigger=Trigger.WEBHOOK, status=Status.SUCCESS, created_at=run_end)
    response = owner_client.get(URL)
    runs = {run.trigger: run for run in response.context["runs"]}
    assert (runs["cron"].succeeded, runs["cron"].failed) == (5, 2)
    assert (runs["webhook"].succeeded, runs["webhook"].failed) == (1, 0)
    html = response.content.decode()
    assert "2 failed</a>, 5 succeeded" in html
    assert f'{reverse("audit:index")}?trigger=cron&amp;status=failed' in html


def test_the_chart_counts_successes_and_failures_per_day_for_30_days(owner_client, organisation):
    for _ in range(3):
        make_entry(organisation, status=Status.SUCCESS, created_at=days_ago(1))
    make_entry(organisation, status=Status.FAILED, created_at=days_ago(1))
    make_entry(organisation, status=Status.FAILED)
    make_entry(organisation, status=Status.SKIPPED)
    make_entry(organisation, status=Status.FAILED, created_at=days_ago(45))
    response = owner_client.get(URL)
    days = response.context["days"]
    assert len(days) == 30
    assert days[-1].date == timezone.localdate()
    by_date = {day.date: (day.successes, day.failures) for day in days}
    assert by_date[timezone.localdate(days_ago(1))] == (3, 1)
    assert by_date[timezone.localdate()] == (0, 1)
    assert sum(s + f for s, f in by_date.values()) == 5
    tallest = max(days, key=lambda d: d.successes)
    assert tallest.success_height == 120
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert 'data-testid="syncs-per-day-table"' in html
    assert f'data-date="{timezone.localdate(days_ago(1)):%Y-%m-%d}"><th scope="row">' in html


def test_the_dashboard_invites_to_connect_when_nothing_is_connected(owner_client):
    page = owner_client.get(URL).content.decode()
    assert 'data-testid="connection-status"' in page
    assert "Nothing is connected yet." in page


def test_a_read_only_member_sees_the_dashboard(client, read_only_member, organisation):
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="A", status=Status.SUCCESS)
    client.force_login(read_only_member)
    response = client.get(URL)
    assert response.status_code == 200
    assert by_module(response)["accounts"] == (1, 0, 0)


def test_the_counts_are_reused_for_a_minute(owner_client, organisation):
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="A", status=Status.SUCCESS)
    assert by_module(owner_client.get(URL))["accounts"] == (1, 0, 0)
    make_entry(organisation, module=Module.ACCOUNTS, zoho_id="B", status=Status.FAILED)
    assert by_module(owner_client.get(URL))["accounts"] == (1, 0, 0)
    from django.core.cache import cache

    cache.delete(f"audit:dashboard:{organisation.pk}")
    assert by_module(owner_client.get(URL))["accounts"] == (1, 1, 0)
