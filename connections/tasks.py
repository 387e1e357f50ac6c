"""Celery tasks of the connections app: keep idle Xero refresh tokens alive (they die after 60 unused days).

They run on the "default" queue (CELERY_TASK_DEFAULT_QUEUE; the Beat entry names it too).
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from . import conf
from .exceptions import AuthRevoked, ProviderError
from .models import Status, XeroTokenSet

logger = logging.getLogger(__name__)


def idle_xero_token_sets():
    cutoff = timezone.now() - timedelta(days=conf.get("XERO_IDLE_REFRESH_DAYS"))
    return XeroTokenSet.objects.filter(status=Status.ACTIVE).filter(
        Q(last_refreshed_at__lt=cutoff) | Q(last_refreshed_at__isnull=True))


@shared_task(time_limit=120, soft_time_limit=100)
def refresh_idle_xero_token_sets() -> int:
    """Beat: fan out one refresh task per Xero token set not refreshed for XERO_IDLE_REFRESH_DAYS."""
    ids = list(idle_xero_token_sets().values_list("pk", flat=True))
    for pk in ids:
        refresh_xero_token_set.delay(str(pk))
    return len(ids)


@shared_task(time_limit=120, soft_time_limit=100, acks_late=True)
def refresh_xero_token_set(token_set_id: str) -> bool:
    """Refresh one token set if it is still idle; a revoked grant is marked "reconnect needed"."""
    from .providers.xero import tokens

    if not idle_xero_token_sets().filter(pk=token_set_id).exists():
        return False
    try:
        tokens.refresh(token_set_id, force=True)
    except AuthRevoked:
        return False  # tokens.refresh marked it and wrote the audit entry
    except ProviderError as error:
        logger.warning("Idle Xero token set %s not refreshed: %s", token_set_id, type(error).__name__)
        raise
    return True
