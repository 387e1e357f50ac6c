"""Absolute sandbox URLs of each data centre's accounts server and API domain."""

from django.conf import settings

_base = {"url": ""}


def remember_base(request) -> None:
    """Record the sandbox's own base URL from a request (notifications are sent outside requests)."""
    _base["url"] = f"{request.scheme}://{request.get_host()}"


def base() -> str:
    return _base["url"] or getattr(settings, "SANDBOX_URL", "http://127.0.0.1:8100")


def accounts_server(dc: str, request=None) -> str:
    root = f"{request.scheme}://{request.get_host()}" if request is not None else base()
    return f"{root}/zoho/{dc}/accounts"


def api_domain(dc: str, request=None) -> str:
    root = f"{request.scheme}://{request.get_host()}" if request is not None else base()
    return f"{root}/zoho/{dc}/api"
