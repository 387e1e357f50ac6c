"""Issue 14, part A: what a new user meets before the sync starts. Email addresses in any case, pages that say
what works without JavaScript, the Copy to Xero search's messages, dates in the interface language, and the
housekeeping that Beat no longer logs every minute."""

import datetime
import logging

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, translation

from sync.trigger_models import HistoricalJob, JobStatus
from syncportal import quiet_logging
from syncportal.celery import beat_schedule
from tenancy.models import User
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.sync.factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


# --- Email addresses in any case -------------------------------------------------------------------------------


def test_sign_in_matches_the_email_address_in_any_case(client):
    UserFactory(email="pat@initech.example")
    response = client.post(reverse("tenancy:login"), {"username": "  Pat@INITECH.example", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("tenancy:home")
    assert client.get(reverse("tenancy:home")).status_code == 200


def test_sign_in_still_refuses_a_wrong_password_whatever_the_case(client):
    UserFactory(email="pat@initech.example")
    response = client.post(reverse("tenancy:login"), {"username": "PAT@initech.example", "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_sign_up_with_an_address_known_in_another_case_creates_no_second_account(client):
    UserFactory(email="pat@initech.example")
    data = {"organisation_name": "Initech", "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase"}
    client.post(reverse("tenancy:sign_up"), {**data, "email": "PAT@Initech.example"})
    assert User.objects.count() == 1
    assert mail.outbox[-1].to == ["pat@initech.example"]  # the note that the address has an account
    client.post(reverse("tenancy:sign_up"), {**data, "email": "Sam@Initech.example"})
    assert User.objects.filter(email="sam@initech.example").exists() and User.objects.count() == 2


def test_a_password_reset_reaches_the_user_whatever_the_case_of_the_address(client):
    UserFactory(email="pat@initech.example")
    response = client.post(reverse("tenancy:password_reset"), {"email": "Pat@Initech.EXAMPLE"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pat@initech.example"]


# --- Without JavaScript ----------------------------------------------------------------------------------------


def test_the_mapping_editor_offers_drag_and_drop_only_where_javascript_shows_it(owner_client):
    page = owner_client.get(reverse("mapping:editor", args=["accounts", "zoho-to-xero"])).content.decode()
    drag_help = page[page.index('data-testid="mapping-help-drag"') - 80:page.index("</p>", page.index("Drag a Zoho"))]
    assert " hidden>" in drag_help  # mapping.js swaps the two helps once drag and drop works
    start = page.index('data-testid="mapping-help-nojs"')
    list_help = page[start - 60:page.index("</p>", start)]
    assert "choose in the box's list the Zoho field" in list_help and "Drag" not in list_help
    assert " hidden" not in list_help


def test_a_running_historical_job_reloads_itself_without_javascript_and_stops_when_done(owner_client, organisation):
    job = HistoricalJob.objects.create(organisation=organisation, modules=["accounts"], direction="zoho_to_xero",
                                       xero_organisation=XeroOrganisationFactory(organisation=organisation),
                                       status=JobStatus.RUNNING, total=10)
    url = reverse("sync:historical_job", args=[job.pk])
    running = owner_client.get(url).content.decode()
    head = running[:running.index("</head>")]
    assert '<noscript><meta http-equiv="refresh" content="5"' in head
    HistoricalJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    assert 'http-equiv="refresh"' not in owner_client.get(url).content.decode()


# --- Copy to Xero search ---------------------------------------------------------------------------------------


def test_a_too_short_copy_search_says_why_and_not_that_nothing_was_found(owner_client):
    page = owner_client.get(reverse("sync:copy"), {"module": "accounts", "name": "A"}).content.decode()
    assert "Type at least two characters." in page
    assert "No Zoho CRM record has a name starting with that." not in page


# --- Dates and times in the interface language -----------------------------------------------------------------

MOMENT = datetime.datetime(2026, 3, 12, 7, 42, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("language", "short_date", "date_time"), [
    ("en", "12/03/2026", "12 Mar 2026, 07:42"),
    ("de", "12.03.2026", "12. März 2026 07:42"),
    ("fr", "12/03/2026", "12 mars 2026 07:42"),
])
def test_dates_and_times_follow_the_interface_language_with_british_english(language, short_date, date_time):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == date_time


def test_a_sentence_that_ends_with_a_time_ends_with_one_full_stop(owner_client, organisation):
    from mapping.models import ZohoFieldCache

    ZohoFieldCache.objects.create(organisation=organisation, module="accounts", fields=[])
    page = owner_client.get(reverse("mapping:index")).content.decode()
    start = page.index("Read from Zoho CRM on")
    sentence = page[start:page.index("</p>", start)]
    assert sentence.endswith(".") and ".." not in sentence and "a.m" not in sentence and "p.m" not in sentence


def test_a_date_field_keeps_its_value_in_the_date_picker_in_german(organisation):
    from connections.models import XeroOrganisation

    XeroOrganisationFactory(organisation=organisation)
    with translation.override("de"):
        from sync.forms_triggers import HistoricalSyncForm

        form = HistoricalSyncForm(initial={"date_from": datetime.date(2026, 3, 12)},
                                  xero_organisations=XeroOrganisation.objects.all())
        assert 'value="2026-03-12"' in str(form["date_from"])


# --- Quiet housekeeping ----------------------------------------------------------------------------------------


def test_beat_s_frequent_housekeeping_logs_nothing_at_info_but_sync_work_and_warnings_still_show(caplog):
    quiet_logging.install()
    frequent = quiet_logging.frequent_task_names(beat_schedule())
    assert "sync.tasks.resume_stale_runs_task" in frequent and "audit.tasks.purge_expired_audit_entries" not in frequent
    with caplog.at_level(logging.INFO):
        logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)", "sync-resume-stale-runs",
                                              "sync.tasks.resume_stale_runs_task")
        logging.getLogger("celery.worker.strategy").info(
            "Task %(name)s[%(id)s] received", {"name": "sync.tasks.resume_stale_runs_task", "id": "1"})
        logging.getLogger("celery.app.trace").info(
            "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
            {"name": "sync.triggers.tasks.resume_historical_task", "id": "2", "runtime": 0.01, "return_value": 0})
        logging.getLogger("celery.app.trace").info(
            "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
            {"name": "sync.tasks.run_sync_task", "id": "3", "runtime": 0.5, "return_value": None})
        logging.getLogger("celery.app.trace").warning(
            "Task %(name)s[%(id)s] raised", {"name": "sync.tasks.resume_stale_runs_task", "id": "4"})
    assert [record.getMessage() for record in caplog.records] == [
        "Task sync.tasks.run_sync_task[3] succeeded in 0.5s: None",
        "Task sync.tasks.resume_stale_runs_task[4] raised",
    ]


def test_celery_installs_the_housekeeping_filter_when_it_sets_up_logging():
    from celery.signals import after_setup_logger

    for name in quiet_logging.LOGGERS:
        logger = logging.getLogger(name)
        logger.filters = [f for f in logger.filters if not isinstance(f, quiet_logging.QuietHousekeeping)]
    after_setup_logger.send(sender=None, logger=logging.getLogger(), loglevel=logging.INFO, logfile=None,
                            format="", colorize=False)
    assert all(any(isinstance(f, quiet_logging.QuietHousekeeping) for f in logging.getLogger(name).filters)
               for name in quiet_logging.LOGGERS)

