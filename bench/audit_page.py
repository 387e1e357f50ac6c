"""Benchmark of the Audit page at a million entries on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python -m bench.audit_page

It creates a dedicated database (syncportal_bench_audit, on the server of DATABASE_URL), migrates the
audit app into it, fills it with AUDIT_BENCH_ROWS entries (default 1,000,000) spread over several
organisations with one set-based INSERT ... SELECT generate_series (indexes are dropped for the load and
rebuilt after, as for any bulk load), then requests the filtered, searched Audit page through Django's
test client (the whole middleware stack, in-process) and prints p50 and p95 server times per scenario.
The database is dropped at the end (AUDIT_BENCH_KEEP=1 keeps it).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "syncportal_bench_audit"
ROWS = int(os.environ.get("AUDIT_BENCH_ROWS", "1000000"))
REPEATS = int(os.environ.get("AUDIT_BENCH_REPEATS", "40"))
ORGANISATIONS = 5  # the first holds 40 % of the entries, the others 15 % each
GOAL_P95_MS = 150

# Words of record names: a search for one matches a realistic slice of an organisation's records.
FIRST_WORDS = [
    "Acme", "Harbour", "Summit", "Pioneer", "Granite", "Willow", "Coastal", "Northwind", "Bluebird", "Redwood",
    "Silver", "Golden", "Maple", "Cedar", "Falcon", "Orchid", "Meridian", "Atlas", "Beacon", "Cobalt",
    "Delta", "Ember", "Fjord", "Glacier", "Horizon", "Ironbark", "Juniper", "Kestrel", "Lumen", "Mosaic",
    "Nimbus", "Oakridge", "Prairie", "Quartz", "Riverside", "Sapphire", "Tidewater", "Umber", "Vertex", "Zephyr",
]
SECOND_WORDS = [
    "Trading", "Widgets", "Consulting", "Logistics", "Bakery", "Plumbing", "Dental", "Foods", "Studios",
    "Engineering", "Motors", "Textiles", "Labs", "Outfitters", "Partners", "Media", "Farms", "Supplies",
    "Builders", "Analytics", "Pharmacy", "Hotels", "Robotics", "Florists", "Cycles",
]
SUFFIXES = ["Ltd", "Pty Ltd", "GmbH", "SARL", "Inc", "LLC", "& Co", "Group", "Holdings", "Limited"]


def _refuse(message: str) -> int:
    print(f"bench.audit_page: {message}", file=sys.stderr)
    return 2


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_connection(url: str):
    import psycopg2

    connection = psycopg2.connect(_with_database(url, "postgres"))
    connection.autocommit = True
    return connection


def _sql_array(words) -> str:
    return "(ARRAY[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "])"


FILL_SQL = """
WITH org AS (
    SELECT array_agg(id ORDER BY name) AS ids FROM tenancy_organisation WHERE name LIKE 'Bench organisation %%'
), src AS (
    SELECT i,
           CASE WHEN i %% 20 < 8 THEN 1 ELSE 2 + (i %% 4) END AS org_no,
           (i::bigint * 2654435761) %% 4294967291 AS h
    FROM generate_series(1, %(rows)s) AS i
), rec AS (
    SELECT src.*, (h %% 40000) AS record_no, (h / 40000) %% 1000 AS r2, (h / 7) %% (180 * 86400) AS age
    FROM src
), named AS (
    SELECT rec.*,
           __FIRST__[1 + record_no %% 40] || ' ' || __SECOND__[1 + (record_no / 40) %% 25] || ' '
             || __SUFFIX__[1 + (record_no / 1000) %% 10] || ' ' || (record_no %% 997)::text AS name,
           CASE WHEN r2 < 850 THEN 'success' WHEN r2 < 950 THEN 'failed' ELSE 'skipped' END AS status,
           (ARRAY['accounts', 'contacts', 'products', 'invoices', 'xero_accounts'])[1 + record_no %% 5] AS module
    FROM rec
)
INSERT INTO audit_auditentry (
    id, organisation_id, xero_tenant_id, xero_tenant_name, module, record_name, zoho_id, xero_id, direction,
    trigger, action, status, message_key, message_params, message, provider_error_code, provider_error,
    values_written, provider_response, created_at, resync_of_id, checks
)
SELECT gen_random_uuid(),
       (SELECT ids FROM org)[org_no],
       'tenant-' || org_no, 'Bench Xero organisation ' || org_no,
       module,
       name,
       (5725767000000000000 + org_no * 1000000 + record_no)::text,
       CASE WHEN status = 'success' THEN md5(org_no::text || '-' || record_no::text)::uuid::text ELSE '' END,
       CASE WHEN r2 %% 10 < 7 THEN 'zoho_to_xero' ELSE 'xero_to_zoho' END,
       (ARRAY['cron', 'cron', 'cron', 'cron', 'cron', 'on_save', 'on_save', 'webhook', 'historical', 'copy'])[1 + (h / 13) %% 10],
       CASE WHEN status = 'skipped' THEN 'skip' WHEN r2 %% 3 = 0 THEN 'create' ELSE 'update' END,
       status,
       CASE status WHEN 'success' THEN 'Updated %%(name)s in the other system.'
                   WHEN 'failed' THEN 'Xero rejected %%(name)s: %%(error)s Fix it in Zoho CRM, then resync.'
                   ELSE 'Skipped %%(name)s: nothing mapped has changed.' END,
       jsonb_build_object('name', name, 'error', 'Account code 999 is not valid for this document.'),
       CASE status WHEN 'success' THEN 'Updated ' || name || ' in the other system.'
                   WHEN 'failed' THEN 'Xero rejected ' || name || ': Account code 999 is not valid for this document. Fix it in Zoho CRM, then resync.'
                   ELSE 'Skipped ' || name || ': nothing mapped has changed.' END,
       CASE WHEN status = 'failed' THEN 'ValidationException' ELSE '' END,
       CASE WHEN status = 'failed' THEN 'Account code ''999'' is not a valid code for this document.' ELSE '' END,
       CASE WHEN status = 'success' THEN jsonb_build_object('Name', name, 'AccountNumber', record_no) END,
       NULL,
       now() - age * interval '1 second',
       NULL,
       1  -- checks: each entry reports its attempt once (the model's default; the column has no database default)
FROM named
ORDER BY age DESC  -- an audit log is appended in time order, so its rows lie on disk in that order
"""


def _fill(connection, rows: int) -> float:
    """Bulk-load `rows` entries over a raw autocommit connection: drop indexes, INSERT ... SELECT, rebuild."""
    started = time.perf_counter()
    sql = (
        FILL_SQL.replace("__FIRST__", _sql_array(FIRST_WORDS))
        .replace("__SECOND__", _sql_array(SECOND_WORDS))
        .replace("__SUFFIX__", _sql_array(SUFFIXES))
    )
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditentry' "
            "AND indexname <> 'audit_auditentry_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(sql, {"rows": rows})
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE audit_auditentry")
    return time.perf_counter() - started


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _scenarios(today, zoho_id: str):
    import datetime

    month_ago = (today - datetime.timedelta(days=30)).isoformat()
    quarter_ago = (today - datetime.timedelta(days=90)).isoformat()
    words = FIRST_WORDS + SECOND_WORDS
    return {
        "filtered + searched (90 days, failed, name word)": lambda i: {
            "date_from": quarter_ago,
            "date_to": today.isoformat(),
            "status": "failed",
            "q": words[i % len(words)],
        },
        "searched only (name word, 50 per page)": lambda i: {"q": words[(i * 7) % len(words)], "per_page": 50},
        "filtered only (30 days, invoices, failed)": lambda i: {
            "date_from": month_ago,
            "date_to": today.isoformat(),
            "module": "invoices",
            "status": "failed",
        },
        "search by Zoho id": lambda i: {"q": zoho_id},
        "rare search (no match)": lambda i: {"q": f"nomatch{i}", "date_from": quarter_ago},
        "no filters, 100 per page": lambda i: {"per_page": 100},
    }


def _measure_other_pages(client, url, today, organisation) -> None:
    """For information (no goal): the dashboard, and a streamed CSV export of the filtered rows."""
    import datetime

    from django.core.cache import cache
    from django.urls import reverse

    home = reverse("tenancy:home")
    key = f"audit:dashboard:{organisation.pk}"  # only this key: the cache may be a shared Redis
    export = reverse("audit:export")
    params = {"date_from": (today - datetime.timedelta(days=90)).isoformat(), "status": "failed"}
    for label, fetch in [
        ("dashboard, uncached (its counts are kept 60 s)", lambda: (cache.delete(key), client.get(home).content)[1]),
        ("CSV export, 90 days of failures (streamed)", lambda: b"".join(client.get(export, params).streaming_content)),
    ]:
        fetch()
        samples, size = [], 0
        for _ in range(5):
            started = time.perf_counter()
            size = len(fetch())
            samples.append((time.perf_counter() - started) * 1000)
        print(
            f"  {label:<50} p50 {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms   ({size:,} bytes)",
            flush=True,
        )


def main() -> int:
    from bench.report import Skipped, text_table

    figures = run()
    for figure in figures:
        if isinstance(figure, Skipped):
            return _refuse(figure.reason)
    print(text_table(figures), flush=True)
    return 0


def run() -> list:
    """The figures of this benchmark (a Skipped row when there is no PostgreSQL to measure)."""
    from bench.report import Skipped

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return [Skipped(
            "audit_page",
            "DATABASE_URL must point at a PostgreSQL server (postgres://user@host:port/db); "
            f"got {url.split('@')[-1] if url else 'nothing'}. The benchmark measures PostgreSQL's plans "
            "and indexes, so it does not run on SQLite.",
        )]
    try:
        admin = _admin_connection(url)
    except Exception as error:  # noqa: BLE001 - any connection problem is reported, not raised
        return [Skipped("audit_page", f"cannot connect to PostgreSQL: {error}")]
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        cursor.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    print(f"Created database {BENCH_DATABASE}", flush=True)

    os.environ["DATABASE_URL"] = _with_database(url, BENCH_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory and would skew the timings
    try:
        return _run()
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("AUDIT_BENCH_KEEP") != "1":
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            print(f"Dropped database {BENCH_DATABASE}", flush=True)
        admin.close()


def _run() -> list:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from audit.models import AuditEntry
    from tenancy.models import Membership, Organisation, Role, User

    call_command("migrate", verbosity=0)  # every app: the dashboard measured below reads connections too
    organisations = [Organisation.objects.create(name=f"Bench organisation {n}") for n in range(1, ORGANISATIONS + 1)]
    user = User.objects.create_user("bench@example.com", "bench-password-not-secret")
    Membership.objects.create(organisation=organisations[0], user=user, role=Role.READ_ONLY)

    print(f"Filling {ROWS:,} audit entries over {ORGANISATIONS} organisations ...", flush=True)
    connection.ensure_connection()
    seconds = _fill(connection.connection, ROWS)
    total = AuditEntry.objects.count()
    mine = AuditEntry.objects.filter(organisation=organisations[0]).count()
    print(f"Filled {total:,} entries ({mine:,} in the measured organisation) in {seconds:.1f} s", flush=True)

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("audit:index")
    zoho_id = AuditEntry.objects.filter(organisation=organisations[0]).values_list("zoho_id", flat=True).first()
    results = {}
    for name, params_for in _scenarios(timezone.localdate(), zoho_id).items():
        for i in range(3):  # warm-up
            client.get(url, params_for(i))
        samples = []
        for i in range(REPEATS):
            params = params_for(i)
            started = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {response.status_code} for {params}")
        html = response.content.decode()
        shown = html.count('data-testid="audit-row"')
        counted = re.search(r'data-testid="result-count">([^<]*)<', html)
        results[name] = samples
        print(
            f"  {name:<50} p50 {statistics.median(samples):7.1f} ms   p95 {_percentile(samples, 0.95):7.1f} ms"
            f"   ({shown} rows shown; {counted.group(1) if counted else '?'})",
            flush=True,
        )
    _measure_other_pages(client, url, timezone.localdate(), organisations[0])
    from bench.report import Figure

    figures = []
    for name, samples in results.items():
        headline = name.startswith("filtered + searched")
        p95 = _percentile(samples, 0.95)
        scenario = f"{ROWS:,} entries: {name}"
        figures.append(Figure("audit_page", scenario, "p50", round(statistics.median(samples), 1), "ms"))
        figures.append(Figure("audit_page", scenario, "p95", round(p95, 1), "ms",
                              goal=f"< {GOAL_P95_MS} ms" if headline else "",
                              met=(p95 < GOAL_P95_MS) if headline else None))
    return figures


if __name__ == "__main__":
    sys.exit(main())
