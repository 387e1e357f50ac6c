"""The keys of the URLs pasted into Zoho (Copy to Xero button, workflow webhook) are rotated from the Settings
page: the old URL stops working at once, the new one works; read-only members cannot rotate."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from sync.trigger_models import ButtonKey
from sync.triggers import keys
from sync.triggers import tasks as trigger_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(trigger_tasks.zoho_changed_task, "apply_async", lambda *a, **k: calls.append(k))
    return calls


def _workflow(client, organisation, key):
    return client.post(reverse("sync:zoho_workflow", args=[organisation.pk]) + f"?key={key}",
                       data=json.dumps({"module": "Accounts", "ids": ["5725767000003000010"]}),
                       content_type="application/json")


def test_rotating_the_workflow_key_from_the_settings_page_stops_the_old_url(owner_client, organisation, queued):
    old = keys.token_for(organisation, ButtonKey.WORKFLOW)
    assert _workflow(owner_client, organisation, old).status_code == 200

    settings_page = owner_client.get(reverse("sync:settings")).content.decode()
    assert 'data-testid="rotate-workflow"' in settings_page and 'data-testid="rotate-copy"' in settings_page
    response = owner_client.post(reverse("sync:rotate_key", args=[ButtonKey.WORKFLOW]), follow=True)
    assert "the old URLs stop working now" in response.content.decode()

    new = keys.token_for(organisation, ButtonKey.WORKFLOW)
    assert new != old
    assert _workflow(owner_client, organisation, old).status_code == 401
    assert _workflow(owner_client, organisation, new).status_code == 200
    assert len(queued) == 2


def test_rotating_the_button_key_changes_the_urls_on_the_copy_page(owner_client, organisation):
    def button_key():
        html = owner_client.get(reverse("sync:copy")).content.decode()
        url = next(part for part in html.split('"') if "/sync/copy/" in part and "key=" in part)
        return parse_qs(urlparse(url.replace("&amp;", "&")).query)["key"][0]

    old = button_key()
    owner_client.post(reverse("sync:rotate_key", args=[ButtonKey.COPY]))
    assert button_key() != old
    assert not keys.check(organisation.pk, old, ButtonKey.COPY)
    assert owner_client.get(reverse("sync:copy_button", args=[organisation.pk]),
                            {"key": old, "module": "accounts", "record_id": "1"}).status_code == 403


def test_read_only_members_and_outsiders_cannot_rotate_keys(client, organisation, read_only_member, outsider):
    old = keys.token_for(organisation, ButtonKey.COPY)
    client.force_login(read_only_member)
    assert 'data-testid="rotate-copy"' not in client.get(reverse("sync:settings")).content.decode()
    assert client.post(reverse("sync:rotate_key", args=[ButtonKey.COPY])).status_code == 403
    client.force_login(outsider)
    client.post(reverse("sync:rotate_key", args=[ButtonKey.COPY]))  # rotates the outsider's own key only
    assert keys.check(organisation.pk, old, ButtonKey.COPY)
    assert client.post(reverse("sync:rotate_key", args=["nonsense"])).status_code == 404
