"""A real worker subprocess keeps the connections app's default limits (60 Xero calls a minute, 5,000 a day per
tenant), while tests raise them in-process. The limiter's Redis state is shared and the sandbox's tenant ids are
the same in every test, so earlier tests' calls would count against the worker: start it with a clean budget."""

from connections.ratelimit import backend


def fresh_limits(portal) -> None:
    backend().reset(f"xero:{portal.xero_organisation.tenant_id}")
    backend().reset(f"zoho:{portal.zoho.connection.pk}")
