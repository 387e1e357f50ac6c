import re

import pytest
from django.core import mail
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import record
from tenancy.access import tenant_object_or_404
from tenancy.models import Membership, Organisation, Role, User
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory
from tests.network_guard import refusing_port

pytestmark = pytest.mark.django_db


def test_sign_up_creates_the_user_and_the_organisation_they_own(client):
    response = client.post(
        reverse("tenancy:sign_up"),
        {
            "organisation_name": "Initech",
            "email": "Peter@Initech.example",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302 and response.url == reverse("tenancy:sign_up_sent")
    user = User.objects.get(email="peter@initech.example")
    assert not user.is_active  # until the emailed link is opened
    membership = Membership.objects.get(user=user)
    assert membership.organisation.name == "Initech"
    assert membership.role == Role.OWNER
    assert client.get(reverse("tenancy:home")).status_code == 302  # not signed in yet

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/signup/confirm/\S+/", message.body).group(0)
    response = client.get(link)
    assert response.status_code == 302 and response.url == reverse("connections:onboarding")
    user.refresh_from_db()
    assert user.is_active
    assert client.get(reverse("tenancy:home")).status_code == 200
    client.logout()
    assert client.get(link).status_code == 400  # used once


def test_sign_up_refuses_mismatched_passwords_and_keeps_the_input(client):
    response = client.post(
        reverse("tenancy:sign_up"),
        {"organisation_name": "Initech", "email": "a@b.example", "password1": "x" * 12, "password2": "y" * 12},
    )
    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    assert 'value="Initech"' in response.content.decode()
    assert not Organisation.objects.filter(name="Initech").exists()


def test_sign_in_and_sign_out(client, owner):
    response = client.post(reverse("tenancy:login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("tenancy:home")).status_code == 200
    client.post(reverse("tenancy:logout"))
    assert client.get(reverse("tenancy:home")).status_code == 302


def test_pages_need_sign_in(client):
    for name in ["tenancy:home", "connections:index", "mapping:index", "sync:settings", "sync:historical", "audit:index"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert reverse("tenancy:login") in response["Location"]


def test_password_reset_sends_an_email_with_a_working_link(client, owner):
    client.post(reverse("tenancy:password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    response = client.get(link.split("testserver", 1)[1], follow=True)
    assert response.status_code == 200
    assert "new_password1" in response.content.decode()


def test_password_change(owner_client, owner):
    response = owner_client.post(
        reverse("tenancy:password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-passphrase-1", "new_password2": "brand-new-passphrase-1"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("brand-new-passphrase-1")


def test_a_user_in_several_organisations_can_switch(client, owner, other_organisation):
    MembershipFactory(user=owner, organisation=other_organisation, role=Role.ADMIN)
    client.force_login(owner)
    page = client.get(reverse("tenancy:home")).content.decode()
    assert 'data-testid="org-switch"' in page
    client.post(reverse("tenancy:switch_organisation"), {"organisation": str(other_organisation.id)})
    response = client.get(reverse("tenancy:home"))
    assert response.wsgi_request.organisation == other_organisation


def test_switching_to_an_organisation_one_is_not_a_member_of_is_refused(client, owner, other_organisation):
    client.force_login(owner)
    client.post(reverse("tenancy:switch_organisation"), {"organisation": str(other_organisation.id)})
    response = client.get(reverse("tenancy:home"))
    assert response.wsgi_request.organisation != other_organisation


def test_an_outsider_gets_404_on_another_organisations_objects(organisation, outsider, owner):
    entry = record(organisation=organisation, module="accounts", action="create", status="success")
    request = RequestFactory().get("/")
    request.organisation = Membership.objects.get(user=outsider).organisation
    with pytest.raises(Http404):
        tenant_object_or_404(request, AuditEntry, pk=entry.pk)
    request.organisation = organisation
    assert tenant_object_or_404(request, AuditEntry, pk=entry.pk) == entry


def test_update_language_is_stored_on_the_user_and_changes_the_shell(owner_client, owner):
    response = owner_client.post(reverse("tenancy:set_language"), {"language": "de", "next": "/"}, follow=True)
    owner.refresh_from_db()
    assert owner.language == "de"
    assert "Sprache aktualisieren" in response.content.decode()
    owner_client.post(reverse("tenancy:set_language"), {"language": "fr", "next": "/"})
    assert "Mettre à jour la langue" in owner_client.get("/").content.decode()


def test_without_a_choice_the_browser_language_is_used(client, owner):
    client.force_login(owner)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.wsgi_request.LANGUAGE_CODE == "fr"


def test_set_language_ignores_an_offsite_next(owner_client):
    response = owner_client.post(reverse("tenancy:set_language"), {"language": "de", "next": "https://evil.example/"})
    assert response["Location"].startswith("/")


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    with refusing_port() as port:  # a Redis that is down: the connection is refused
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
