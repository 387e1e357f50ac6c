"""Small units of work shared by the triggers: sync some ids of one module, in chunks, for one Xero organisation."""

import logging

from .. import services
from ..services import SyncNotAllowed

logger = logging.getLogger(__name__)

ID_CHUNK = 100  # one Zoho read, two Xero reads/writes: a task stays short, so other organisations get a turn


def chunks(ids, size: int = ID_CHUNK):
    ids = [str(i) for i in dict.fromkeys(str(i) for i in ids)]
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def sync_ids(xero_organisation, module: str, direction: str, ids, *, trigger: str):
    """Sync the given source ids; returns the finished runs. Switched-off modules are skipped quietly."""
    finished = []
    for chunk in chunks(ids):
        try:
            finished.append(services.sync_records(xero_organisation, module, direction, ids=chunk, trigger=trigger))
        except SyncNotAllowed as reason:
            logger.info("%s sync of %s for %s skipped: %s", trigger, module, xero_organisation.pk, reason)
            return finished
    return finished
