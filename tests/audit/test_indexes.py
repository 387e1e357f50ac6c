import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TRIGRAM_INDEXES = {"audit_search_name", "audit_search_message"}


def _constraints():
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, "audit_auditentry")


def _index_names():
    return set(_constraints())


def test_the_search_has_trigram_indexes_on_postgresql_only():
    names = _index_names()
    if connection.vendor == "postgresql":
        assert TRIGRAM_INDEXES <= names
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'audit_search_name'")
            definition = cursor.fetchone()[0]
        assert "gin" in definition and "gin_trgm_ops" in definition and "upper" in definition.lower()
        assert "organisation_id, status, module" in definition
        assert not {"audit_search_name_trgm", "audit_search_message_trgm"} & names  # replaced by 0005
    else:
        assert not TRIGRAM_INDEXES & names


def test_every_filter_has_an_index_led_by_the_organisation():
    names = _index_names()
    for name in [
        "audit_org_created",
        "audit_org_status_created",
        "audit_org_module_created",
        "audit_org_direction_created",
        "audit_org_trigger_created",
        "audit_org_zoho_id",
        "audit_org_xero_id",
        "audit_org_record_name",
    ]:
        assert name in names
    assert not any(
        info["columns"] == ["created_at"] and info["index"] for info in _constraints().values()
    ), "a lone created_at index tempts PostgreSQL to walk every tenant's rows"
