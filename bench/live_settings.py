"""Settings of the live benchmark stack (bench/live_stack.py): `make run`'s local settings, with DEBUG off and the
portal's own provider rate limits lifted.

The benchmarks measure API calls and latency, not Xero's quota: at Xero's 60 calls a minute per tenant, 200
edits in forty seconds could not all be written within two seconds whatever the portal did. The sandbox's
limits are lifted the same way (`LiveStack.lift_limits`), as in the acceptance tests (tests/sync/portal_setup.py).
"""

from syncportal.settings.local import *  # noqa: F403

DEBUG = False  # DEBUG keeps every query in memory and would skew the timings
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
XERO_RATE_LIMIT_PER_WINDOW = 100_000
XERO_MAX_CONCURRENT = 50
XERO_DAILY_LIMIT = 1_000_000
ZOHO_MAX_CONCURRENT = 50
