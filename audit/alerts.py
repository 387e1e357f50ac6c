"""Emails to an organisation's owners and admins: too many failures in an hour, or a connection to renew.

Each alert is claimed before it is sent (a conditional UPDATE on AlertState), so several workers or a
repeated Beat tick send it at most once per window.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tenancy.models import Membership, Organisation, Role

from .models import AlertState, AuditEntry, Status

logger = logging.getLogger(__name__)

FAILURE_WINDOW = datetime.timedelta(hours=1)
RECONNECT_WINDOW = datetime.timedelta(hours=24)
FAILURES_KIND = "failures"
RECONNECT_KIND = "reconnect:{label}"


def recipients(organisation) -> list:
    """Active owners and admins of the organisation (users with an email address)."""
    memberships = Membership.objects.filter(
        organisation=organisation, role__in=[Role.OWNER, Role.ADMIN], user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships if m.user.email]


def claim(organisation, kind: str, window: datetime.timedelta, now=None) -> bool:
    """True for exactly one caller per organisation, kind and window."""
    now = now or timezone.now()
    if AlertState.objects.filter(organisation=organisation, kind=kind, last_sent_at__lte=now - window).update(
        last_sent_at=now
    ):
        return True
    try:
        with transaction.atomic():
            AlertState.objects.create(organisation=organisation, kind=kind, last_sent_at=now)
        return True
    except IntegrityError:
        return False  # sent within the window (or another worker just claimed it)


def release(organisation, kind: str) -> None:
    """Give a claim back (the email could not be sent), so the next check tries again."""
    AlertState.objects.filter(organisation=organisation, kind=kind).delete()


def _send(organisation, template: str, context: dict) -> int:
    """Email every recipient in their own language. Returns how many were sent."""
    sent = 0
    for user in recipients(organisation):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            full = {**context, "organisation": organisation, "user": user}
            subject = " ".join(render_to_string(f"audit/email/{template}_subject.txt", full).split())
            body = render_to_string(f"audit/email/{template}.txt", full)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return sent


def failure_counts(now=None, threshold=None) -> dict:
    """{organisation_id: failures in the last hour} for organisations at or above the threshold.

    One indexed count per organisation (organisation, status, created_at): cheap, and it needs no index
    across tenants."""
    since = (now or timezone.now()) - FAILURE_WINDOW
    threshold = settings.ALERT_FAILURES_PER_HOUR if threshold is None else threshold
    counts = {}
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        failures = AuditEntry.objects.filter(
            organisation_id=organisation_id, status=Status.FAILED, created_at__gt=since
        ).count()
        if failures >= threshold:
            counts[organisation_id] = failures
    return counts


def send_failure_alert(organisation, failures: int, now=None) -> bool:
    """Email the failure alert unless one went out to this organisation within the hour."""
    if not claim(organisation, FAILURES_KIND, FAILURE_WINDOW, now=now):
        return False
    now = now or timezone.now()
    latest = list(
        AuditEntry.objects.filter(
            organisation=organisation, status=Status.FAILED, created_at__gt=now - FAILURE_WINDOW
        ).order_by("-created_at")[:5]
    )
    audit_url = settings.PORTAL_BASE_URL + reverse("audit:index") + "?status=failed"
    context = {"failures": failures, "threshold": settings.ALERT_FAILURES_PER_HOUR, "latest": latest, "url": audit_url}
    try:
        _send(organisation, "failures", context)
    except Exception:
        release(organisation, FAILURES_KIND)
        raise
    logger.info("Failure alert sent to organisation %s (%s failures in an hour)", organisation.pk, failures)
    return True


def check_failure_threshold(now=None) -> int:
    """Alert every organisation whose failures in the last hour reached the threshold; how many were alerted."""
    alerted = 0
    counts = failure_counts(now=now)
    for organisation in Organisation.objects.filter(pk__in=counts):
        try:
            alerted += send_failure_alert(organisation, counts[organisation.pk], now=now)
        except Exception:  # one organisation's mail failure must not stop the others' alerts
            logger.exception("Could not send the failure alert to organisation %s", organisation.pk)
    return alerted


def notify_reconnect_needed(organisation, connection_label: str, now=None) -> bool:
    """Tell the owners and admins that `connection_label` (e.g. "Xero: Demo Company (AU)") must be
    reconnected. Sent at most once a day per organisation and connection; True when sent."""
    kind = RECONNECT_KIND.format(label=connection_label)[: AlertState._meta.get_field("kind").max_length]
    if not claim(organisation, kind, RECONNECT_WINDOW, now=now):
        return False
    url = settings.PORTAL_BASE_URL + reverse("connections:index")
    try:
        _send(organisation, "reconnect", {"connection_label": connection_label, "url": url})
    except Exception:
        release(organisation, kind)
        raise
    logger.info("Reconnect notice sent to organisation %s", organisation.pk)
    return True
