"""Mapping services: the effective mapping of an organisation, saving and resetting it, the Zoho field cache,
export and import. Views and the sync engine call these; the provider clients are passed in."""

import copy

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tenancy import safe_json

from . import paths
from .catalogue import xero_module
from .defaults import MAPPING_VERSION, default_mapping
from .models import FieldMapping, MappingSettings, ZohoFieldCache
from .registry import DIRECTIONS, MAPPABLE_MODULES, get_module
from .transform import AUTOMATIC_TRANSFORMS, USER_TRANSFORMS, rules_of, zoho_paths
from .zoho_fields import normalise_fields, standard_fields

EXPORT_FORMAT = "syncportal.mappings"
# An export is a few levels deep and well under the form's 1 MB: deeper files are refused before parsing.
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_DEPTH = 16


# --- Zoho fields -------------------------------------------------------------------------------------------


def zoho_fields(organisation, module_key: str) -> list[dict]:
    """The organisation's Zoho fields of a module (from the last Refresh), else the standard fields."""
    module = get_module(module_key)
    cache = ZohoFieldCache.objects.filter(organisation=organisation, module=module.zoho_module).first()
    if cache is not None and cache.fields:
        return cache.fields
    return standard_fields(module.zoho_module, module.line_module, module.line_subform)


def zoho_fields_refreshed_at(organisation):
    return (
        ZohoFieldCache.objects.filter(organisation=organisation)
        .order_by("-refreshed_at")
        .values_list("refreshed_at", flat=True)
        .first()
    )


def refresh_zoho_fields(organisation, client) -> int:
    """Read every mapped module's fields (and its line-item subform's) from Zoho; returns how many were cached.

    ``client`` is a connections.providers.zoho.client.ZohoClient (anything with ``get_fields(module)``).
    Provider errors propagate (connections.exceptions.ProviderError) and leave the old cache untouched.
    """
    fetched = {}
    for key in MAPPABLE_MODULES:
        module = get_module(key)
        raw = client.get_fields(module.zoho_module)
        fields = normalise_fields(raw)
        # Only the line-item subform meets a Xero structure (LineItems); other subforms are not mapped.
        for field in list(fields):
            if field["kind"] == "subform" and field["api_name"] == module.line_subform:
                subform_module = field["subform_module"] or module.line_module
                fields += normalise_fields(
                    client.get_fields(subform_module), prefix=f"{module.line_subform}[]."
                )
        fetched[module.zoho_module] = fields
    with transaction.atomic():
        for zoho_module, fields in fetched.items():
            ZohoFieldCache.objects.update_or_create(
                organisation=organisation, module=zoho_module, defaults={"fields": fields}
            )
    return sum(len(fields) for fields in fetched.values())


# --- mappings ----------------------------------------------------------------------------------------------


def _available(rule, field_names) -> bool:
    for path in zoho_paths(rule):
        head, mark, tail = path.partition("[].")
        name = f"{head}[].{tail.split('.')[0]}" if mark else path.split(".")[0]
        if name != "id" and name not in field_names:
            return False
    return True


def effective_default(organisation, module_key: str, direction: str) -> dict:
    """The default mapping, without rules on Zoho fields this organisation does not have (e.g. Currency when
    Zoho multi-currency is off)."""
    mapping = default_mapping(module_key, direction)
    names = {field["api_name"] for field in zoho_fields(organisation, module_key)}
    mapping["rules"] = [rule for rule in mapping["rules"] if _available(rule, names)]
    return mapping


def saved_mapping(organisation, module_key: str, direction: str) -> FieldMapping | None:
    return FieldMapping.objects.filter(
        organisation=organisation, module=module_key, direction=direction
    ).first()


def get_mapping(organisation, module_key: str, direction: str) -> dict:
    """The mapping the sync uses: the saved one, else the defaults."""
    saved = saved_mapping(organisation, module_key, direction)
    if saved is not None:
        return {"version": saved.version, "rules": copy.deepcopy(saved.rules)}
    return effective_default(organisation, module_key, direction)


def is_customised(organisation, module_key: str, direction: str) -> bool:
    return saved_mapping(organisation, module_key, direction) is not None


def _audit(organisation, module_key, direction, message_key, user):
    """Mapping changes go to the audit log: who changed which mapping, so a change in sync results can be traced."""
    from audit.services import record

    record(
        organisation=organisation,
        module=module_key,
        action="update",
        status="success",
        direction=direction,
        trigger="system",
        message_key=message_key,
        message_params={"user": str(user) if user else "—"},
    )


def save_mapping(organisation, module_key: str, direction: str, rules: list[dict], user=None) -> FieldMapping:
    mapping, _created = FieldMapping.objects.update_or_create(
        organisation=organisation,
        module=module_key,
        direction=direction,
        defaults={"rules": rules, "version": MAPPING_VERSION, "updated_by": user},
    )
    _audit(organisation, module_key, direction, gettext_noop("Field mapping saved by %(user)s."), user)
    return mapping


def reset_mapping(organisation, module_key: str, direction: str, user=None) -> None:
    """Back to the defaults: the saved mapping is removed."""
    deleted, _rows = FieldMapping.objects.filter(
        organisation=organisation, module=module_key, direction=direction
    ).delete()
    if deleted:
        _audit(
            organisation,
            module_key,
            direction,
            gettext_noop("Field mapping reset to the defaults by %(user)s."),
            user,
        )


def tax_mode(organisation) -> str:
    settings_row = MappingSettings.objects.filter(organisation=organisation).first()
    return settings_row.tax_mode if settings_row else MappingSettings._meta.get_field("tax_mode").default


def set_tax_mode(organisation, mode: str) -> None:
    MappingSettings.objects.update_or_create(organisation=organisation, defaults={"tax_mode": mode})


# --- export and import -------------------------------------------------------------------------------------


def export_mappings(organisation, module: str | None = None, direction: str | None = None) -> dict:
    """Every module and direction (saved or default), with the tax mode, as versioned JSON; or only `module`
    (both directions, or only `direction`), without the tax mode, so importing it replaces only that mapping."""
    if module is not None and module not in MAPPABLE_MODULES:
        raise LookupError(module)
    if direction is not None and direction not in DIRECTIONS:
        raise LookupError(direction)
    data = {
        "format": EXPORT_FORMAT,
        "version": MAPPING_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    if module is None:
        data["tax_mode"] = tax_mode(organisation)
    data["mappings"] = [
        {
            "module": key,
            "direction": way,
            "customised": is_customised(organisation, key, way),
            "rules": get_mapping(organisation, key, way)["rules"],
        }
        for key in ((module,) if module else MAPPABLE_MODULES)
        for way in ((direction,) if direction else DIRECTIONS)
    ]
    return data


class ImportRefused(ValueError):
    """The uploaded file is not a mapping export this portal can read. ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _check_rule(rule, module_key, where):
    if not isinstance(rule, dict) or not isinstance(rule.get("xero"), str):
        raise ImportRefused(_('%(where)s: every rule needs a Xero field ("xero").') % {"where": where})
    if xero_module(get_module(module_key).xero_key).get(rule["xero"]) is None:
        raise ImportRefused(
            _("%(where)s: %(field)s is not a Xero field of this module.")
            % {"where": where, "field": rule["xero"]}
        )
    zoho = rule.get("zoho")
    if zoho is not None and not (
        isinstance(zoho, str) or (isinstance(zoho, list) and all(isinstance(z, str) for z in zoho))
    ):
        raise ImportRefused(
            _('%(where)s: "zoho" must be a field name or a list of field names.') % {"where": where}
        )
    for path in zoho_paths(rule) + ([rule["fallback"]] if rule.get("fallback") else []):
        try:
            paths.parse(path)
        except paths.PathError:
            raise ImportRefused(
                _("%(where)s: %(field)s is not a valid field name.") % {"where": where, "field": path}
            ) from None
    transform = rule.get("transform")
    if transform is not None:
        if (
            not isinstance(transform, dict)
            or transform.get("kind") not in USER_TRANSFORMS + AUTOMATIC_TRANSFORMS
        ):
            raise ImportRefused(_("%(where)s: unknown transform.") % {"where": where})
    allowed = {"xero", "zoho", "constant", "transform", "fallback"}
    if set(rule) - allowed:
        raise ImportRefused(
            _("%(where)s: unexpected keys %(keys)s.")
            % {"where": where, "keys": ", ".join(sorted(set(rule) - allowed))}
        )


def parse_import(raw: bytes | str) -> dict:
    """Check an uploaded export; returns it, or raises ImportRefused with a translated reason."""
    try:
        data = safe_json.loads(raw, max_bytes=IMPORT_MAX_BYTES, max_depth=IMPORT_MAX_DEPTH)
    except safe_json.JSONRefused as refused:
        if refused.reason == "not JSON":
            raise ImportRefused(_("The file is not JSON. Upload a file exported from this page.")) from None
        raise ImportRefused(_("The file is not a Sync Portal mapping export.")) from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportRefused(_("The file is not a Sync Portal mapping export."))
    if data.get("version") != MAPPING_VERSION:
        raise ImportRefused(
            _("The file has mapping format version %(found)s; this portal reads version %(expected)s.")
            % {"found": data.get("version"), "expected": MAPPING_VERSION}
        )
    mappings = data.get("mappings")
    if not isinstance(mappings, list):
        raise ImportRefused(_("The file has no mappings."))
    from .models import TaxMode

    if "tax_mode" in data and data["tax_mode"] not in TaxMode.values:
        raise ImportRefused(_("The tax mode %(mode)s is unknown.") % {"mode": data["tax_mode"]})
    for entry in mappings:
        if (
            not isinstance(entry, dict)
            or entry.get("module") not in MAPPABLE_MODULES
            or entry.get("direction") not in DIRECTIONS
        ):
            raise ImportRefused(_("The file names a module or direction this portal does not know."))
        where = f"{entry['module']} / {entry['direction']}"
        if not isinstance(entry.get("rules"), list):
            raise ImportRefused(_("%(where)s: the rules are missing.") % {"where": where})
        for rule in entry["rules"]:
            _check_rule(rule, entry["module"], where)
    return data


@transaction.atomic
def import_mappings(organisation, data: dict, user=None) -> int:
    """Replace the organisation's mappings with a checked export (see parse_import). Entries marked as not
    customised go back to the defaults. Returns how many mappings were saved."""
    saved = 0
    for entry in data["mappings"]:
        if entry.get("customised", True):
            save_mapping(organisation, entry["module"], entry["direction"], rules_of(entry), user)
            saved += 1
        else:
            reset_mapping(organisation, entry["module"], entry["direction"], user)
    if data.get("tax_mode"):
        set_tax_mode(organisation, data["tax_mode"])
    return saved
