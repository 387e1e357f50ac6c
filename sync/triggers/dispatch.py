"""Small units of work shared by the triggers: sync some ids of one module, in chunks, for one Xero organisation.

A trigger task passes its own id as `origin`: each chunk's run is created once per task, so a retry of the task
resumes the runs it created (and skips those that finished) instead of creating new ones."""

import logging
import uuid

from connections.exceptions import ProviderError

from .. import runs, services
from ..models import RunStatus, SyncRun
from ..services import SyncNotAllowed

logger = logging.getLogger(__name__)

ID_CHUNK = 100  # one Zoho read, two Xero reads/writes: a task stays short, so other organisations get a turn


class RetryLater(Exception):
    """A run of the task failed and will be retried by the task after `countdown` seconds."""

    def __init__(self, countdown: float, error: Exception):
        super().__init__(str(error))
        self.countdown, self.error = countdown, error


def chunks(ids, size: int = ID_CHUNK):
    ids = [str(i) for i in dict.fromkeys(str(i) for i in ids)]
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def sync_ids(xero_organisation, module: str, direction: str, ids, *, trigger: str, origin: str = "",
             owner: str | None = None):
    """Sync the given source ids; returns the runs (finished, or ended failed). Switched-off modules are skipped
    quietly. A provider failure either ends the chunk's run (its records get failure entries; the next chunk
    goes on) or raises RetryLater, with the run kept for the retry."""
    owner = owner or uuid.uuid4().hex
    finished = []
    for number, chunk in enumerate(chunks(ids)):
        try:
            run = services.prepare_run(xero_organisation, module, direction, ids=chunk, trigger=trigger,
                                       origin=f"{origin}:{xero_organisation.pk}:{number}" if origin else "")
        except SyncNotAllowed as reason:
            logger.info("%s sync of %s for %s skipped: %s", trigger, module, xero_organisation.pk, reason)
            return finished
        if run.status in (RunStatus.PENDING, RunStatus.RUNNING):
            try:
                runs.process_run(run.pk, owner=owner)
            except ProviderError as error:
                countdown = runs.retry_or_fail(run.pk, owner, error)
                if countdown is not None:
                    raise RetryLater(countdown, error) from error
        finished.append(SyncRun.objects.get(pk=run.pk))
    return finished
