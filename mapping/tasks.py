"""Thin Celery wrappers: keep the Zoho fields and taxes and each Xero organisation's tax rates, chart of accounts
and currencies fresh (the Refresh buttons do the same on demand). Scheduled in mapping/schedules.py."""

import logging

from celery import shared_task
from django.conf import settings

from connections.exceptions import ProviderError, RateLimited, TransientError

from . import clients, services, taxes

logger = logging.getLogger(__name__)


def _retry_countdown(error) -> float:
    """Seconds before a refresh that met a 429 or an outage tries again: the provider's Retry-After, else
    REFERENCE_REFRESH_RETRY_SECONDS (five minutes)."""
    return getattr(error, "retry_after", None) or settings.REFERENCE_REFRESH_RETRY_SECONDS


@shared_task(queue="default", time_limit=300, soft_time_limit=240)
def refresh_reference_data() -> int:
    """Fan out: one task per connected Zoho CRM and per Xero organisation chosen for sync."""
    from connections.models import Status, XeroOrganisation, ZohoConnection

    count = 0
    for organisation_id in ZohoConnection.objects.filter(status=Status.ACTIVE).values_list(
        "organisation_id", flat=True
    ):
        refresh_zoho_metadata.delay(str(organisation_id))
        count += 1
    for xero_organisation_id in XeroOrganisation.objects.filter(
        selected=True, status=Status.ACTIVE
    ).values_list("pk", flat=True):
        refresh_xero_reference_data.delay(str(xero_organisation_id))
        count += 1
    return count


@shared_task(bind=True, queue="default", acks_late=True, max_retries=3, time_limit=300, soft_time_limit=240)
def refresh_zoho_metadata(self, organisation_id: str) -> None:
    from connections.models import Status, ZohoConnection

    connection = ZohoConnection.objects.filter(organisation_id=organisation_id, status=Status.ACTIVE).first()
    if connection is None:
        return
    try:
        client = clients.zoho_client(connection)
        services.refresh_zoho_fields(connection.organisation, client)
        taxes.refresh_zoho_taxes(connection.organisation, client)
    except (RateLimited, TransientError) as error:
        raise self.retry(countdown=_retry_countdown(error)) from error
    except ProviderError as error:
        logger.warning(
            "Zoho metadata refresh failed for organisation %s: %s", organisation_id, type(error).__name__
        )


@shared_task(bind=True, queue="default", acks_late=True, max_retries=3, time_limit=300, soft_time_limit=240)
def refresh_xero_reference_data(self, xero_organisation_id: str) -> None:
    from connections.models import Status, XeroOrganisation

    xero_organisation = XeroOrganisation.objects.filter(
        pk=xero_organisation_id, selected=True, status=Status.ACTIVE
    ).first()
    if xero_organisation is None:
        return
    try:
        taxes.refresh_xero_reference(xero_organisation, clients.xero_client(xero_organisation))
    except (RateLimited, TransientError) as error:
        raise self.retry(countdown=_retry_countdown(error)) from error
    except ProviderError as error:
        logger.warning("Xero reference refresh failed for %s: %s", xero_organisation_id, type(error).__name__)
