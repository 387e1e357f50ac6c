"""Acceptance 4: a record name containing HTML or script is shown as text everywhere."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.alerts import send_failure_alert
from audit.models import Status, Trigger
from tests.audit.factories import make_entry

pytestmark = pytest.mark.django_db
NAME = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def hostile(organisation):
    return make_entry(
        organisation,
        record_name=NAME,
        status=Status.FAILED,
        trigger=Trigger.WEBHOOK,
        message=f"Could not update {NAME}.",
        message_key="Could not update %(name)s.",
        message_params={"name": NAME},
        values_written={"Name": NAME},
        provider_response={"Message": NAME},
        provider_error=NAME,
        provider_error_code="<b>code</b>",
    )


def assert_escaped(html):
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "<b>code</b>" not in html


def test_the_audit_list_and_its_partial_show_the_name_as_text(owner_client, hostile):
    for headers in [{}, {"HTTP_HX_REQUEST": "true"}]:
        html = owner_client.get(reverse("audit:index"), **headers).content.decode()
        assert_escaped(html)
        assert ESCAPED in html
        assert "Could not update " + ESCAPED in html


def test_the_search_box_echoes_a_hostile_term_as_text(owner_client, hostile):
    html = owner_client.get(reverse("audit:index"), {"q": NAME}).content.decode()
    assert_escaped(html)
    assert ESCAPED in html


def test_the_detail_page_shows_the_name_values_response_and_error_as_text(owner_client, hostile):
    html = owner_client.get(reverse("audit:detail", args=[hostile.pk])).content.decode()
    assert_escaped(html)
    assert ESCAPED in html
    assert "&lt;b&gt;code&lt;/b&gt;" in html


def test_the_dashboard_shows_nothing_unescaped(owner_client, hostile):
    html = owner_client.get(reverse("tenancy:home")).content.decode()
    assert_escaped(html)


def test_the_alert_email_is_plain_text_with_the_name_verbatim(owner, organisation, hostile):
    send_failure_alert(organisation, failures=25)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert NAME in message.body  # plain text: no HTML entity noise, nothing to execute
    assert "&lt;" not in message.body
    assert not getattr(message, "alternatives", [])
