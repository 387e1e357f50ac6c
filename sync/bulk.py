"""One UPDATE for many rows with different values (a chunk's item states, its links).

Django's `bulk_update` builds a `CASE WHEN pk = ... THEN ...` expression per field and row, which costs more CPU
than the rest of a chunk's bookkeeping together; `UPDATE ... FROM (VALUES ...)` sends the same one statement
(per 500 rows) with the values as a plain list. PostgreSQL and SQLite (3.33 and later) both have it.
"""

from django.db import connection

BATCH = 500


def update_rows(model, rows: list[tuple], fields: list[str], *, same: dict | None = None) -> int:
    """UPDATE `model` SET each of `fields` (column names of concrete fields) to the row's value, and each of
    `same` to one value for all, WHERE pk = the row's first element. `rows`: (pk, value, value, ...)."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    pk_field = model._meta.pk
    pk_column = connection.ops.quote_name(pk_field.column)
    columns = [model._meta.get_field(name) for name in fields]
    same_fields = [(model._meta.get_field(name), value) for name, value in (same or {}).items()]
    postgres = connection.vendor == "postgresql"
    if postgres:
        names = ["pk", *[f"c{i}" for i in range(len(columns))]]
        alias, refs = f"v({', '.join(names)})", [f"v.{name}" for name in names]
        refs[0] = f"CAST(v.pk AS {pk_field.db_type(connection)})"  # a uuid pk arrives as text
    else:  # SQLite names the columns of VALUES column1, column2, ...
        alias, refs = "v", [f"v.column{i + 1}" for i in range(len(columns) + 1)]
    assignments = [f"{connection.ops.quote_name(field.column)} = {ref}" for field, ref in zip(columns, refs[1:],
                                                                                              strict=True)]
    assignments += [f"{connection.ops.quote_name(field.column)} = %s" for field, _value in same_fields]
    same_values = [field.get_db_prep_save(value, connection) for field, value in same_fields]
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            placeholders = ", ".join("(" + ", ".join(["%s"] * (len(columns) + 1)) + ")" for _row in batch)
            params = list(same_values)
            for row in batch:
                params.append(pk_field.get_db_prep_value(row[0], connection))
                params += [field.get_db_prep_save(value, connection) for field, value in zip(columns, row[1:],
                                                                                              strict=True)]
            cursor.execute(f"UPDATE {table} SET {', '.join(assignments)} FROM (VALUES {placeholders}) AS {alias} "
                           f"WHERE {table}.{pk_column} = {refs[0]}", params)
            updated += cursor.rowcount
    return updated
