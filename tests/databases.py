"""Marks for tests that depend on the database engine.

`needs_parallel_database`: the test's threads write to the database at the same moment (as separate worker
processes do). The test run's SQLite database is in memory with a shared cache, where concurrent writers fail at
once with "database table is locked" (table locks ignore the busy timeout), so on SQLite such a test is skipped
and says why in the summary (`-ra`); it runs on PostgreSQL (DATABASE_URL=postgres://..., as CI does). `make run`'s
SQLite files are another matter: write-ahead log, busy timeout and immediate transactions (settings/base.py).
"""

import pytest
from django.conf import settings

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")

needs_parallel_database = pytest.mark.skipif(
    ON_SQLITE,
    reason="SKIPPED ON SQLITE: parallel writers need a server database (the in-memory test database locks whole "
           "tables). Run with DATABASE_URL=postgres://... (CI does).",
)
