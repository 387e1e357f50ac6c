"""Trigram indexes for the audit search box, on PostgreSQL only (a no-op on SQLite).

The search box matches record names and messages with `icontains`, which Django renders on PostgreSQL as
`UPPER("record_name"::text) LIKE UPPER('%term%')`. A B-tree cannot serve a leading wildcard; a GIN index
with pg_trgm's `gin_trgm_ops` on exactly that expression can. The organisation id leads each index
(btree_gin), so a search inside one tenant does not wade through every other tenant's matches.
Both extensions are "trusted" since PostgreSQL 13, so a database owner may create them.
"""

from django.db import migrations

INDEXES = {
    "audit_search_name_trgm": 'UPPER("record_name"::text) gin_trgm_ops',
    "audit_search_message_trgm": 'UPPER("message"::text) gin_trgm_ops',
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON audit_auditentry USING gin ("organisation_id", {expression})'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_indexes_and_alert_state")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
