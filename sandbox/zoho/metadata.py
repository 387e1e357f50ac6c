"""Metadata bodies: /settings/fields, /settings/modules, /org, /org/taxes and /users (zoho.md §3)."""

from .models import Tax, User
from .schema import MODULE_IDS, MODULES, SINGULAR, SUBFORM_MODULE, field_id, fields_of
from .timefmt import fmt

LAYOUT = {"api_name": "Standard", "name": "Standard", "id": "4876876000000091055"}


def _picklist(values, *, prefix):
    return [{"colour_code": None, "actual_value": value, "type": "used", "id": f"{prefix}{index:03d}",
             "sequence_number": index + 1, "display_value": value, "reference_value": value}
            for index, value in enumerate(values)]


def field_body(module: str, field, org) -> dict:
    fid = field_id(module, field.api_name)
    picklist = []
    if field.data_type == "picklist":
        picklist = _picklist(field.picklist, prefix=fid[:-3])
    elif field.data_type == "multiselectpicklist":
        picklist = [{"colour_code": None, "actual_value": tax.name, "type": "used", "id": str(tax.zid),
                     "sequence_number": tax.sequence_number, "display_value": tax.display_label,
                     "reference_value": tax.name} for tax in Tax.objects.filter(org=org)]
    lookup = None
    if field.data_type == "lookup":
        lookup = {"display_label": field.label, "api_name": field.api_name, "id": fid,
                  "module": {"api_name": field.lookup, "id": MODULE_IDS[field.lookup]},
                  "query_details": {}, "revalidate_filter_during_edit": False, "show_fields": []}
    subform = {"module": SUBFORM_MODULE, "id": MODULE_IDS[SUBFORM_MODULE]} if field.data_type == "subform" else None
    editable = not field.read_only
    # A subform field names its subform module (Minified_Module: api_name, id); other fields have none.
    associated = {"api_name": SUBFORM_MODULE, "id": MODULE_IDS[SUBFORM_MODULE], "module": SUBFORM_MODULE} \
        if field.data_type == "subform" else None
    return {
        "associated_module": associated, "data_type": field.data_type,
        "operation_type": {"web_update": editable, "api_create": editable, "web_create": editable,
                           "api_update": editable},
        "system_mandatory": field.mandatory, "webhook": True, "sequence_number": 1, "default_value": None,
        "blueprint_supported": False, "virtual_field": False, "field_read_only": field.read_only,
        "customizable_properties": [], "read_only": field.read_only, "custom_field": field.custom,
        "businesscard_supported": False, "filterable": True, "visible": True, "available_in_user_layout": True,
        "display_field": field.api_name in ("Account_Name", "Full_Name", "Product_Name", "Subject"),
        "pick_list_values_sorted_lexically": False, "sortable": field.data_type != "subform",
        "layout_associations": [LAYOUT], "separator": False, "searchable": True, "enable_colour_code": False,
        "mass_update": editable, "json_type": field.json_type, "created_source": "user" if field.custom else "default",
        "type": "used", "display_label": field.label, "column_name": None, "api_name": field.api_name,
        "display_type": -1, "ui_type": 1, "colour_code_enabled_by_system": False, "length": field.max_length,
        "decimal_place": field.decimal_place, "quick_sequence_number": "1",
        "email_parser": {"fields_update_supported": False, "record_operations_supported": False},
        "rollup_summary": None, "refer_from_field": None, "created_time": None, "modified_time": None,
        "show_type": 7, "category": 0, "id": fid, "multi_module_lookup": None, "sharing_properties": None,
        "currency": {"rounding_option": "normal", "precision": 2} if field.data_type == "currency" else None,
        "file_upolad_optionlist": [], "lookup": lookup, "profiles": [
            {"name": "Administrator", "id": "4876876000000026011", "permission_type": "read_write"}],
        "view_type": {"view": True, "edit": editable, "quick_create": field.mandatory, "create": editable},
        "unique": {"casesensitive": "false"} if field.unique else None, "sub_module": None, "subform": subform,
        "external": {"show": True, "type": "user", "allow_multiple_config": False} if field.external else None,
        "formula": None, "convert_mapping": {}, "multiselectlookup": None,
        "multiuserlookup": None, "autonumber": None, "auto_number": None, "pick_list_values": picklist,
        "crypt": None, "tooltip": None, "history_tracking": None, "association_details": None,
        "allowed_modules": [], "additional_column": None, "field_label": field.label, "common.picklist": None,
        "hipaa_compliance_enabled": False, "hipaa_compliance": None, "_update_existing_records": False,
        "number_separator": False, "textarea": {"type": "large"} if field.data_type == "textarea" else None,
        "static_field": False, "private": None,
    }


def fields_body(module: str, org, kind: str = "all") -> dict:
    fields = fields_of(module)
    if kind == "unused":
        fields = []
    return {"fields": [field_body(module, field, org) for field in fields]}


def module_body(module: str, org) -> dict:
    if module == SUBFORM_MODULE:
        return subform_module_body(org)
    return {
        "has_more_profiles": False, "sub_menu_available": False, "common.search_supported": True,
        "deletable": True, "description": None, "creatable": True, "recycle_bin_on_delete": True,
        "inventory_template_supported": module == "Invoices", "modified_time": fmt(org.created_time, "UTC"),
        "plural_label": module, "presence_sub_menu": False, "triggers_supported": True,
        "id": MODULE_IDS[module], "chart_view": False, "isBlueprintSupported": True, "visibility": 1,
        "visible": True, "convertable": False, "editable": True, "emailTemplate_support": True,
        "email_parser_supported": False, "filter_supported": True, "show_as_tab": True, "web_link": None,
        "sequence_number": MODULES.index(module) + 2, "singular_label": SINGULAR[module], "viewable": True,
        "api_supported": True, "api_name": module, "quick_create": True, "generated_type": "default",
        "feeds_required": False, "scoring_supported": False, "webform_supported": module != "Invoices",
        "arguments": [], "module_name": module, "chart_view_supported": True, "profile_count": 1,
        "business_card_field_limit": 5, "track_current_data": False, "modified_by": None,
        "profiles": [{"name": "Administrator", "id": "4876876000000026011"}], "parent_module": None,
        "activity_badge": "Disabled", "$field_states": [], "business_card_fields": [], "per_page": 200,
        "$properties": [], "$on_demand_properties": [], "search_layout_fields": [],
        "kanban_view_supported": False, "lookup_field_properties": {"fields": []}, "kanban_view": False,
        "related_lists": [], "filter_status": True,
        "related_list_properties": {"sort_by": None, "fields": [], "sort_order": None}, "display_field": None,
        "layouts": [], "fields": [], "custom_view": None, "zia_view": False, "default_mapping_fields": [],
        "layout_associations": [LAYOUT],
    }


def subform_module_body(org) -> dict:
    """The line-item subform as /settings/modules/Invoiced_Items describes it: a module of its own with a
    `parent_module`, read through its parent's scope, not creatable on its own."""
    body = module_body("Invoices", org)
    body.update({
        "api_name": SUBFORM_MODULE, "module_name": SUBFORM_MODULE, "id": MODULE_IDS[SUBFORM_MODULE],
        # modules.json's generated_type has no "subform" value; the line-item subform ships with Zoho: "default"
        "plural_label": "Invoiced Items", "singular_label": "Invoiced Item", "generated_type": "default",
        "activity_badge": "Disabled",
        "creatable": False, "editable": False, "deletable": False, "show_as_tab": False, "visible": False,
        "quick_create": False, "webform_supported": False, "inventory_template_supported": False,
        "triggers_supported": False, "recycle_bin_on_delete": False,
        "parent_module": {"api_name": "Invoices", "id": MODULE_IDS["Invoices"]},
        "sequence_number": len(MODULES) + 2,
    })
    return body


def modules_body(org) -> dict:
    return {"modules": [module_body(module, org) for module in MODULES]}


def org_body(org) -> dict:
    admin = User.objects.filter(org=org).order_by("zid").first()
    return {"org": [{
        "country": org.country, "photo_id": None, "city": None, "description": None, "mc_status": True,
        "gapps_enabled": False, "translation_enabled": True, "street": None, "domain_name": f"org{org.zid}",
        "alias": None, "currency": org.currency, "id": str(org.zid), "state": None, "fax": None, "zip": None,
        "employee_count": "25", "website": org.website, "currency_symbol": {"EUR": "€", "GBP": "£"}.get(
            org.currency, "$"), "mobile": None, "currency_locale": "de_DE" if org.currency == "EUR" else "en_US",
        "primary_zuid": str(admin.zid) if admin else None, "zia_portal_id": None, "time_zone": org.time_zone,
        "zgid": str(org.zid + 1), "country_code": org.country_code, "deletable_org_account": False,
        "license_details": {"paid_expiry": None, "users_license_purchased": 10, "trial_type": None,
                            "trial_expiry": None, "paid": True, "paid_type": org.edition.lower(),
                            "trial_action": None},
        "hierarchy_preferences": {"type": "Role_Hierarchy", "strictly_reporting": False}, "phone": org.phone,
        "company_name": org.company_name, "privacy_settings": False,
        "primary_email": admin.email if admin else None, "iso_code": org.currency,
        "hipaa_compliance_enabled": False, "lite_users_enabled": False, "max_per_page": 200,
        "ezgid": str(org.zid + 1), "call_icon": None, "oauth_presence": True, "zia_zgid": 0,
        "checkin_preferences": {"restricted_event_types": None}, "type": "Production",
        "created_time": fmt(org.created_time, org.time_zone)}]}


def taxes_body(org) -> dict:
    """GET /org/taxes in v8: `{"org_taxes": {"taxes": [...], "preference": {...}}}` (the v8 SDKs' ResponseWrapper;
    versions up to v2.1 answered `{"taxes": [...], "preference": ...}` at the top level)."""
    return {"org_taxes": {
        "taxes": [{"id": str(tax.zid), "name": tax.name, "display_label": tax.display_label,
                   "value": float(tax.value), "sequence_number": tax.sequence_number}
                  for tax in Tax.objects.filter(org=org)],
        "preference": {"auto_populate_tax": True, "modify_tax_rates": False}}}


def user_body(user: User) -> dict:
    return {
        "country": user.org.country_code, "language": user.language, "id": str(user.zid), "state": None,
        "fax": None, "country_locale": user.locale, "zip": None,
        "created_time": fmt(user.created_time, user.time_zone), "time_format": "HH:mm", "offset": 3600000,
        "profile": {"name": user.profile, "id": "4876876000000026011"},
        "role": {"name": user.role, "id": "4876876000000026005"},
        "full_name": user.full_name, "zuid": str(user.zid + 7), "phone": None, "dob": None, "status": user.status,
        "city": None, "signature": None, "sort_order_preference__s": "First Name,Last Name", "category": "regular_user",
        "date_format": "MMM d, yyyy", "confirm": True, "decimal_separator": "Period", "number_separator": "Space",
        "time_zone": user.time_zone, "last_name": user.last_name, "mobile": None, "Currency": user.org.currency,
        "Modified_Time": fmt(user.created_time, user.time_zone), "website": None, "status_reason__s": None,
        "email": user.email, "first_name": user.first_name, "sandboxDeveloper": False, "alias": None,
        "street": None, "Isonline": False, "locale": user.locale, "name_format__s": "Salutation,First Name,Last Name",
        "personal_account": False, "default_tab_group": "0", "sort_order_preference": "First Name,Last Name",
    }


