import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from connections.fields import rotate
from connections.models import XeroTokenSet, ZohoConnection
from tests.connections.factories import XeroOrganisationFactory, ZohoConnectionFactory

pytestmark = pytest.mark.django_db


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM connections_xerotokenset")
        rows = list(cursor.fetchall())
        cursor.execute("SELECT access_token, refresh_token FROM connections_zohoconnection")
        rows += list(cursor.fetchall())
    return repr(rows)


def test_a_database_dump_holds_no_token_in_plain_text(organisation):
    xero = XeroOrganisationFactory(organisation=organisation)
    zoho = ZohoConnectionFactory(organisation=organisation)
    secrets = [xero.token_set.access_token, xero.token_set.refresh_token, zoho.access_token, zoho.refresh_token]

    out = io.StringIO()
    call_command("dumpdata", "connections", stdout=out)
    dump = out.getvalue() + _raw_rows()

    assert "connections.xerotokenset" in dump and "gAAAAA" in dump
    for secret in secrets:
        assert secret not in dump


def test_tokens_read_back_decrypted(organisation):
    zoho = ZohoConnectionFactory(organisation=organisation, access_token="1000.abc.def")
    assert ZohoConnection.objects.get(pk=zoho.pk).access_token == "1000.abc.def"


def test_tokens_never_appear_in_repr(organisation):
    xero = XeroOrganisationFactory(organisation=organisation)
    assert xero.token_set.access_token not in repr(xero.token_set)
    assert xero.token_set.access_token not in str(xero.token_set)


def test_key_rotation_keeps_old_rows_readable_and_re_encrypts_with_the_new_key(organisation, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    xero = XeroOrganisationFactory(organisation=organisation)
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    token_set = XeroTokenSet.objects.get(pk=xero.token_set.pk)
    assert token_set.refresh_token == xero.token_set.refresh_token
    rotate(token_set, "access_token", "refresh_token")

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert XeroTokenSet.objects.get(pk=xero.token_set.pk).refresh_token == xero.token_set.refresh_token


def test_dumpdata_output_loads_back_without_double_encryption(organisation, tmp_path):
    zoho = ZohoConnectionFactory(organisation=organisation, refresh_token="1000.refresh.value")
    path = tmp_path / "dump.json"
    call_command("dumpdata", "connections.zohoconnection", output=str(path))
    ZohoConnection.objects.all().delete()
    call_command("loaddata", str(path))
    assert ZohoConnection.objects.get(pk=zoho.pk).refresh_token == "1000.refresh.value"


def test_the_rotation_command_re_encrypts_every_token_so_the_old_key_can_go(organisation, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    xero = XeroOrganisationFactory(organisation=organisation)
    zoho = ZohoConnectionFactory(organisation=organisation)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "2 connection(s)" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert XeroTokenSet.objects.get(pk=xero.token_set_id).access_token == xero.token_set.access_token
    assert ZohoConnection.objects.get(pk=zoho.pk).refresh_token == zoho.refresh_token


def test_the_admin_never_shows_a_token(client, organisation, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.com", password="x" * 12)
    client.force_login(admin)
    xero = XeroOrganisationFactory(organisation=organisation)
    zoho = ZohoConnectionFactory(organisation=organisation)
    pages = [client.get(f"/admin/connections/xerotokenset/{xero.token_set_id}/change/"),
             client.get(f"/admin/connections/zohoconnection/{zoho.pk}/change/")]
    assert all(page.status_code == 200 for page in pages)
    for secret in (xero.token_set.access_token, xero.token_set.refresh_token, zoho.access_token, zoho.refresh_token):
        assert all(secret not in page.content.decode() for page in pages)
