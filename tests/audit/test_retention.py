import pytest
from django.test import override_settings

from audit import tasks
from audit.models import AuditEntry
from audit.services import purge_expired_entries
from tests.audit.factories import days_ago, make_entry

pytestmark = pytest.mark.django_db


def test_it_purges_entries_older_than_the_retention_in_batches(organisation, other_organisation):
    old = [make_entry(organisation, created_at=days_ago(181)) for _ in range(7)]
    old.append(make_entry(other_organisation, created_at=days_ago(400)))
    kept = [make_entry(organisation, created_at=days_ago(179)), make_entry(organisation)]
    assert purge_expired_entries(days=180, batch_size=3) == 8
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {e.pk for e in kept}


def test_a_kept_resync_loses_only_its_link_to_a_purged_entry(organisation):
    original = make_entry(organisation, created_at=days_ago(200))
    resync = make_entry(organisation, resync_of=original, created_at=days_ago(10))
    purge_expired_entries(days=180)
    resync.refresh_from_db()
    assert resync.resync_of is None


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_the_beat_task_uses_the_configured_retention(organisation):
    make_entry(organisation, created_at=days_ago(31))
    make_entry(organisation, created_at=days_ago(29))
    assert tasks.purge_expired_audit_entries() == 1
    assert AuditEntry.objects.count() == 1


def test_the_beat_schedule_has_the_audit_tasks():
    from syncportal.celery import beat_schedule

    tasks_scheduled = {entry["task"] for entry in beat_schedule().values()}
    assert {"audit.tasks.check_failure_alerts", "audit.tasks.purge_expired_audit_entries"} <= tasks_scheduled
