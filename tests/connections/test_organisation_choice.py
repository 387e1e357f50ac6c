"""The choice of Xero organisations survives leaving the page (a draft in the session, and ticking a box saves
at once with htmx), and an empty choice is refused with a reason instead of "saved" and a stuck Next."""

import pytest
from django.urls import reverse
from django.utils import translation

from connections.models import XeroOrganisation

from .factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db

URL = reverse("connections:xero_organisations")


@pytest.fixture
def two(organisation):
    ZohoConnectionFactory(organisation=organisation)
    return [XeroOrganisationFactory(organisation=organisation, tenant_name=name, selected=False)
            for name in ("Demo Company (AU)", "Demo Company (NZ)")]


def test_an_empty_choice_is_refused_with_a_reason_and_nothing_changes(owner_client, two):
    chosen = two[0]
    XeroOrganisation.objects.filter(pk=chosen.pk).update(selected=True)
    response = owner_client.post(URL, {"organisations": [], "next": "onboarding"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose at least one Xero organisation" in html and "was saved" not in html
    assert list(XeroOrganisation.objects.filter(selected=True)) == [chosen]
    with translation.override("de"):
        translated = owner_client.post(URL, {"organisations": []}, HTTP_ACCEPT_LANGUAGE="de")
    assert translated.status_code == 400 and 'data-testid="xero-organisations-error"' in translated.content.decode()


def test_the_consents_choice_is_kept_as_a_draft_until_saved(owner_client, two):
    added = ",".join(str(o.pk) for o in two)
    first = owner_client.get(URL, {"added": added, "next": "onboarding"}).content.decode()
    assert first.count(" checked") == 2 and 'data-testid="xero-organisations-draft"' in first
    onboarding = owner_client.get(reverse("connections:onboarding")).content.decode()  # left without saving
    assert 'data-testid="choice-not-saved"' in onboarding
    assert 'data-testid="next-disabled-reason"' in onboarding
    again = owner_client.get(URL).content.decode()
    assert again.count(" checked") == 2  # the draft, not the empty saved choice
    owner_client.post(URL, {"organisations": [str(two[1].pk)], "next": "onboarding"})
    assert 'data-testid="choice-not-saved"' not in owner_client.get(reverse("connections:onboarding")).content.decode()
    assert owner_client.get(URL).content.decode().count(" checked") == 1


def test_ticking_a_box_saves_at_once_with_htmx(owner_client, two):
    response = owner_client.post(URL, {"organisations": [str(two[0].pk)]}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="xero-organisations-saved"' in html
    assert "<html" not in html  # the form only, swapped in place
    assert list(XeroOrganisation.objects.filter(selected=True)) == [two[0]]
    refused = owner_client.post(URL, {}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and 'data-testid="xero-organisations-error"' in refused.content.decode()
    assert list(XeroOrganisation.objects.filter(selected=True)) == [two[0]]
