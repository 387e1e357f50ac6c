"""One slim match index per job and module on the target side (issue 17).

A Historical Sync job matches every source record against the target's records (sync.engine.matching) before it
creates one. Instead of reading the target's records again for every chunk (or every 20-second slice), the job
reads each target module once, keeping only what matching looks at: the record's id, the keys the rules compare
(ContactNumber, account number, email, name; item code and name; invoice number and reference; on the Zoho side
the field carrying the Xero id) and the status fields that decide whether a record can be matched at all. The
index is kept current with the job's own writes and stored with the job, so a resumed slice reads nothing again.

Matching itself still works on whole records: `candidates` looks the batch's keys up in the index and reads only
the records that share a key with one of them, by id, in bulk (Xero: 50 ids a call; Zoho: 100). A target without
such records (the usual first sync) costs no read at all after the index.
"""

from .engine.modules import spec


def indexed(module: str) -> bool:
    """Whether a job matches the module through an index: a module of its own on the Xero side with match keys
    (contact persons live inside Xero contacts and are matched by the nested-module engine)."""
    module_spec = spec(module)
    return bool(module_spec.xero_match_fields) and module_spec.nested_in is None


def xero_keys(module: str) -> tuple[str, ...]:
    """The Xero keys a record is found by: its id and what the matching rules compare (ModuleSpec)."""
    module_spec = spec(module)
    return (module_spec.xero_id_field, *module_spec.xero_match_fields)


def zoho_keys(module: str) -> tuple[str, ...]:
    return ("id", *spec(module).zoho_match_fields)


# Values of a batch record that a rule compares besides its mapped payload: its own id (ContactNumber or the
# Xero-id field carrying it) and a Xero contact's ContactNumber (a Zoho id).
SOURCE_KEYS = ("id", "ContactID", "ItemID", "InvoiceID", "ContactNumber")


def _fold(value) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = str(value).strip()
    return text.casefold() if text else None


class MatchIndex:
    """The match keys of one module's records on one side, by id, and the ids holding each (folded) value."""

    def __init__(self, id_field: str, keys: tuple[str, ...], kept: tuple[str, ...] = (), rows=()):
        self.id_field, self.keys, self.kept = id_field, tuple(keys), tuple(kept)
        self.records: dict[str, dict] = {}
        self.by_value: dict[str, set[str]] = {}
        for row in rows:
            self.add(row)

    def __len__(self) -> int:
        return len(self.records)

    def add(self, record: dict) -> None:
        record_id = str(record.get(self.id_field) or "")
        if not record_id:
            return
        self.remove(record_id)
        slim = {key: record[key] for key in (*self.keys, *self.kept)
                if key in record and not isinstance(record[key], dict | list)}
        slim[self.id_field] = record_id
        self.records[record_id] = slim
        for key in self.keys:
            value = _fold(slim.get(key))
            if value is not None:
                self.by_value.setdefault(value, set()).add(record_id)

    def remove(self, record_id: str) -> None:
        old = self.records.pop(str(record_id), None)
        if old is None:
            return
        for key in self.keys:
            value = _fold(old.get(key))
            holders = self.by_value.get(value) if value is not None else None
            if holders is not None:
                holders.discard(str(record_id))
                if not holders:
                    del self.by_value[value]

    def ids_for(self, lookups: list[dict]) -> list[str]:
        """Ids of the records sharing a key with one of the lookups (a mapped payload with its "__source")."""
        found: set[str] = set()
        for lookup in lookups:
            values = [value for key, value in lookup.items() if key != "__source"]
            source = lookup.get("__source") or {}
            values += [source.get(key) for key in SOURCE_KEYS]
            for value in values:
                folded = _fold(value)
                if folded is not None and folded in self.by_value:
                    found |= self.by_value[folded]
        return sorted(found)

    def dump(self) -> list[dict]:
        return list(self.records.values())


def load(data: dict | None) -> dict[tuple[str, str], list[dict]]:
    """A job's stored index ({side: {module: [slim records]}}) as {(side, module): rows}."""
    return {(side, module): rows for side, modules in (data or {}).items() if isinstance(modules, dict)
            for module, rows in modules.items() if isinstance(rows, list)}
