"""Everything the engine needs for one Xero organisation, built from the database: gateways around the
clients, the mapping transforms with a resolver over record links, policies from the settings, and the link
store and audit sink that buffer their writes until the batch's checkpoint commits them."""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from audit.services import build as audit_build
from audit.services import record_many as audit_record_many
from connections import services as connection_services
from connections.providers.xero.client import XeroClient
from connections.providers.zoho.client import ZohoClient
from mapping import services as mapping_services
from mapping import transform as mapping_transform
from mapping.taxes import OrganisationResolver

from . import bulk, failures, labels, match_index, routing, settings_services
from .engine import invoice_rules, messages
from .engine.modules import MODULES, XERO_TO_ZOHO, ZOHO_TO_XERO, spec
from .engine.operations import Link, LinkIndex, Policy, TransformError, Transforms
from .gateways import XeroGateway, ZohoGateway
from .models import LinkState, RecordLink

logger = logging.getLogger(__name__)

LINK_FIELDS = (
    "zoho_fingerprint", "xero_fingerprint", "zoho_modified_at", "xero_modified_at", "state", "xero_code", "name",
    "matched_by", "created_side",
)
ZOHO_MODULES = {key: module_spec.zoho_module for key, module_spec in MODULES.items()}
ENGINE_MODULE = {value: key for key, value in ZOHO_MODULES.items()}
SYSTEM_FIELDS = ("Modified_Time",)
DEPENDENCY_LABELS = {"accounts": messages.ACCOUNT, "products": messages.PRODUCT, "contacts": messages.CONTACT}


def _link_values(fields: dict) -> dict:
    return {key: fields[key] for key in fields if key in LINK_FIELDS or key == "last_direction"}


def _link(row: RecordLink) -> Link:
    return Link(
        zoho_id=row.zoho_id, xero_id=row.xero_id, pk=row.pk, **{field: getattr(row, field) for field in LINK_FIELDS}
    )


class SyncContext:
    def __init__(self, xero_organisation, *, trigger: str = "system", resync_of=None):
        self.xero_organisation = xero_organisation
        self.organisation = xero_organisation.organisation
        self.trigger, self.resync_of = trigger, resync_of
        self._indexes: dict[str, LinkIndex] = {}
        self._xero = self._zoho = None
        self._currencies = "unknown"
        self._resolver = None
        self.pending_links: list[tuple[str, Link, dict]] = []
        self.pending_audit: list[dict] = []
        self.lock_generations: dict[str, int] = {}  # runs.module_lock: what this context last saw of each lock
        self._job_indexes: dict[str, dict] | None = None  # a job's match indexes (use_job_state), per side
        # A dry run's refusals so far ({(module, source id): (message key, params)}): what the job's audit log will
        # hold when it meets the records that need them (`_transform_error`)
        self.planned_failures: dict[tuple[str, str], tuple[str, dict]] = {}

    # -- a job's state (sync.match_index) ------------------------------------------------------------------

    def use_job_state(self, state: dict | None) -> None:
        """Match with one slim index per module, read once per job: `state` is what `job_state()` returned
        for an earlier slice of the same job ({} for a new job), so nothing it holds is read again."""
        state = state or {}
        rows = match_index.load(state.get("index"))
        self._job_indexes = {side: {module: r for (s, module), r in rows.items() if s == side}
                             for side in ("xero", "zoho")}
        self.lock_generations.update(state.get("generations") or {})
        for side, gateway in (("xero", self._xero), ("zoho", self._zoho)):  # already made: from now on
            if gateway is not None and hasattr(gateway, "use_indexes"):
                gateway.use_indexes(self._job_indexes[side])
        if "currencies" in state and self._currencies == "unknown":
            currencies = state["currencies"]
            self._currencies = frozenset(currencies) if currencies is not None else None

    def job_state(self) -> dict:
        """What to keep with the job: its match indexes, the module locks' generations they reflect (a write by
        another run makes the next chunk read them again) and the reference data read."""
        index = {}
        for side, gateway in (("xero", self._xero), ("zoho", self._zoho)):
            if gateway is not None and gateway.indexed:
                index[side] = {module: idx.dump() for module, idx in gateway.indexes.items()}
            elif self._job_indexes and self._job_indexes.get(side):
                index[side] = self._job_indexes[side]
        state = {"index": index, "generations": dict(self.lock_generations)}
        if self._currencies != "unknown":
            state["currencies"] = sorted(self._currencies) if self._currencies is not None else None
        return state

    def _indexes_of(self, side: str):
        return None if self._job_indexes is None else self._job_indexes.get(side, {})

    # -- providers -----------------------------------------------------------------------------------------

    @property
    def xero(self) -> XeroGateway:
        if self._xero is None:
            self._xero = XeroGateway(XeroClient(self.xero_organisation), indexes=self._indexes_of("xero"))
        return self._xero

    @property
    def zoho(self) -> ZohoGateway:
        if self._zoho is None:
            connection = connection_services.zoho_connection(self.organisation)
            if connection is None:
                raise LookupError("Zoho CRM is not connected")
            self._zoho = ZohoGateway(
                ZohoClient(connection),
                {m: self.zoho_fields(m) for m in ZOHO_MODULES},
                {m: self.zoho_subforms(m) for m in ZOHO_MODULES},
                indexes=self._indexes_of("zoho"),
            )
        return self._zoho

    def gateway(self, side: str):
        return self.xero if side == "xero" else self.zoho

    def zoho_fields(self, module: str) -> list[str]:
        """The Zoho fields to read: what the mappings use (both directions) plus what the engine needs."""
        module_spec = spec(module)
        known = {field["api_name"] for field in mapping_services.zoho_fields(self.organisation, module)}
        # (a contact's parent lookup, its account, decides whether it becomes a contact person)
        wanted = ["id", module_spec.zoho_name_field, module_spec.zoho_xero_id_field, module_spec.zoho_parent_field]
        wanted = [name for name in wanted if name] + list(SYSTEM_FIELDS)
        if module == "accounts":
            from .routing import routing_field

            wanted += [name for name in [routing_field(self.xero_organisation)] if name]
        for direction in (ZOHO_TO_XERO, XERO_TO_ZOHO):
            for rule in mapping_transform.rules_of(self.mapping(module, direction)):
                for path in mapping_transform.zoho_paths(rule):
                    wanted.append(path.split("[]")[0].split(".")[0])
        fields = [name for name in dict.fromkeys(wanted) if name == "id" or not known or name in known]
        return fields[:50]

    def zoho_subforms(self, module: str) -> set:
        return {
            field["api_name"]
            for field in mapping_services.zoho_fields(self.organisation, module)
            if field.get("kind") == "subform" or field.get("data_type") == "subform"
        }

    # -- mapping -------------------------------------------------------------------------------------------

    def mapping(self, module: str, direction: str) -> dict:
        return mapping_services.get_mapping(self.organisation, module, direction)

    def resolver(self):
        if self._resolver is None:
            self._resolver = OrganisationResolver(
                self.organisation, self.xero_organisation, to_xero_link=self._to_xero_link, to_zoho_link=self._to_zoho_link
            )
        return self._resolver

    def _to_xero_link(self, zoho_module, zoho_id):
        module = ENGINE_MODULE.get(zoho_module)
        if module not in ("accounts", "products"):
            return None
        link = self.links(module).get("zoho", str(zoho_id))
        if link is None or link.state != LinkState.LINKED:
            return None
        return link.xero_code or None if module == "products" else link.xero_id

    def _to_zoho_link(self, zoho_module, reference):
        module = ENGINE_MODULE.get(zoho_module)
        if module == "accounts":
            link = self.links(module).get("xero", str(reference))
            return link.zoho_id if link is not None and link.state == LinkState.LINKED else None
        if module == "products":
            link = self.links(module).linked_by_code(str(reference))
            return link.zoho_id if link is not None else None
        return None

    def transforms(self, module: str) -> Transforms:
        to_xero_mapping = self.mapping(module, ZOHO_TO_XERO)
        to_zoho_mapping = self.mapping(module, XERO_TO_ZOHO)
        today = timezone.localdate()
        status_values = self._zoho_picklist(module, "Status")

        def to_xero(record):
            try:
                return mapping_transform.to_xero(module, to_xero_mapping, record, self.resolver())
            except mapping_transform.MappingError as error:
                raise self._transform_error(error, ZOHO_TO_XERO) from None

        def to_zoho(record):
            try:
                payload = mapping_transform.to_zoho(module, to_zoho_mapping, record, self.resolver())
            except mapping_transform.MappingError as error:
                raise self._transform_error(error, XERO_TO_ZOHO) from None
            if module == "invoices" and "Status" in payload:  # the mapping syncs the status back
                status = invoice_rules.zoho_status(record, today, status_values)
                if status:
                    payload["Status"] = status
            return payload

        return Transforms(to_xero, to_zoho)

    def _transform_error(self, error, direction: str) -> TransformError:
        """The transform's whole message; for a record that points to another one that failed to sync (an invoice's
        product), the invoice waits for it and says why, instead of "not in Xero yet"."""
        dependency = ENGINE_MODULE.get(str(error.params.get("module") or ""))
        zoho_id = str(error.params.get("zoho_id") or "")
        if dependency and zoho_id:
            failure = self.planned_failures.get((dependency, zoho_id)) or failures.last_failure(
                self.xero_organisation, dependency, direction, zoho_id)
            if failure is not None:
                key, params = failure
                return TransformError(str(error), messages.WAITS_FOR_DEPENDENCY, {
                    "dependency": DEPENDENCY_LABELS.get(dependency, dependency),
                    "name": str(error.params.get("record") or zoho_id),
                    "target": "Xero" if direction == ZOHO_TO_XERO else "Zoho CRM",
                    # the record it waits for: linked from the audit detail page (its entry, its Zoho page)
                    "dependency_module": dependency, "dependency_id": zoho_id,
                    **failures.as_reason(key, params)})
        return TransformError(str(error), error.message_key, error.params)

    def _zoho_picklist(self, module, field_name):
        for field in mapping_services.zoho_fields(self.organisation, module):
            if field.get("api_name") == field_name:
                # the field catalogue keeps a picklist's values as "picklist" (mapping.zoho_fields); Zoho's raw
                # field metadata calls them "pick_list_values"
                values = list(field.get("picklist") or []) or [
                    v.get("actual_value") or v.get("display_value") for v in field.get("pick_list_values") or []]
                return set(filter(None, values)) or None
        return None

    # -- settings ------------------------------------------------------------------------------------------

    def module_settings(self, module: str):
        return settings_services.module_settings(self.xero_organisation, module)

    def policy(self, module: str, direction: str) -> Policy:
        settings = self.module_settings(module)
        # A historical job is the admin's explicit say-so for its modules and direction: for a module that has not
        # started syncing in that direction yet (everything starts off), the job creates and updates.
        explicit = self.trigger == "historical" and not settings.started(direction)
        policy = Policy(
            create=explicit or settings.allows(direction, "create"),
            update=explicit or settings.allows(direction, "update"),
            delete=settings.allows(direction, "delete"),
            delete_since=settings.delete_on_since(direction),
            conflict=settings.conflict_policy,
            organisation_name=self.xero_organisation.tenant_name,
            today=timezone.localdate(),
        )
        if module == "invoices" and direction == ZOHO_TO_XERO:
            policy.enabled_currencies = self.enabled_currencies()
        if direction == XERO_TO_ZOHO:
            policy.zoho_fields = self.zoho_field_checks(module)
            policy.owned_elsewhere = partial(routing.owned_elsewhere, self.xero_organisation, module)
        return policy

    def zoho_field_checks(self, module: str) -> dict:
        """The module's Zoho field metadata the planner checks Zoho-bound payloads against (zoho_checks), read
        once per context."""
        cache = self.__dict__.setdefault("_zoho_field_checks", {})
        if module not in cache:
            cache[module] = {
                field["api_name"]: {key: field.get(key) for key in ("label", "mandatory", "length", "read_only")}
                for field in mapping_services.zoho_fields(self.organisation, module)}
        return cache[module]

    def enabled_currencies(self):
        if self._currencies == "unknown":
            self._currencies = self.xero.enabled_currencies()
        return self._currencies

    # -- links ---------------------------------------------------------------------------------------------

    def links(self, module: str) -> LinkIndex:
        if module not in self._indexes:
            rows = RecordLink.objects.filter(xero_organisation=self.xero_organisation, module=module)
            self._indexes[module] = LinkIndex(_link(row) for row in rows)
        return self._indexes[module]

    def store(self, module: str) -> "BufferedLinks":
        return BufferedLinks(self, module)

    def audit(self) -> "BufferedAudit":
        return BufferedAudit(self)

    def commit(self) -> None:
        """Write the buffered links and audit entries (call inside the checkpoint's transaction): a few bulk
        statements per chunk, never one per record (CONVENTIONS)."""
        now = timezone.now()
        self._commit_links(now)
        entries = failures.fold_repeats(self.xero_organisation, self.pending_audit, now=now)
        audit_record_many([audit_build(organisation=self.organisation, **entry) for entry in entries])
        self.discard()

    def _commit_links(self, now) -> None:
        merged: dict[int, tuple[str, Link, dict]] = {}  # a link changed twice in a chunk is written once
        for module, link, fields in self.pending_links:
            _module, _link, before = merged.get(id(link), (module, link, {}))
            merged[id(link)] = (module, link, {**before, **fields})
        new = [(module, link, fields) for module, link, fields in merged.values() if link.pk is None]
        for module in {module for module, _link, _fields in new}:  # rows another run wrote meanwhile
            wanted = [link for m, link, _fields in new if m == module]
            known = dict(RecordLink.objects.filter(xero_organisation=self.xero_organisation, module=module,
                                                   zoho_id__in=[link.zoho_id for link in wanted])
                         .values_list("zoho_id", "pk"))
            for link in wanted:
                link.pk = known.get(link.zoho_id)
        created = [(module, link, fields) for module, link, fields in new if link.pk is None]
        rows = RecordLink.objects.bulk_create([
            RecordLink(organisation=self.organisation, xero_organisation=self.xero_organisation, module=module,
                       zoho_id=link.zoho_id, xero_id=link.xero_id, last_synced_at=now, **_link_values(fields))
            for module, link, fields in created], batch_size=500)
        for (_module, link, _fields), row in zip(created, rows, strict=True):
            link.pk = row.pk
        if created and any(link.pk is None for _m, link, _f in created):  # a database that returns no ids
            self.forget_links()
        groups: dict[tuple, list[tuple]] = {}  # one UPDATE per set of fields changed
        inserted = {id(link) for _module, link, _fields in created}
        for _module, link, fields in merged.values():
            if id(link) in inserted:
                continue
            values = {"zoho_id": link.zoho_id, "xero_id": link.xero_id, **_link_values(fields)}
            names = tuple(sorted(values))
            groups.setdefault(names, []).append((link.pk, *(values[name] for name in names)))
        for names, rows in groups.items():
            bulk.update_rows(RecordLink, rows, list(names), same={"last_synced_at": now})

    def discard(self) -> None:
        self.pending_links, self.pending_audit = [], []

    def refresh(self) -> None:
        """Another run wrote to this module meanwhile: reload links and the gateways' cached reads."""
        self.forget_links()
        if self._job_indexes is not None:
            self._job_indexes = {"xero": {}, "zoho": {}}
        for gateway in (self._xero, self._zoho):
            if gateway is not None and hasattr(gateway, "forget"):
                gateway.forget()
            elif gateway is not None and hasattr(gateway, "_all"):
                gateway._all.clear()

    def forget_links(self) -> None:
        """After a failed checkpoint the in-memory links may be ahead of the database: reload them."""
        self._indexes.clear()


class BufferedLinks:
    def __init__(self, context: SyncContext, module: str):
        self.context, self.module = context, module

    def save_link(self, operation, fields):
        index = self.context.links(self.module)
        link = index.by_zoho.get(fields["zoho_id"]) or index.by_xero.get(fields["xero_id"])
        if link is None:
            link = Link(zoho_id=fields["zoho_id"], xero_id=fields["xero_id"])
        index.by_zoho.pop(link.zoho_id, None)
        index.by_xero.pop(link.xero_id, None)
        for key, value in fields.items():
            setattr(link, key, value)
        index.add(link)
        self.context.pending_links.append((self.module, link, fields))

    def change_link(self, operation, fields):
        link = operation.link
        if link is None:
            return
        for key, value in fields.items():
            if hasattr(link, key):
                setattr(link, key, value)
        self.context.pending_links.append((self.module, link, fields))


class BufferedAudit:
    def __init__(self, context: SyncContext):
        self.context = context

    def record(self, operation):
        if operation.status == "failed":  # the field by its label, never an API name or path
            labels.label_params(operation, lambda: self.context.zoho_field_checks(operation.module))
        values = operation.payload if operation.status == "success" or operation.action != "skip" else None
        if operation.losing_values is not None:
            values = {"written": values, "losing_values": operation.losing_values}
        zoho_id = operation.source_id if operation.direction == ZOHO_TO_XERO else operation.target_id
        xero_id = operation.target_id if operation.direction == ZOHO_TO_XERO else operation.source_id
        # A contact person's id is "<ContactID>:<key>" (sync.engine.persons): the Xero record is the contact.
        xero_id = str(xero_id or "").split(":", 1)[0]
        self.context.pending_audit.append(
            {
                "module": operation.module,
                "action": operation.action,
                "status": operation.status,
                "message_key": operation.message_key,
                "message_params": {k: v for k, v in operation.params.items() if isinstance(v, str | int | float)},
                "xero_tenant_id": self.context.xero_organisation.tenant_id,
                "xero_tenant_name": self.context.xero_organisation.tenant_name,
                "record_name": (operation.name or "")[:255],
                "zoho_id": zoho_id or "",
                "xero_id": xero_id or "",
                "direction": operation.direction,
                "trigger": self.context.trigger,
                "provider_error_code": (operation.error_code or "")[:100],
                "provider_error": operation.error_message or "",
                "values_written": values,
                "provider_response": operation.response,
                "resync_of": self.context.resync_of,
            }
        )


def checkpoint(context: SyncContext, extra=None) -> None:
    """Commit buffered links and audit entries together with `extra()` (item states), atomically."""
    try:
        with transaction.atomic():
            context.commit()
            if extra is not None:
                extra()
    except Exception:
        context.discard()
        context.refresh()  # the links, and the gateways' reads that assumed this batch's writes were linked
        raise
