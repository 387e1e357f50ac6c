"""Audit entries for tests. `created_at` is auto_now_add, so `make_entry` sets it afterwards when given."""

import datetime
import itertools

from django.utils import timezone

from audit.models import Action, AuditEntry, Direction, Module, Status, Trigger

_numbers = itertools.count(1)


def make_entry(organisation, *, created_at=None, **fields) -> AuditEntry:
    n = next(_numbers)
    values = {
        "module": Module.ACCOUNTS,
        "action": Action.UPDATE,
        "status": Status.SUCCESS,
        "direction": Direction.ZOHO_TO_XERO,
        "trigger": Trigger.CRON,
        "record_name": f"Record {n}",
        "zoho_id": f"{4_000_000_000 + n}",
        "message": f"Updated the Xero contact for Record {n}.",
        **fields,
    }
    entry = AuditEntry.objects.create(organisation=organisation, **values)
    if created_at is not None:
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=created_at)
        entry.created_at = created_at
    return entry


def hours_ago(hours: float):
    return timezone.now() - datetime.timedelta(hours=hours)


def days_ago(days: float):
    return timezone.now() - datetime.timedelta(days=days)
