"""Every signed-in page reads the user's memberships once: the current organisation and the switcher share it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenancy.models import Role
from tests.factories import MembershipFactory


def _membership_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return sum('"tenancy_membership"' in q["sql"] for q in queries.captured_queries), response.content.decode()


def test_a_page_with_the_organisation_switcher_reads_memberships_once(client, owner, other_organisation):
    MembershipFactory(user=owner, organisation=other_organisation, role=Role.ADMIN)
    client.force_login(owner)
    client.post(reverse("tenancy:switch_organisation"), {"organisation": str(other_organisation.id)})

    count, html = _membership_queries(client, reverse("tenancy:home"))

    assert count == 1
    assert 'data-testid="org-switch"' in html and other_organisation.name in html
    assert f'value="{other_organisation.id}" selected' in html


def test_without_a_choice_the_oldest_membership_is_current(client, owner, organisation, other_organisation):
    MembershipFactory(user=owner, organisation=other_organisation, role=Role.ADMIN)
    client.force_login(owner)
    response = client.get(reverse("tenancy:home"))
    assert response.wsgi_request.organisation == organisation
