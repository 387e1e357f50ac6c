"""Secrets that travel in URLs never reach a log: the signed keys of the Copy to Xero button and the Zoho workflow
webhook (`?key=`), Zoho's notification token, and the one-time tokens of password-reset and sign-up links.

The filter rewrites the records of the access logs (runserver's "django.server", gunicorn's "gunicorn.access",
whose arguments are a dict of atoms such as the request line "r", the query "q" and the referrer "f") and of
Django's request log. TenancyConfig.ready() attaches it, so it works under any server that loads the portal."""

import logging
import re

REDACTED = "[redacted]"
_QUERY_SECRETS = re.compile(r"(?i)((?:^|[?&;]|%26|%3F)(?:key|token)(?:=|%3D))[^&;\s\"']+")
_PATH_SECRETS = re.compile(r"(/(?:password/reset|signup/confirm)/[^/\s]+/)(?!set-password/)[^/\s?\"']+")
LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return _PATH_SECRETS.sub(rf"\1{REDACTED}", _QUERY_SECRETS.sub(rf"\1{REDACTED}", text))


def _clean(value):
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):  # gunicorn's atoms: changed in place, it answers missing names itself
            for name, value in list(record.args.items()):
                record.args[name] = _clean(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_clean(value) for value in record.args)
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
