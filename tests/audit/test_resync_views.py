"""The Resync button and "Resync all failed": who sees them, who may press them, what gets queued."""

import pytest
from django.urls import reverse

from audit import tasks
from audit.models import Direction, Module, ResyncBatch, ResyncRequest, ResyncStatus, Status
from tests.audit.factories import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Tasks handed to the broker: (task name, args, queue)."""
    sent = []
    for task in (tasks.resync_entry_task, tasks.resync_failed_task):
        monkeypatch.setattr(task, "apply_async",
                            lambda args=None, kwargs=None, _task=task, **options: sent.append(
                                (_task.name.rsplit(".", 1)[-1], args, options.get("queue"))))
    return sent


@pytest.fixture
def failed(organisation):
    return make_entry(organisation, record_name="Harbour Supplies", module=Module.PRODUCTS, status=Status.FAILED,
                      zoho_id="5725767000000600001", xero_tenant_id="tenant-1")


def test_a_manager_sees_resync_on_failed_rows_only(owner_client, organisation, failed):
    make_entry(organisation, record_name="All good", status=Status.SUCCESS)
    html = owner_client.get(reverse("audit:index")).content.decode()
    assert html.count('data-testid="resync"') == 1
    assert reverse("audit:resync", args=[failed.pk]) in html
    assert 'data-testid="resync-all-failed"' in html


def test_a_failure_a_resync_fixed_links_to_that_resync_instead_of_offering_resync_again(
        owner_client, organisation, failed):
    make_entry(organisation, record_name="Harbour Supplies", module=Module.PRODUCTS, status=Status.FAILED,
               zoho_id="5725767000000600001", resync_of=failed)  # a resync that failed too: still offer Resync
    html = owner_client.get(reverse("audit:index")).content.decode()
    assert reverse("audit:resync", args=[failed.pk]) in html and 'data-testid="fixed-by-link"' not in html

    fixed = make_entry(organisation, record_name="Harbour Supplies", module=Module.PRODUCTS, status=Status.SUCCESS,
                       zoho_id="5725767000000600001", resync_of=failed)
    html = owner_client.get(reverse("audit:index")).content.decode()
    assert reverse("audit:resync", args=[failed.pk]) not in html
    assert f'href="{reverse("audit:detail", args=[fixed.pk])}" data-testid="fixed-by-link"' in html


def test_an_entry_that_cannot_be_read_again_has_no_resync_button(owner_client, organisation):
    make_entry(organisation, module=Module.CONNECTION, direction=Direction.NONE, status=Status.FAILED)
    make_entry(organisation, module=Module.ACCOUNTS, status=Status.FAILED, zoho_id="")
    html = owner_client.get(reverse("audit:index")).content.decode()
    assert 'data-testid="resync"' not in html


def test_pressing_resync_queues_one_task_on_realtime_and_says_so(owner_client, failed, queued,
                                                                 django_capture_on_commit_callbacks):
    back = reverse("audit:index") + "?q=Harbour&per_page=10"
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("audit:resync", args=[failed.pk]), {"next": back}, follow=True)
    request = ResyncRequest.objects.get()
    assert (request.entry, request.status, request.organisation_id) == (failed, ResyncStatus.QUEUED,
                                                                          failed.organisation_id)
    assert queued == [("resync_entry_task", [str(failed.organisation_id), str(failed.pk), str(request.pk)],
                       "realtime")]
    assert response.redirect_chain[-1][0] == back
    html = response.content.decode()
    assert "Resync of Harbour Supplies queued." in html
    assert 'data-testid="resync-queued"' in html and 'data-testid="resync-poll"' in html


def test_resync_pressed_on_a_list_of_failures_goes_back_to_a_list_that_can_show_the_new_entry(
        owner_client, failed, queued, django_capture_on_commit_callbacks):
    back = reverse("audit:index") + "?status=failed&trigger=historical&q=Harbour&module=products&after=abc"
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("audit:resync", args=[failed.pk]), {"next": back})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:index") + "?q=Harbour&module=products"


def test_pressing_resync_twice_queues_it_once(owner_client, failed, queued, django_capture_on_commit_callbacks):
    url = reverse("audit:resync", args=[failed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url)
        response = owner_client.post(url, follow=True)
    assert ResyncRequest.objects.count() == 1 and len(queued) == 1
    assert "A resync of Harbour Supplies is already queued." in response.content.decode()


def test_a_successful_entry_is_not_resynced(owner_client, organisation, queued):
    entry = make_entry(organisation, status=Status.SUCCESS)
    response = owner_client.post(reverse("audit:resync", args=[entry.pk]), follow=True)
    assert "Only a failed sync" in response.content.decode()
    assert not ResyncRequest.objects.exists() and queued == []


def test_an_outside_next_url_is_ignored(owner_client, failed, queued):
    response = owner_client.post(reverse("audit:resync", args=[failed.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("audit:detail", args=[failed.pk])


def test_resync_needs_a_post_with_csrf(client, owner, failed, queued):
    client.force_login(owner)
    assert client.get(reverse("audit:resync", args=[failed.pk])).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(reverse("audit:resync", args=[failed.pk])).status_code == 403
    assert not ResyncRequest.objects.exists()


def test_a_read_only_member_sees_no_resync_and_gets_403(client, read_only_member, failed, queued):
    client.force_login(read_only_member)
    assert 'data-testid="resync"' not in client.get(reverse("audit:index")).content.decode()
    assert 'data-testid="resync-all-failed"' not in client.get(reverse("audit:index")).content.decode()
    assert 'data-testid="resync"' not in client.get(reverse("audit:detail", args=[failed.pk])).content.decode()
    assert client.post(reverse("audit:resync", args=[failed.pk])).status_code == 403
    assert client.get(reverse("audit:resync_all")).status_code == 403
    assert client.post(reverse("audit:resync_all"), {"status": "failed"}).status_code == 403
    assert not ResyncRequest.objects.exists() and not ResyncBatch.objects.exists() and queued == []


def test_an_outsider_gets_404_on_every_resync_url(outsider_client, organisation, failed, queued):
    batch = ResyncBatch.objects.create(organisation=organisation, filters={"status": "failed"})
    assert outsider_client.post(reverse("audit:resync", args=[failed.pk])).status_code == 404
    assert outsider_client.get(reverse("audit:resync_status", args=[failed.pk])).status_code == 404
    assert outsider_client.get(reverse("audit:resync_batch", args=[batch.pk])).status_code == 404
    assert not ResyncRequest.objects.exists() and queued == []


def test_the_detail_page_offers_resync_and_then_shows_the_new_entry(owner_client, organisation, failed):
    html = owner_client.get(reverse("audit:detail", args=[failed.pk])).content.decode()
    assert 'data-testid="resync"' in html and reverse("audit:resync", args=[failed.pk]) in html
    request = ResyncRequest.objects.create(organisation=organisation, entry=failed, record_key="k")
    html = owner_client.get(reverse("audit:detail", args=[failed.pk])).content.decode()
    assert 'data-state="pending"' in html and reverse("audit:resync_status", args=[failed.pk]) in html
    again = make_entry(organisation, record_name="Harbour Supplies", status=Status.SUCCESS, resync_of=failed,
                       message="Created the Xero item HS-1.")
    ResyncRequest.objects.filter(pk=request.pk).update(status=ResyncStatus.DONE, result=again)
    html = owner_client.get(reverse("audit:resync_status", args=[failed.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in html and reverse("audit:detail", args=[again.pk]) in html
    assert "Created the Xero item HS-1." in html and "hx-trigger" not in html


def test_resync_all_asks_first_and_counts_the_filtered_failures(owner_client, organisation, queued):
    for i in range(3):
        make_entry(organisation, record_name=f"Broken {i}", module=Module.PRODUCTS, status=Status.FAILED)
    make_entry(organisation, record_name="Broken account", module=Module.ACCOUNTS, status=Status.FAILED)
    response = owner_client.get(reverse("audit:resync_all") + "?module=products&status=failed&per_page=50")
    html = response.content.decode()
    assert response.status_code == 200 and "3 failed entries match." in html
    assert 'name="module" value="products"' in html and 'name="per_page"' not in html
    assert not ResyncBatch.objects.exists() and queued == []


def test_confirming_resync_all_starts_the_walk_and_shows_the_batch(owner_client, organisation, queued,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("audit:resync_all"), {"module": "products", "status": "failed",
                                                                   "bogus": "x"})
    batch = ResyncBatch.objects.get()
    assert batch.organisation == organisation and batch.filters == {"module": "products", "status": "failed"}
    assert response["Location"] == reverse("audit:resync_batch", args=[batch.pk])
    assert queued == [("resync_failed_task", [str(batch.pk), ""], "default")]
    html = owner_client.get(response["Location"]).content.decode()
    assert "0 resyncs queued so far" in html and "hx-trigger" in html
    ResyncBatch.objects.filter(pk=batch.pk).update(queued=7, status=ResyncStatus.DONE, finished_at="2026-01-01T00:00Z")
    html = owner_client.get(response["Location"]).content.decode()
    assert "7 resyncs were queued." in html


def test_pressing_resync_on_the_detail_page_comes_back_to_it_saying_it_is_queued(owner_client, failed, queued):
    response = owner_client.post(reverse("audit:resync", args=[failed.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("audit:detail", args=[failed.pk])
    html = response.content.decode()
    assert "Resync of Harbour Supplies queued." in html and 'data-state="pending"' in html
    assert 'data-testid="resync"' not in html  # no second press while it is queued
