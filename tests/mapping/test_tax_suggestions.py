"""Which Xero tax rate the tax page suggests when several share a percentage, and how it writes percentages."""

from decimal import Decimal

import pytest
from django.utils import translation

from mapping.taxes import suggest_tax_type
from mapping.templatetags.mapping_numbers import percent

# The revenue rates of Xero's demo organisations, in the order Xero lists them.
AUSTRALIA = [
    {"name": "BAS Excluded", "tax_type": "BASEXCLUDED", "rate": "0"},
    {"name": "GST Free Income", "tax_type": "EXEMPTOUTPUT", "rate": "0"},
    {"name": "GST on Income", "tax_type": "OUTPUT", "rate": "10"},
    {"name": "No GST", "tax_type": "NONE", "rate": "0"},
]
UNITED_KINGDOM = [
    {"name": "Exempt Income", "tax_type": "EXEMPTOUTPUT", "rate": "0"},
    {"name": "No VAT", "tax_type": "NONE", "rate": "0"},
    {"name": "20% (VAT on Income)", "tax_type": "OUTPUT2", "rate": "20"},
    {"name": "Zero Rated Income", "tax_type": "ZERORATEDOUTPUT", "rate": "0"},
]


def test_a_zero_rated_zoho_tax_becomes_gst_free_income_in_australia_not_bas_excluded():
    # BAS Excluded sales are left out of the Business Activity Statement: the wrong first guess for a sale.
    assert suggest_tax_type(Decimal("0.0000"), AUSTRALIA, "Zero Rated") == "EXEMPTOUTPUT"


def test_a_zero_rated_zoho_tax_becomes_zero_rated_income_in_the_uk_not_exempt_income():
    assert suggest_tax_type(0, UNITED_KINGDOM, "Zero Rated") == "ZERORATEDOUTPUT"


def test_a_named_match_wins_over_the_sales_rule_and_the_percentage_still_decides():
    assert suggest_tax_type(0, AUSTRALIA, "No GST") == "NONE"
    assert suggest_tax_type(0, AUSTRALIA, "BAS excluded sales") == "BASEXCLUDED"
    assert suggest_tax_type(10, AUSTRALIA, "Zero Rated") == "OUTPUT"  # the name never overrides the percentage
    assert suggest_tax_type(12.5, AUSTRALIA, "GST") is None
    assert suggest_tax_type(None, AUSTRALIA, "GST") is None


def test_without_a_name_the_sales_rate_is_suggested():
    assert suggest_tax_type(0, AUSTRALIA) == "EXEMPTOUTPUT"


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [("en", Decimal("12.5000"), "12.5"), ("en", Decimal("10.0000"), "10"), ("en", Decimal("0.0000"), "0"),
     ("de", Decimal("12.5000"), "12,5"), ("fr", Decimal("7.2500"), "7,25"), ("en", None, "?")],
)
def test_a_percentage_is_written_with_the_decimals_it_has_in_the_readers_language(language, value, written):
    with translation.override(language):
        assert percent(value) == written
