"""A finished historical job says what it wrote (per module, action and outcome, linked to those audit entries),
its records have audit entries, and the dashboard shows when it ran. Its dry run is phrased as a plan, never
names one record for a group, and a job with every record processed offers no Pause and no time left."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from sync.trigger_models import HistoricalItem, HistoricalItemState, JobStatus
from sync.triggers import historical, tasks

from .portal_setup import connect


@pytest.fixture
def portal(sandbox, owner_client, organisation, owner, settings):
    return connect(sandbox, owner_client, organisation, owner, settings)


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    for name in ("historical_plan_task", "historical_run_task"):
        monkeypatch.setattr(getattr(tasks, name), "apply_async", lambda *args, **kwargs: None)


def test_a_finished_job_summarises_what_it_wrote_with_links_and_updates_the_dashboard(portal, sandbox,
                                                                                       owner_client):
    sandbox.seed(zoho={"accounts": 3, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = historical.plan(historical.create_job(portal.xero_organisation, modules=["accounts"],
                                                direction="zoho_to_xero").pk)
    dry_run = owner_client.get(reverse("sync:historical_job", args=[job.pk])).content.decode()
    assert "Will create 3 records in Xero" in dry_run and "Created in" not in dry_run
    historical.start(job)
    while historical.work(job.pk, slice_seconds=0) == "more":
        pass
    job.refresh_from_db()
    assert job.status == JobStatus.DONE

    entries = AuditEntry.objects.filter(trigger="historical", xero_tenant_id=portal.xero_organisation.tenant_id)
    assert entries.filter(module="accounts", action="create", status="success").count() == 3
    page = owner_client.get(reverse("sync:historical_job", args=[job.pk]))
    html = page.content.decode()
    assert 'data-testid="summary-accounts-create-success"' in html
    [row] = page.context["summary"]
    assert row["count"] == 3 and f"xero={portal.xero_organisation.tenant_id}" in row["query"]
    listed = owner_client.get(reverse("audit:index") + "?" + row["query"])
    assert len(listed.context["page"].entries) == 3
    assert 'data-testid="time-left"' not in html and 'data-testid="pause-job"' not in html

    dashboard = owner_client.get(reverse("tenancy:home")).content.decode()
    assert "Historical: Never" not in dashboard
    assert reverse("sync:historical_job", args=[job.pk]) in dashboard
    runs = {run.trigger: run.entry for run in owner_client.get(reverse("tenancy:home")).context["runs"]}
    assert runs["historical"] is not None


def test_pause_is_refused_when_every_record_is_processed(portal, sandbox, owner_client):
    sandbox.seed(zoho={"accounts": 2, "products": 0, "invoices": 0}, xero={"contacts": 0, "items": 0, "invoices": 0})
    job = historical.plan(historical.create_job(portal.xero_organisation, modules=["accounts"],
                                                direction="zoho_to_xero").pk)
    historical.start(job)
    # every item processed, the worker has not yet marked the job done: 2 of 2, still "running"
    HistoricalItem.objects.filter(job=job).update(state=HistoricalItemState.DONE)
    type(job).objects.filter(pk=job.pk).update(done=2)
    job.refresh_from_db()
    page = owner_client.get(reverse("sync:historical_progress", args=[job.pk])).content.decode()
    assert "2 of 2 records (100 %)" in page
    assert 'data-testid="pause-job"' not in page and 'data-testid="time-left"' not in page
    response = owner_client.post(reverse("sync:historical_control", args=[job.pk, "pause"]), follow=True)
    assert "nothing left to pause" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and historical.pause(job) is False


def test_a_group_of_different_records_never_shows_one_records_name(rf, owner, organisation):
    from sync.engine import messages as engine_messages
    from sync.views_triggers import _render

    alone = _render(engine_messages.CREATED_RENAMED, {"name": "Acme", "new_name": "Acme (1)"}, count=1)
    group = _render(engine_messages.CREATED_RENAMED, {"name": "Acme", "new_name": "Acme (1)"}, count=7)
    assert "Acme" in alone and "Acme" not in group


def test_a_reason_whose_values_differ_between_records_shows_none_of_them():
    from sync.engine import messages as engine_messages
    from sync.views_triggers import _render

    counts = historical._empty()
    for tax in ("GST", "VAT", "GST"):
        historical._count(counts, "refuse", engine_messages.TRANSFORM_FAILED,
                          {"error": f"The Zoho tax {tax} has no Xero tax rate."})
    [(key, example)] = counts["examples"].items()
    shown = _render(engine_messages.TRANSFORM_FAILED, example, count=3)
    assert "GST" not in shown and "VAT" not in shown and "…" in shown
    same = historical._empty()
    for _ in range(2):
        historical._count(same, "refuse", engine_messages.TRANSFORM_FAILED, {"error": "No tax rate."})
    assert "No tax rate." in _render(engine_messages.TRANSFORM_FAILED, same["examples"][key], count=2)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", 'Waits for its product "Cable kit", which could not be synced to Xero: Xero refused the value "" of'),
    ("de", "Wartet auf Produkt „Cable kit“, das nicht nach Xero synchronisiert werden konnte: Xero hat den Wert „“"),
])
def test_a_reason_that_carries_another_records_reason_is_written_out_in_the_readers_language(language, expected):
    # Clicking through make run, the dry run showed the waiting invoice's nested reason as raw "%(target)s refused
    # the value "%(value)s" of %(field)s": the dry run did not build nested reasons as the audit log does.
    from django.utils import translation

    from sync import failures
    from sync.engine import messages as engine_messages
    from sync.views_triggers import _render

    params = {"dependency": engine_messages.PRODUCT, "name": "Cable kit", "target": "Xero",
              **failures.as_reason(engine_messages.PROVIDER_REFUSED_FIELD,
                                   {"target": "Xero", "value": "", "field": "Item code", "code": "ValidationException"})}
    with translation.override(language):
        shown = _render(engine_messages.WAITS_FOR_DEPENDENCY, params, count=1)
    assert shown.startswith(expected)
    assert "%(" not in shown


def test_a_job_whose_refusals_repeat_known_ones_says_so_instead_of_everything_in_sync(portal, owner_client):
    # A refusal is reported once: a job that meets the cron's known failures again writes no new entry for them,
    # so its summary is empty. Clicking through make run it then said "every record was already in sync" beside
    # "4 failures".
    from django.utils import timezone

    job = historical.create_job(portal.xero_organisation, modules=["products"], direction="zoho_to_xero")
    HistoricalItem.objects.filter(job=job).delete()
    type(job).objects.filter(pk=job.pk).update(status=JobStatus.DONE, started_at=timezone.now(),
                                               finished_at=timezone.now(), total=2, done=0, failed=2)
    page = owner_client.get(reverse("sync:historical_job", args=[job.pk])).content.decode()
    assert "every record was already in sync" not in page
    assert "2 records were refused for the same reasons as before" in page
    type(job).objects.filter(pk=job.pk).update(failed=0)
    page = owner_client.get(reverse("sync:historical_job", args=[job.pk])).content.decode()
    assert "The job wrote nothing: every record was already in sync or skipped." in page


def test_the_stored_english_text_of_a_reason_inside_a_reason_is_written_out(organisation):
    # Its fallback text kept the nested reason's placeholders: "…could not be synced to Xero: The Zoho tax %(tax)s…".
    from audit import services as audit_services
    from sync import failures
    from sync.engine import messages as engine_messages

    params = {"dependency": engine_messages.PRODUCT, "name": "Installation service", "target": "Xero",
              **failures.as_reason(engine_messages.PROVIDER_REFUSED_FIELD,
                                   {"target": "Xero", "value": "", "field": "Item code", "code": "ValidationException"})}
    entry = audit_services.build(organisation=organisation, module="invoices", action="create", status="failed",
                                 message_key=engine_messages.WAITS_FOR_DEPENDENCY, message_params=params)
    assert entry.message.startswith('Waits for its product "Installation service", which could not be synced to Xero: '
                                    'Xero refused the value "" of Item code')
    assert "%(" not in entry.message
