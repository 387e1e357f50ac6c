"""The default broker (no server): kombu's filesystem transport, with each message written atomically.

kombu's filesystem transport creates a message file, then writes into it; a worker listing the folder in
between moves the empty file away, fails to decode it and stops ("Unrecoverable error: JSONDecodeError").
This transport writes the message under a name the workers ignore and renames it into place when it is
whole (a rename within one folder is atomic). syncportal/celery.py registers it as `filesystem://`.
"""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL_SUFFIX = ".partial"  # workers take only "<stamp>_<uuid>.<queue>.msg"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put `payload` onto `queue`: written whole under a temporary name, then renamed into place."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
