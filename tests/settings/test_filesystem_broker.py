"""The server-less default broker: a message file is never seen by a worker before it is whole."""

import os

from kombu import Connection

from syncportal import broker


def _connection(folder):
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder)}
    return Connection("filesystem://", transport_options=options)


def test_the_default_broker_url_uses_the_atomic_transport(tmp_path):
    with _connection(tmp_path) as connection:
        assert isinstance(connection.transport, broker.Transport)


def test_a_message_is_written_under_a_name_workers_ignore_then_renamed_whole(tmp_path, monkeypatch):
    seen_while_writing = []
    real_open = open

    def watching_open(path, mode="r", *args, **kwargs):
        file = real_open(path, mode, *args, **kwargs)
        if "w" in mode:
            seen_while_writing.append(sorted(os.listdir(tmp_path)))
        return file

    monkeypatch.setattr("builtins.open", watching_open)
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("realtime")
        queue.put({"task": "sync", "ids": [1, 2, 3]})
        monkeypatch.setattr("builtins.open", real_open)
        [while_writing] = seen_while_writing
        assert all(not name.endswith(".realtime.msg") for name in while_writing)  # nothing a worker would take
        assert [name for name in os.listdir(tmp_path) if name.endswith(".msg")] != []
        assert not [name for name in os.listdir(tmp_path) if name.endswith(broker.PARTIAL_SUFFIX)]
        message = queue.get(timeout=1)
        assert message.payload == {"task": "sync", "ids": [1, 2, 3]}
        message.ack()
        queue.close()
