"""Gateways: the engine's view of Xero and Zoho, as thin batching adapters around the connections clients.

Reads use the largest page sizes the clients allow; writes go in batches (Xero 50 a request with
summarizeErrors=false and a deterministic Idempotency-Key, so a replayed batch creates nothing new; Zoho 100 a
call with "trigger": []). Each write returns one WriteResult per element, in order.

Line items: Xero's paged invoice reads carry them. Zoho invoices are read without their Invoiced_Items (lists and
COQL do not return subforms); `sync.zoho_lines` then reads the lines in bulk (COQL on the subform module) and
falls back to GET by id per invoice where the bulk path is refused or its rows fail a check.

No read after write: Zoho answers a write with the record's id and Modified_Time (`details`); the engine keeps
what it sent merged with what it read before (executor `_after`) instead of reading the record back. Invoices are
the exception the fingerprint needs: Zoho fills in what a line leaves out (the product's taxes and price), so the
written invoices are read back, in bulk (100 headers a call, their lines by COQL).
"""

from datetime import UTC

from connections.exceptions import PermanentError

from . import xero_duplicates
from .engine.executor import WriteResult
from .engine.fingerprint import parse_time
from .engine.modules import spec
from .match_index import MatchIndex, indexed, xero_keys, zoho_keys
from .zoho_lines import LineReader

WHERE_CHUNK = 15  # lookups per Xero `where` query (the URL stays short)
SMALL_LOOKUP = 20  # up to this many lookups use `where` queries; more read the whole module once per gateway
COQL_IN = 50  # COQL `in` takes at most 50 values
COQL_PAGE = 2000  # COQL's largest LIMIT (zoho.md §2): the keyset read of a match index

XERO_COLLECTION = {"accounts": "Contacts", "products": "Items", "invoices": "Invoices"}
ITEMS_READ = "items read"  # the last GET /Items, kept among the full reads (refresh() clears them together)
# What matching (sync.engine.matching), contact naming (names.NameBook) and dependency lookups read of a Xero record.
MATCH_KEYS = {
    "accounts": ("ContactID", "Name", "ContactStatus", "ContactNumber", "AccountNumber", "EmailAddress"),
    "products": ("ItemID", "Code", "Name"),
    "invoices": ("InvoiceID", "InvoiceNumber", "Reference", "Status", "Type"),
}


def _quote(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _coql_quote(value) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _clean(lookup: dict) -> dict:
    return {key: value for key, value in lookup.items() if key != "__source"}


def _newer(updated, since) -> bool:
    """Whether a Xero record's UpdatedDateUTC is after `since` (a record without one is kept)."""
    moment = parse_time(updated)
    return moment is None or moment > (since if since.tzinfo else since.replace(tzinfo=UTC))


class _IndexedGateway:
    """What both sides' gateways share about their per-job match indexes."""

    def use_indexes(self, rows: dict) -> None:
        """Match through indexes from now on, starting from these stored rows ({module: rows})."""
        self.indexed = True
        for module, module_rows in rows.items():
            if indexed(module):
                self.indexes.setdefault(module, self._new_index(module, module_rows))


class XeroGateway(_IndexedGateway):
    side = "xero"

    def __init__(self, client, *, indexes: dict | None = None):
        """`indexes`: use one slim match index per module for matching (a historical job, sync.match_index):
        {module: stored rows} of the ones the job read before ({} when none yet)."""
        self.client = client
        self._all: dict[str, dict[str, dict]] = {}  # module -> id -> record, once read in full
        self.indexed = indexes is not None
        self.indexes: dict[str, MatchIndex] = {
            module: self._new_index(module, rows) for module, rows in (indexes or {}).items() if indexed(module)}

    def probe(self) -> None:
        """One cheap call that succeeds whenever Xero answers (raises the client's errors otherwise)."""
        self.client.get_organisation()

    # -- reading -------------------------------------------------------------------------------------------

    def fetch(self, module: str, ids) -> dict[str, dict]:
        ids = [str(i) for i in ids if i]
        if not ids:
            return {}
        collection = spec(module).xero_collection  # contacts: the Xero contacts holding the persons
        if collection == "Contacts":
            rows = self.client.get_contacts_by_ids(ids)
        elif collection == "Items":
            wanted = set(ids)
            rows = [item for item in self._items() if str(item.get("ItemID")) in wanted]
        else:
            rows = self.client.get_invoices_by_ids(ids)
        key = spec(module).xero_id_field
        return {str(row[key]): row for row in rows if row.get(key)}

    def read(self, module: str, ids=None, since=None) -> list[dict]:
        """Source records: by ids, or everything changed after `since` (archived/voided included).

        If-Modified-Since has whole seconds and Xero's times milliseconds: the header asks from the start of
        `since`'s second (so a change made later in that second is not missed) and what is not newer than `since`
        itself (read by the pass that set it) is dropped here, so nothing is read twice."""
        if ids is not None:
            return list(self.fetch(module, ids).values())
        collection = spec(module).xero_collection
        if collection == "Contacts":
            rows = list(self.client.iter_contacts(modified_since=since, include_archived=True))
        elif collection == "Items":
            rows = self.client.get_items(modified_since=since)
        else:
            rows = list(self.client.iter_invoices(modified_since=since))
        if since is None:
            return rows
        return [row for row in rows if _newer(row.get("UpdatedDateUTC"), since)]

    def enabled_currencies(self) -> frozenset | None:
        """The organisation's currencies: GET /Currencies where the API has it, else the base currency."""
        try:
            codes = {row.get("Code") for row in self.client.get_currencies() if row.get("Code")}
        except PermanentError:
            codes = set()
        base = (self.client.get_organisation() or {}).get("BaseCurrency")
        if base:
            codes.add(base)
        return frozenset(codes) if codes else None

    # -- the job's match index ---------------------------------------------------------------------------

    @staticmethod
    def _new_index(module: str, rows=()) -> MatchIndex:
        return MatchIndex(spec(module).xero_id_field, xero_keys(module), spec(module).xero_match_state, rows)

    def index(self, module: str) -> MatchIndex:
        """The module's match keys, read once (summaryOnly=true where Xero has it: no line items, addresses)."""
        if module not in self.indexes:
            collection = spec(module).xero_collection
            if collection == "Contacts":
                rows = self.client.iter_contacts(summary_only=True)
            elif collection == "Items":
                rows = self.client.get_items()  # one call, no paging and no summaryOnly
            else:
                rows = self.client.iter_invoices(summary_only=True)
            self.indexes[module] = self._new_index(module, rows)
        return self.indexes[module]

    def forget(self) -> None:
        """Another run wrote meanwhile: what this gateway read is out of date."""
        self._all.clear()
        self.indexes.clear()

    def candidates(self, module: str, lookups: list[dict]) -> list[dict]:
        if self.indexed and indexed(module):  # the records sharing a key with the batch, read by id
            ids = self.index(module).ids_for(lookups)
            return list(self.fetch(module, ids).values()) if ids else []
        if module == "products":
            return self._everything(module)
        if len(lookups) > SMALL_LOOKUP or module in self._all:
            return self._everything(module)
        found: dict[str, dict] = {}
        conditions = [c for lookup in lookups for c in self._conditions(module, lookup)]
        for start in range(0, len(conditions), WHERE_CHUNK * 2):
            where = " OR ".join(dict.fromkeys(conditions[start : start + WHERE_CHUNK * 2]))
            rows = (
                self.client.iter_contacts(where=where)
                if module == "accounts"
                else self.client.iter_invoices(where=where)
            )
            for row in rows:
                found[str(row.get(spec(module).xero_id_field))] = row
        return list(found.values())

    @staticmethod
    def _conditions(module: str, lookup: dict) -> list[str]:
        if module == "accounts":
            keys = ("ContactNumber", "AccountNumber", "Name", "EmailAddress")
        else:
            keys = ("InvoiceNumber", "Reference")
        return [f"{key}=={_quote(lookup[key])}" for key in keys if isinstance(lookup.get(key), str) and lookup[key]]

    def _items(self) -> list[dict]:
        """GET /Items returns every item in one call (no paging, no IDs filter): read once and kept until this
        gateway writes an item or the context is refreshed, so reading items by id chunk after chunk (a job
        from Xero) does not fetch the whole list for every chunk."""
        if ITEMS_READ not in self._all:
            self._all[ITEMS_READ] = {"rows": self.client.get_items()}
        return self._all[ITEMS_READ]["rows"]

    def _everything(self, module: str) -> list[dict]:
        if module not in self._all:
            if module == "accounts":
                rows = self.client.iter_contacts()
            elif module == "products":
                rows = self._items()
            else:
                rows = self.client.iter_invoices()
            key = spec(module).xero_id_field
            self._all[module] = {str(row[key]): row for row in rows if row.get(key)}
        return list(self._all[module].values())

    def _remember(self, module: str, record: dict) -> None:
        """Keep a record this gateway wrote in the module's full read, as far as matching needs it: its id and
        the keys matching and naming look at (a record we wrote is linked at once, so only its name and keys
        matter). A historical job writes thousands: their whole echoes would make memory grow with N."""
        if module in self.indexes and record:
            self.indexes[module].add(record)
        if module in self._all and record:
            keys = MATCH_KEYS.get(module)
            slim = {key: record[key] for key in keys if key in record} if keys else record
            self._all[module][str(record.get(spec(module).xero_id_field))] = slim

    # -- writing -------------------------------------------------------------------------------------------

    def _save(self, module, elements, *, create_only, key):
        if module == "products":
            self._all.pop(ITEMS_READ, None)
        if module == "accounts":
            return self.client.save_contacts(elements, create_only=create_only, idempotency_key=key)
        if module == "products":
            return self.client.save_items(elements, create_only=create_only, idempotency_key=key)
        return self.client.save_invoices(elements, create_only=create_only, idempotency_key=key)

    def _results(self, module, element_results, elements=None) -> list[WriteResult]:
        """One WriteResult per element; a refused duplicate names the Xero record holding the value
        (sync.xero_duplicates: Xero's message names only the value)."""
        results = []
        for element in element_results:
            if element.ok:
                self._remember(module, element.data)
            results.append(
                WriteResult(
                    ok=element.ok,
                    target_id=element.id,
                    record=element.data or None,
                    modified=str((element.data or {}).get("UpdatedDateUTC") or ""),
                    error_code="ValidationException" if not element.ok else "",
                    error_message=" ".join(element.errors),
                    response=element.data or None,
                )
            )
        if elements is not None:
            xero_duplicates.link_conflicts(self, module, elements, results)
        return results

    def create(self, module, items):
        elements = [_clean(payload) for _source_id, payload in items]
        return self._results(module, self._save(module, elements, create_only=True, key=f"sync:{module}:create"),
                             elements)

    def update(self, module, items):
        id_field = spec(module).xero_id_field
        elements = [{**_clean(payload), id_field: target_id} for _source_id, target_id, payload in items]
        return self._results(module, self._save(module, elements, create_only=False, key=f"sync:{module}:update"),
                             elements)

    def delete(self, module, items):
        if module == "accounts":
            results = self.client.archive_contacts([target for _s, target, _m in items], idempotency_key="sync:archive")
            return self._results(module, results)
        if module == "invoices":
            elements = [
                {"InvoiceID": target, "Status": "VOIDED" if mode == "void" else "DELETED"} for _s, target, mode in items
            ]
            return self._results(module, self._save(module, elements, create_only=False, key="sync:invoices:delete"))
        results = []
        self._all.pop(ITEMS_READ, None)
        for _source_id, target_id, _mode in items:  # Items: DELETE /Items/{id}, one per call
            try:
                self.client.delete_item(target_id)
                results.append(WriteResult(ok=True, target_id=target_id))
                self._all.get(module, {}).pop(str(target_id), None)
                if module in self.indexes:
                    self.indexes[module].remove(str(target_id))
            except PermanentError as error:
                results.append(WriteResult(ok=False, target_id=target_id, error_code=error.code,
                                           error_message=error.provider_message or error.code))
        return results


# Modules whose written records Zoho completes with values the link's fingerprint covers (an invoice line's default
# Line_Tax and List_Price): read back after a write, in bulk. The others are fingerprinted from what was sent.
REREAD_AFTER_WRITE = {"invoices"}


class ZohoGateway(_IndexedGateway):
    side = "zoho"

    def __init__(self, client, fields: dict[str, list[str]], subforms: dict[str, set] | None = None, *,
                 indexes: dict | None = None):
        """`fields`: the Zoho field api_names to read per engine module (at most 50 each); `subforms`: those
        of them that are subforms (COQL cannot select them); `indexes`: as XeroGateway's."""
        self.client = client
        self.fields = fields
        self.subforms = subforms or {}
        self.lines = LineReader(client)
        self.indexed = indexes is not None
        self.indexes: dict[str, MatchIndex] = {
            module: self._new_index(module, rows) for module, rows in (indexes or {}).items() if indexed(module)}

    # -- the job's match index ---------------------------------------------------------------------------

    def _index_keys(self, module: str) -> tuple[str, ...]:
        keys = zoho_keys(module)
        readable = set(self._fields(module))
        return tuple(key for key in keys if key in ("id", spec(module).zoho_xero_id_field) or key in readable)

    def _new_index(self, module: str, rows=()) -> MatchIndex:
        return MatchIndex("id", self._index_keys(module), (), rows)

    def index(self, module: str) -> MatchIndex:
        """The module's match keys: one keyset COQL read (ordered by id, 2,000 a call), once."""
        if module not in self.indexes:
            keys = self._index_keys(module)
            zoho_module = spec(module).zoho_module
            rows, last = [], "0"
            while True:
                query = (f"select {', '.join(keys)} from {zoho_module} where id > {last} "
                         f"order by id asc limit {COQL_PAGE}")
                page = self.client.coql(query).get("data") or []
                rows.extend(page)
                if len(page) < COQL_PAGE:
                    break
                last = str(page[-1]["id"])
            self.indexes[module] = self._new_index(module, rows)
        return self.indexes[module]

    def forget(self) -> None:
        self.indexes.clear()

    def _remember(self, module: str, records: list[dict], results) -> None:
        """Keep what this job wrote in the module's index (its id from Zoho's answer, its keys as sent)."""
        if module not in self.indexes:
            return
        for record, result in zip(records, results, strict=False):
            if result.ok and result.target_id:
                self.indexes[module].add({**record, "id": result.target_id})

    def probe(self) -> None:
        """One cheap call that succeeds whenever Zoho CRM answers (raises the client's errors otherwise)."""
        self.client.get_org()

    def _fields(self, module: str) -> list[str]:
        return self.fields[module][:50]

    def header_fields(self, module: str) -> list[str]:
        """The fields of a list or ids read: without subforms; invoices with the totals the line check needs."""
        subforms = self.subforms.get(module, set()) | {"Invoiced_Items"}
        fields = [f for f in self.fields[module] if f not in subforms]
        if module == "invoices":
            fields = [f for f in fields if f not in ("Sub_Total", "Tax")][:48] + ["Sub_Total", "Tax"]
        return fields[:50]

    def seen(self, module: str, rows: list[dict]) -> None:
        """Records read elsewhere (a historical dry run's list): products give invoice lines their names."""
        if module == "products":
            self.lines.remember_products(rows)

    def with_lines(self, module: str, rows: list[dict]) -> list[dict]:
        """Rows of a list or ids read, invoices completed with their line items (sync.zoho_lines)."""
        if module != "invoices":
            if module == "products":
                self.lines.remember_products(rows)
            return rows
        return self.lines.complete(rows)

    def fetch(self, module: str, ids) -> dict[str, dict]:
        ids = [str(i) for i in ids if i]
        if not ids:
            return {}
        zoho_module = spec(module).zoho_module
        fields = self.header_fields(module) if module == "invoices" else self._fields(module)
        rows = self.with_lines(module, self.client.get_records_by_ids(zoho_module, ids, fields=fields))
        return {str(row["id"]): row for row in rows if row.get("id")}

    def read(self, module: str, ids=None, since=None, keep=None) -> list[dict]:
        """By ids, or everything changed since `since`; `keep(row)`: which listed rows to return (before their
        line items are read)."""
        if ids is not None:
            return list(self.fetch(module, ids).values())
        fields = self.header_fields(module) if module == "invoices" else self._fields(module)
        rows = list(self.client.iter_records(spec(module).zoho_module, fields, modified_since=since))
        return self.with_lines(module, [row for row in rows if keep is None or keep(row)])

    def deleted(self, module: str, since=None) -> dict[str, str]:
        """{id: deleted_time} of the module's records deleted (since `since`)."""
        rows = self.client.iter_deleted(spec(module).zoho_module, since=since)
        return {str(row["id"]): str(row.get("deleted_time") or "") for row in rows if row.get("id")}

    def candidates(self, module: str, lookups: list[dict]) -> list[dict]:
        if self.indexed and indexed(module):  # the records sharing a key with the batch, read by id
            ids = self.index(module).ids_for(lookups)
            return list(self.fetch(module, ids).values()) if ids else []
        module_spec = spec(module)
        keys = module_spec.zoho_match_fields  # what sync.engine.matching compares, as far as this Zoho reads them
        readable = set(self._fields(module))
        keys = tuple(key for key in keys if key == keys[0] or key in readable)
        values: dict[str, set] = {key: set() for key in keys}
        ids: set[str] = set()
        for lookup in lookups:
            for key in keys:
                if isinstance(lookup.get(key), str) and lookup[key]:
                    values[key].add(lookup[key])
            number = (lookup.get("__source") or {}).get("ContactNumber")
            if module == "accounts" and number and str(number).isdigit():
                ids.add(str(number))
        selectable = [f for f in self.header_fields(module) if f != "id"]  # COQL selects no subform
        columns = ", ".join(dict.fromkeys(["id", *selectable]))
        found: dict[str, dict] = {}
        # One query per 50 values of every key at once: `in` takes up to 50 values, and the criteria of one WHERE
        # (at most 25) combine with `or` (zoho.md §2 "COQL"), so the keys of a batch share their calls.
        ordered = {key: sorted(wanted) for key, wanted in values.items() if wanted}
        longest = max((len(wanted) for wanted in ordered.values()), default=0)
        for start in range(0, longest, COQL_IN):
            criteria = []
            for key, wanted in ordered.items():
                chunk = wanted[start : start + COQL_IN]
                if chunk:
                    criteria.append(f"({key} in ({', '.join(_coql_quote(v) for v in chunk)}))")
            where = criteria[-1]
            for criterion in reversed(criteria[:-1]):  # (A or (B or C)): brackets pair every two criteria
                where = f"({criterion} or {where})"
            query = f"select {columns} from {module_spec.zoho_module} where {where} limit 2000"
            for row in self.client.coql(query)["data"]:
                found[str(row["id"])] = row
        # A matched invoice is compared with the payload line by line (sync.engine.planner): without its line items
        # every match looked changed and was written again, which replaces Zoho's subform rows (new line ids) for
        # nothing. Its lines are read in bulk, as any invoice read is (sync.zoho_lines).
        rows = self.with_lines(module, list(found.values())) if module == "invoices" else list(found.values())
        if ids:
            rows = list({**{str(row["id"]): row for row in rows}, **self.fetch(module, sorted(ids))}.values())
        return rows

    def _results(self, results) -> list[WriteResult]:
        return [
            WriteResult(
                ok=result.ok,
                target_id=result.id,
                modified=str((result.details or {}).get("Modified_Time") or ""),
                error_code=result.code if not result.ok else "",
                error_message=result.message if not result.ok else "",
                response={"code": result.code, "message": result.message, "details": result.details},
            )
            for result in results
        ]

    def create(self, module, items):
        # Upsert on the field carrying the Xero id: a retry after a lost response updates, never duplicates.
        module_spec = spec(module)
        records = [_clean(payload) for _source_id, payload in items]
        results = self.client.upsert_records(
            module_spec.zoho_module, records, duplicate_check_fields=[module_spec.zoho_xero_id_field]
        )
        results = self._results(results)
        self._remember(module, records, results)
        return self._reread(module, results)

    def _reread(self, module, results: list[WriteResult]) -> list[WriteResult]:
        if module not in REREAD_AFTER_WRITE:
            return results
        ids = [result.target_id for result in results if result.ok and result.target_id]
        records = self.fetch(module, ids) if ids else {}
        for result in results:
            if result.ok:
                result.record = records.get(result.target_id)
                if result.record and result.record.get("Modified_Time"):
                    result.modified = str(result.record["Modified_Time"])
        return results

    def update(self, module, items):
        records = [{**_clean(payload), "id": target_id} for _source_id, target_id, payload in items]
        results = self._results(self.client.update_records(spec(module).zoho_module, records))
        self._remember(module, records, results)
        return self._reread(module, results)

    def delete(self, module, items):
        return self._results(self.client.delete_records(spec(module).zoho_module, [t for _s, t, _m in items]))
