"""Quiet housekeeping: Beat's frequent checks (every minute or every few minutes, mostly with nothing to do) would
write three INFO lines each per run ("Sending due task", "received", "succeeded"): thousands of lines an hour
that bury what matters. This filter drops those INFO lines; warnings and errors of the same tasks still show, and
LOG_LEVEL=DEBUG shows everything. The frequent tasks are read from Beat's schedule (syncportal/celery.py), which
installs the filter when Celery sets up logging in the worker and in Beat."""

import logging
from datetime import timedelta
from numbers import Number

# Beat entries that run at least this often are housekeeping (cron dispatch every ten minutes included; the
# sync runs it enqueues are other tasks and keep logging).
FREQUENT_SECONDS = 600
# The loggers that write those lines: Beat, the worker's "received" and the task tracer's "succeeded".
LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


def frequent_task_names(schedule: dict) -> frozenset[str]:
    """The tasks of Beat entries that run every FREQUENT_SECONDS or more often (crontab entries run daily)."""
    names = set()
    for entry in schedule.values():
        every = entry["schedule"]
        if isinstance(every, Number):
            seconds = float(every)
        elif isinstance(every, timedelta):
            seconds = every.total_seconds()
        elif isinstance(getattr(every, "run_every", None), timedelta) and not hasattr(every, "hour"):
            seconds = every.run_every.total_seconds()
        else:
            continue
        if seconds <= FREQUENT_SECONDS:
            names.add(entry["task"])
    return frozenset(names)


class QuietHousekeeping(logging.Filter):
    _names: frozenset[str] | None = None

    @classmethod
    def names(cls) -> frozenset[str]:
        if cls._names is None:
            from syncportal.celery import beat_schedule  # lazily: logging is configured before the Celery app

            cls._names = frequent_task_names(beat_schedule())
        return cls._names

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        message = record.getMessage()
        return not any(f" {name}[" in message or f"({name})" in message for name in self.names())


def install() -> None:
    """Add the filter to the loggers that write the housekeeping lines (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, QuietHousekeeping) for existing in logger.filters):
            logger.addFilter(QuietHousekeeping())
