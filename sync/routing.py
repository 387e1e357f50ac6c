"""Routing of new Zoho CRM records to the Xero organisations of a portal organisation (Zoho -> Xero creates).

Each Xero organisation has a rule (`ZohoRouting`, set on its Settings page; without a row: "records created in
Zoho CRM"):
- `zoho_records` (default, safe): a new Zoho record goes to this organisation unless it came from another Xero
  organisation (the portal created it in Zoho from that organisation's record: that organisation owns it). An
  invoice also stays away when its account came from another organisation and is not linked here.
- `all`: every new Zoho record, including those that came from other Xero organisations (one ledger that mirrors
  everything).
- `field`: only accounts whose chosen Zoho field has the chosen value (a "Xero Organisation" picklist, the billing
  country), and invoices of accounts linked to this organisation (not those that came from another
  organisation's ledger); products as `zoho_records`.
- `none`: nothing new; linked records are still kept up to date.
Whatever the rule, the Zoho product chosen for Xero lines without an item (Mapping › Xero Accounts) is not created
as a Xero item: it stands in for "no item" (a Xero item of its code or name is still linked).
A rule only decides creates: a record already linked to this organisation keeps syncing, and a Zoho record that
matches an existing Xero record (`engine.matching`) is linked rather than created, whatever the rule.
"""

from collections.abc import Callable

from mapping.taxes import line_products

from .engine.modules import ZOHO, spec
from .models import LinkState, RecordLink, RoutingMode, ZohoRouting


def rule_of(xero_organisation) -> ZohoRouting:
    rule = ZohoRouting.objects.filter(xero_organisation=xero_organisation).first()
    if rule is None:
        rule = ZohoRouting(xero_organisation=xero_organisation, organisation_id=xero_organisation.organisation_id)
    return rule


def owned_elsewhere(xero_organisation, module: str, zoho_ids) -> set[str]:
    """Those of `zoho_ids` that the portal created in Zoho from another Xero organisation of the tenant."""
    ids = {str(i) for i in zoho_ids if i}
    if not ids:
        return set()
    return set(
        RecordLink.objects.filter(organisation_id=xero_organisation.organisation_id, module=module,
                                  zoho_id__in=ids, created_side=ZOHO)
        .exclude(xero_organisation=xero_organisation).values_list("zoho_id", flat=True)
    )


def _lookup_id(value) -> str:
    return str(value.get("id") or "") if isinstance(value, dict) else ""


def field_matches(record: dict, field: str, wanted: str) -> bool:
    value = record.get(field)
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    values = value if isinstance(value, list) else [value]
    wanted = str(wanted or "").strip().casefold()
    return bool(wanted) and any(str(v or "").strip().casefold() == wanted for v in values)


def router(context, module: str, sources: list[dict]) -> Callable[[dict], bool] | None:
    """The `Policy.route` of one batch: whether this organisation takes each new Zoho record. None: all."""
    xero_organisation = context.xero_organisation
    rule = rule_of(xero_organisation)
    module_spec = spec(module)
    if module_spec.line_items:  # the stand-in for lines without an item is no Xero item (Mapping › Xero Accounts)
        excluded = stand_ins(xero_organisation)
        takes = _router(xero_organisation, rule, module_spec, context, module, sources)
        if excluded:
            return lambda record: str(record.get("id")) not in excluded and (takes is None or takes(record))
        return takes
    return _router(xero_organisation, rule, module_spec, context, module, sources)


def stand_ins(xero_organisation) -> set[str]:
    """Ids of the Zoho products chosen for Xero lines without an item: stand-ins for "no item", never Xero items."""
    return {str(product["id"]) for product in line_products(xero_organisation).values()}


def _router(xero_organisation, rule, module_spec, context, module: str, sources: list[dict]):
    if rule.mode == RoutingMode.ALL or not module_spec.routed:
        return None  # contact persons follow their account (they need its Xero contact)
    if rule.mode == RoutingMode.NONE:
        return lambda record: False
    ids = [str(record.get("id")) for record in sources]
    foreign = owned_elsewhere(xero_organisation, module, ids)
    if module_spec.routed_by_field and rule.mode == RoutingMode.FIELD:
        return lambda record: field_matches(record, rule.zoho_field, rule.value)
    if not module_spec.routed_with_parent:
        return lambda record: str(record.get("id")) not in foreign
    parents, lookup = context.links(module_spec.zoho_parent), module_spec.zoho_parent_field  # invoices: accounts

    def linked_here(parent_id: str) -> bool:
        link = parents.get(ZOHO, parent_id)
        return link is not None and link.state == LinkState.LINKED

    if rule.mode == RoutingMode.FIELD:
        return lambda record: str(record.get("id")) not in foreign and linked_here(_lookup_id(record.get(lookup)))
    parent_ids = {_lookup_id(record.get(lookup)) for record in sources}
    foreign_parents = owned_elsewhere(xero_organisation, module_spec.zoho_parent, parent_ids)

    def takes(record: dict) -> bool:
        parent_id = _lookup_id(record.get(lookup))
        if str(record.get("id")) in foreign:
            return False
        return linked_here(parent_id) or parent_id not in foreign_parents

    return takes


def routing_field(xero_organisation) -> str:
    """The Zoho account field the rule reads ("" when none): the engine reads it with the accounts."""
    rule = ZohoRouting.objects.filter(xero_organisation=xero_organisation, mode=RoutingMode.FIELD).first()
    return rule.zoho_field if rule is not None else ""
