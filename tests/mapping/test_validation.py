"""Acceptance 2 and the other checks: each problem says what to fix."""

from decimal import Decimal

from django.utils import translation

from mapping.defaults import default_mapping
from mapping.validation import (
    WARNING,
    TaxContext,
    validate_for_sync,
    validate_mapping,
    validate_payload,
    validate_record,
)
from tests.mapping import records as r

Z2X, X2Z = "zoho_to_xero", "xero_to_zoho"
AU_RATES = {
    "OUTPUT": {
        "name": "GST on Income",
        "rate": Decimal("10.0000"),
        "status": "ACTIVE",
        "can_apply_to_revenue": True,
    },
    "EXEMPTOUTPUT": {
        "name": "GST Free Income",
        "rate": Decimal("0"),
        "status": "ACTIVE",
        "can_apply_to_revenue": True,
    },
    "INPUT": {
        "name": "GST on Expenses",
        "rate": Decimal("10"),
        "status": "ACTIVE",
        "can_apply_to_revenue": False,
    },
}


def context(**changes):
    values = {
        "mode": "Exclusive",
        "zoho_taxes": r.ZOHO_TAXES,
        "xero_rates": AU_RATES,
        "mappings": {"GST": "OUTPUT", "Zero": "EXEMPTOUTPUT"},
    }
    values.update(changes)
    return TaxContext(**values)


def without(module, direction, *xero_paths):
    mapping = default_mapping(module, direction)
    mapping["rules"] = [rule for rule in mapping["rules"] if rule["xero"] not in xero_paths]
    return mapping


def codes(problems):
    return [problem.code for problem in problems]


def test_the_default_mappings_pass_every_check():
    for module in ("accounts", "contacts", "products", "invoices"):
        for direction in (Z2X, X2Z):
            assert (
                validate_for_sync(module, direction, default_mapping(module, direction), taxes=context())
                == []
            ), (module, direction)


def test_an_unmapped_tax_field_is_reported_with_what_to_map():
    problems = validate_for_sync(
        "invoices", Z2X, without("invoices", Z2X, "LineItems[].TaxType"), taxes=context()
    )
    assert codes(problems) == ["tax_field_unmapped"]
    assert problems[0].message == (
        "The tax rate is not mapped: map the Zoho field Invoiced_Items[].Line_Tax to the Xero field "
        "LineItems[].TaxType, or set the invoice tax mode to No tax."
    )
    products = validate_for_sync(
        "products", Z2X, without("products", Z2X, "SalesDetails.TaxType"), taxes=context()
    )
    assert codes(products) == ["tax_field_unmapped"]
    assert (
        validate_for_sync(
            "invoices", Z2X, without("invoices", Z2X, "LineItems[].TaxType"), taxes=context(mode="NoTax")
        )
        == []
    )


def test_a_zoho_tax_mapped_to_a_xero_rate_of_another_percentage_is_reported():
    problems = validate_for_sync(
        "invoices",
        Z2X,
        default_mapping("invoices", Z2X),
        taxes=context(mappings={"GST": "EXEMPTOUTPUT", "Zero": "EXEMPTOUTPUT"}),
    )
    assert codes(problems) == ["tax_rate_mismatch"]
    assert problems[0].message == (
        "The Zoho tax GST is 10 % but its Xero tax rate EXEMPTOUTPUT is 0 %. Choose a Xero tax rate of the same percentage."
    )


def test_a_zoho_tax_without_a_xero_rate_or_with_a_purchase_rate_is_reported():
    unmapped = validate_for_sync(
        "invoices", Z2X, default_mapping("invoices", Z2X), taxes=context(mappings={"GST": "OUTPUT"})
    )
    assert codes(unmapped) == ["tax_unmapped"] and unmapped[0].severity == WARNING
    assert "The Zoho tax Zero (0 %) has no Xero tax rate." in unmapped[0].message
    purchase = validate_for_sync(
        "invoices",
        Z2X,
        default_mapping("invoices", Z2X),
        taxes=context(mappings={"GST": "INPUT", "Zero": "EXEMPTOUTPUT"}),
    )
    assert codes(purchase) == ["tax_type_unknown"]


def test_line_rates_that_differ_from_xeros_under_tax_exclusive_amounts_are_reported():
    invoice = {
        **r.ZOHO_INVOICE,
        "Invoiced_Items": [
            {
                **r.ZOHO_INVOICE["Invoiced_Items"][0],
                "Line_Tax": [{"name": "GST", "percentage": 12.5, "value": 6.13}],
            }
        ],
    }
    problems = validate_record("invoices", invoice, default_mapping("invoices", Z2X), taxes=context())
    assert codes(problems) == ["exclusive_rate_mismatch"]
    assert problems[0].message == (
        "Line 1 of invoice INV-000042 charges the Zoho tax GST at 12.5 %, but with tax-exclusive amounts Xero "
        "applies OUTPUT at 10 %, so the totals would differ. Correct the line's tax in Zoho CRM or the tax mapping."
    )
    # Under tax-inclusive amounts Xero derives the tax from the total, so the rate check does not apply.
    assert (
        validate_record(
            "invoices", invoice, default_mapping("invoices", Z2X), taxes=context(mode="Inclusive")
        )
        == []
    )
    assert (
        validate_record("invoices", r.ZOHO_INVOICE, default_mapping("invoices", Z2X), taxes=context()) == []
    )


def test_a_product_with_an_empty_product_code_is_refused_and_named():
    product = {**r.ZOHO_PRODUCT, "Product_Code": ""}
    problems = validate_record("products", product, default_mapping("products", Z2X), taxes=context())
    assert codes(problems) == ["empty_product_code"]
    assert problems[0].message == (
        "The product Red Stapler has no Product_Code, which becomes the Xero Item Code. Enter it in Zoho CRM: "
        "the product was not sent to Xero."
    )
    assert (
        validate_record("products", {**product, "Product_Code": None}, default_mapping("products", Z2X))[
            0
        ].code
        == "empty_product_code"
    )
    assert (
        validate_record("products", r.ZOHO_PRODUCT, default_mapping("products", Z2X), taxes=context()) == []
    )


def test_the_messages_are_translated_when_a_translation_exists():
    problem = validate_record(
        "products", {**r.ZOHO_PRODUCT, "Product_Code": ""}, default_mapping("products", Z2X)
    )[0]
    with translation.override("de"):
        german = problem.message
    assert "Red Stapler" in german and "Product_Code" in german  # placeholders filled in any language


def test_the_mandatory_xero_fields_must_be_mapped():
    assert codes(validate_mapping("accounts", Z2X, without("accounts", Z2X, "Name"))) == [
        "mandatory_unmapped"
    ]
    assert codes(validate_mapping("products", Z2X, without("products", Z2X, "Code"))) == [
        "mandatory_unmapped"
    ]
    assert codes(validate_mapping("invoices", Z2X, without("invoices", Z2X, "Contact.ContactID"))) == [
        "mandatory_unmapped"
    ]
    lines = [
        rule["xero"]
        for rule in default_mapping("invoices", Z2X)["rules"]
        if rule["xero"].startswith("LineItems[]")
    ]
    problems = validate_mapping("invoices", Z2X, without("invoices", Z2X, *lines))
    assert codes(problems) == ["lines_unmapped"]
    assert "Xero requires LineItems" in problems[0].message


def test_a_constant_counts_as_mapped():
    mapping = without("accounts", Z2X, "Name")
    mapping["rules"].append({"xero": "Name", "constant": "Walk-in customer"})
    assert validate_mapping("accounts", Z2X, mapping) == []


def test_zoho_mandatory_fields_must_be_filled_when_writing_to_zoho():
    mapping = default_mapping("invoices", X2Z)
    mapping["rules"] = [rule for rule in mapping["rules"] if rule.get("zoho") != "Subject"]
    problems = validate_mapping("invoices", X2Z, mapping)
    assert codes(problems) == ["zoho_mandatory_unmapped"] and "Subject" in problems[0].message


def test_type_mismatches_unknown_fields_and_read_only_targets_are_reported():
    mapping = {
        "rules": [
            {"xero": "SalesDetails.UnitPrice", "zoho": "Product_Name"},
            {"xero": "Code", "zoho": "Product_Code"},
        ]
    }
    assert codes(validate_mapping("products", Z2X, mapping)) == ["type_mismatch"]
    assert codes(
        validate_mapping(
            "accounts",
            Z2X,
            {
                "rules": [
                    {"xero": "Nickname", "zoho": "Account_Name"},
                    {"xero": "Name", "zoho": "Account_Name"},
                ]
            },
        )
    ) == ["unknown_xero_field"]
    assert "read_only_target" in codes(
        validate_mapping(
            "accounts",
            Z2X,
            {"rules": [{"xero": "Name", "zoho": "Account_Name"}, {"xero": "Website", "zoho": "Website"}]},
        )
    )
    wrong_status = {
        "xero": "Status",
        "zoho": "Status",
        "transform": {"kind": "value_table", "table": {"Created": "OPEN"}},
    }
    invoice_rules = without("invoices", Z2X, "Status")["rules"] + [wrong_status]
    problems = validate_mapping("invoices", Z2X, invoice_rules)
    assert codes(problems) == ["bad_value"] and "OPEN" in problems[0].message


def test_a_field_missing_from_the_organisations_zoho_is_a_warning_when_reading_and_an_error_when_writing():
    fields = [{"api_name": "Account_Name", "label": "Account Name", "kind": "text", "mandatory": True}]
    reading = validate_mapping(
        "accounts",
        Z2X,
        {"rules": [{"xero": "Name", "zoho": "Account_Name"}, {"xero": "AccountNumber", "zoho": "Gone"}]},
        fields,
    )
    assert codes(reading) == ["unknown_zoho_field"] and reading[0].severity == WARNING
    writing = validate_mapping(
        "accounts",
        X2Z,
        {"rules": [{"xero": "Name", "zoho": "Account_Name"}, {"xero": "AccountNumber", "zoho": "Gone"}]},
        fields,
    )
    assert codes(writing) == ["unknown_zoho_field"] and writing[0].severity == "error"


def test_a_payload_missing_mandatory_values_or_too_long_is_reported():
    problems = validate_payload("products", {"Name": "x" * 51}, record_label="Red Stapler")
    assert codes(problems) == ["missing_value", "too_long"]
    assert problems[0].message == ("Red Stapler has no value for Item code, which Xero requires. Fill it in Zoho "
                                   "CRM, or map a field to it under Mapping, then resync.")
    assert codes(validate_payload("invoices", {"Contact": {"ContactID": "c"}})) == ["missing_value"]
