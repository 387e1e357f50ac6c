"""Search indexes that also hold status and module (PostgreSQL only; a no-op on SQLite).

"Failed entries whose name contains X" is the Audit page's most common question. With status and module
inside the GIN index (btree_gin), PostgreSQL intersects tenant, status, module and trigrams in one index
scan and visits only the matching rows, instead of every failed row of the tenant (20x fewer rows read in
bench/audit_page.py). They replace the trigram indexes of migration 0003.
"""

from django.db import migrations

OLD = {
    "audit_search_name_trgm": 'UPPER("record_name"::text) gin_trgm_ops',
    "audit_search_message_trgm": 'UPPER("message"::text) gin_trgm_ops',
}
NEW = {
    "audit_search_name": 'UPPER("record_name"::text) gin_trgm_ops',
    "audit_search_message": 'UPPER("message"::text) gin_trgm_ops',
}


def _replace(schema_editor, drop, create, columns):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, expression in create.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON audit_auditentry USING gin ({columns}, {expression})"
        )


def forwards(apps, schema_editor):
    _replace(schema_editor, OLD, NEW, '"organisation_id", "status", "module"')


def backwards(apps, schema_editor):
    _replace(schema_editor, NEW, OLD, '"organisation_id"')


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_created_at_without_lone_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
