"""Property: under the default mappings, every field mapped both ways survives Zoho -> Xero -> Zoho.

The round-trippable fields are derived from the defaults (a Zoho -> Xero rule and a Xero -> Zoho rule on the same
Xero field and the same single Zoho field), so a new default pair is covered automatically. Value tables are
tested on the values they translate both ways (Zoho "Delivered" and "Approved" both become AUTHORISED).
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping import catalogue
from mapping.defaults import default_mapping
from mapping.registry import MAPPABLE_MODULES, get_module
from mapping.transform import DictResolver, to_xero, to_zoho, zoho_paths

Z2X, X2Z = "zoho_to_xero", "xero_to_zoho"
TAXES = {"GST": {"percentage": 10.0, "id": "t-1"}, "VAT": {"percentage": 20.0, "id": "t-2"}}
TAX_TYPES = {"GST": "OUTPUT", "VAT": "OUTPUT2"}
PRODUCT_LINKS = {f"p-{n}": f"CODE-{n}" for n in range(5)}
ACCOUNT_LINKS = {f"a-{n}": f"xc-{n}" for n in range(5)}


def round_trip_pairs(module):
    """(zoho path, xero path, z2x rule) for every field mapped the same way in both directions."""
    back = {}
    for rule in default_mapping(module, X2Z)["rules"]:
        back.setdefault(rule["xero"], rule)
    pairs = []
    for rule in default_mapping(module, Z2X)["rules"]:
        sources = zoho_paths(rule)
        reverse = back.get(rule["xero"])
        if reverse is None or rule.get("constant") or not sources:
            continue
        if zoho_paths(reverse)[: len(sources)] != sources:
            continue
        kind = (rule.get("transform") or {}).get("kind")
        if kind in ("join", "truncate"):  # lossy by nature: not expected to come back unchanged
            continue
        pairs.append((sources[0], rule["xero"], rule, reverse))
    return pairs


def _text(max_length):
    return st.text(
        st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=min(max_length or 60, 60)
    )


def value_strategy(module, rule, reverse):
    field = get_module(module).xero.get(rule["xero"])
    kind = (rule.get("transform") or {}).get("kind")
    if kind == "lookup":
        links = PRODUCT_LINKS if rule["xero"].startswith("LineItems") else ACCOUNT_LINKS
        return st.sampled_from(sorted(links)).map(lambda zoho_id: {"id": zoho_id})
    if kind == "tax":
        shape = rule["transform"].get("zoho_shape")
        if shape == "product_tax":
            return st.sampled_from(sorted(TAXES)).map(lambda name: [{"value": name, "id": TAXES[name]["id"]}])
        return st.sampled_from(sorted(TAXES)).map(
            lambda name: [{"name": name, "percentage": TAXES[name]["percentage"], "id": TAXES[name]["id"]}]
        )
    if kind == "value_table":
        there = rule["transform"]["table"]
        back = reverse["transform"]["table"]
        return st.sampled_from(sorted(value for value, xero in there.items() if back.get(xero) == value))
    if kind == "address_lines":  # a trailing line break has no address line to live in
        return _text(field.max_length).filter(lambda value: not value.endswith("\n"))
    if field.type == catalogue.NUMBER:
        return st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(float)
    if field.type == catalogue.DATE:
        return st.dates().map(lambda day: day.isoformat())
    if field.type == catalogue.BOOLEAN:
        return st.booleans()
    return _text(field.max_length)


def record_strategy(module):
    pairs = round_trip_pairs(module)
    header = {
        zoho: value_strategy(module, rule, reverse) for zoho, _, rule, reverse in pairs if "[]." not in zoho
    }
    line = {
        zoho.split("[].", 1)[1]: value_strategy(module, rule, reverse)
        for zoho, _, rule, reverse in pairs
        if "[]." in zoho
    }

    def optional(strategies):
        return st.fixed_dictionaries({}, optional=strategies)

    record = optional(header)
    subform = get_module(module).line_subform
    if line:
        record = st.tuples(record, st.lists(optional(line).filter(bool), min_size=1, max_size=3)).map(
            lambda parts: {**parts[0], subform: parts[1]}
        )
    return record


def resolver():
    return DictResolver(
        links={"Accounts": ACCOUNT_LINKS, "Contacts": {}, "Products": PRODUCT_LINKS},
        tax_types=TAX_TYPES,
        zoho_taxes=TAXES,
        default_accounts={"invoices": "200", "products": "200"},
    )


def normal(value):
    if isinstance(value, dict) and "id" in value and set(value) <= {"id", "name"}:
        return value["id"]
    if isinstance(value, list):
        return [normal({k: v for k, v in item.items()}) if isinstance(item, dict) else item for item in value]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return value


def _check_round_trip(module, record):
    xero = to_xero(module, default_mapping(module, Z2X), record, resolver())
    back = to_zoho(module, default_mapping(module, X2Z), xero, resolver())
    subform = get_module(module).line_subform
    for key, value in record.items():
        if key == subform:
            assert len(back[subform]) == len(value)
            for sent, got in zip(value, back[subform], strict=True):
                for line_key, line_value in sent.items():
                    assert normal(got.get(line_key)) == normal(line_value), (line_key, sent, got)
        else:
            assert normal(back.get(key)) == normal(value), (key, record, xero, back)


def test_every_module_has_fields_mapped_both_ways():
    for module in MAPPABLE_MODULES:
        assert len(round_trip_pairs(module)) >= 3, module


@pytest.mark.parametrize("module", MAPPABLE_MODULES)
def test_mapped_fields_survive_a_zoho_to_xero_to_zoho_round_trip(module):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(record_strategy(module))
    def check(record):
        _check_round_trip(module, record)

    check()
