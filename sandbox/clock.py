"""The sandbox clock: real time plus an offset stored in the sandbox database, so tests can move time.

Token expiry, code lifetimes, rate-limit windows and every timestamp the emulators write use `now()`.
"""

import datetime

from django.utils import timezone


def _state():
    from .models import SandboxState

    state, _ = SandboxState.objects.get_or_create(pk=1)
    return state


def offset() -> float:
    """Seconds the sandbox clock runs ahead of real time."""
    from .models import SandboxState

    value = SandboxState.objects.filter(pk=1).values_list("clock_offset", flat=True).first()
    return float(value or 0.0)


def now() -> datetime.datetime:
    """The sandbox's current time (aware, UTC)."""
    return timezone.now() + datetime.timedelta(seconds=offset())


def advance(seconds: float) -> datetime.datetime:
    """Move the clock forward (or back, with a negative number) and return the new time."""
    from django.db.models import F

    from .models import SandboxState

    _state()
    SandboxState.objects.filter(pk=1).update(clock_offset=F("clock_offset") + float(seconds))
    return now()


def reset() -> datetime.datetime:
    """Put the clock back on real time."""
    from .models import SandboxState

    _state()
    SandboxState.objects.filter(pk=1).update(clock_offset=0.0)
    return now()
