import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation

from audit import tasks
from audit.alerts import check_failure_threshold, notify_reconnect_needed
from audit.models import Status
from tenancy.models import Role
from tests.audit.factories import hours_ago, make_entry
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def fail(organisation, count, hours=0.1):
    for _ in range(count):
        make_entry(organisation, status=Status.FAILED, created_at=hours_ago(hours))


@pytest.fixture
def team(organisation, owner, read_only_member):
    admin = MembershipFactory(organisation=organisation, role=Role.ADMIN).user
    return {"owner": owner, "admin": admin, "reader": read_only_member}


@override_settings(ALERT_FAILURES_PER_HOUR=5)
def test_it_emails_owners_and_admins_when_failures_in_an_hour_reach_the_threshold(organisation, team):
    fail(organisation, 5)
    assert check_failure_threshold() == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([team["owner"].email, team["admin"].email])
    assert team["reader"].email not in recipients
    assert "5 sync attempts failed for Acme Pty Ltd in the last hour." in mail.outbox[0].body
    assert "/audit/?status=failed" in mail.outbox[0].body


@override_settings(ALERT_FAILURES_PER_HOUR=5)
def test_it_stays_quiet_below_the_threshold_and_ignores_older_failures_and_successes(organisation, team):
    fail(organisation, 4)
    fail(organisation, 10, hours=1.5)
    for _ in range(10):
        make_entry(organisation, status=Status.SUCCESS)
    assert check_failure_threshold() == 0
    assert mail.outbox == []


@override_settings(ALERT_FAILURES_PER_HOUR=3)
def test_it_sends_at_most_one_failure_alert_per_organisation_per_hour(organisation, team):
    fail(organisation, 3)
    assert check_failure_threshold() == 1
    fail(organisation, 10)
    assert check_failure_threshold() == 0
    assert check_failure_threshold(now=timezone.now() + datetime.timedelta(minutes=50)) == 0
    assert len(mail.outbox) == 2  # one email, two recipients
    fail(organisation, 3, hours=-1.05)  # failures in the next hour
    assert check_failure_threshold(now=timezone.now() + datetime.timedelta(hours=1, minutes=6)) == 1
    assert len(mail.outbox) == 4


@override_settings(ALERT_FAILURES_PER_HOUR=3)
def test_each_organisation_is_alerted_about_its_own_failures_only(organisation, team, other_organisation, outsider):
    fail(organisation, 3)
    fail(other_organisation, 2)
    check_failure_threshold()
    assert {address for message in mail.outbox for address in message.to} == {team["owner"].email, team["admin"].email}


@override_settings(ALERT_FAILURES_PER_HOUR=2)
def test_the_alert_is_written_in_each_recipients_language(organisation):
    german = UserFactory(language="de")
    MembershipFactory(organisation=organisation, user=german, role=Role.OWNER)
    fail(organisation, 2)
    seen = {}

    def capture(*args, **kwargs):
        seen["language"] = translation.get_language()
        return original(*args, **kwargs)

    from audit import alerts

    original = alerts.render_to_string
    alerts.render_to_string = capture
    try:
        check_failure_threshold()
    finally:
        alerts.render_to_string = original
    assert seen["language"] == "de"
    assert mail.outbox[0].to == [german.email]


@override_settings(ALERT_FAILURES_PER_HOUR=2)
def test_the_beat_task_runs_the_threshold_check(organisation, team):
    fail(organisation, 2)
    assert tasks.check_failure_alerts() == 1
    assert len(mail.outbox) == 2


def test_the_reconnect_notice_names_the_connection_and_links_to_connections(organisation, team):
    assert notify_reconnect_needed(organisation, "Xero: Demo Company (AU)") is True
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert "Xero: Demo Company (AU)" in message.subject
    assert "Xero: Demo Company (AU)" in message.body
    assert "/connections/" in message.body


def test_the_reconnect_notice_is_sent_once_a_day_per_connection(organisation, team):
    assert notify_reconnect_needed(organisation, "Zoho CRM") is True
    assert notify_reconnect_needed(organisation, "Zoho CRM") is False
    assert notify_reconnect_needed(organisation, "Xero: Demo Company (AU)") is True
    later = timezone.now() + datetime.timedelta(hours=25)
    assert notify_reconnect_needed(organisation, "Zoho CRM", now=later) is True
    assert len(mail.outbox) == 6


@override_settings(ALERT_FAILURES_PER_HOUR=2)
def test_an_alert_that_could_not_be_sent_is_tried_again_at_the_next_check(organisation, team, monkeypatch):
    fail(organisation, 2)

    def broken(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("audit.alerts.send_mail", broken)
    assert check_failure_threshold() == 0
    monkeypatch.undo()
    assert check_failure_threshold() == 1
    assert len(mail.outbox) == 2
