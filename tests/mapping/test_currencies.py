"""The invoice currency check reads the Xero organisation's enabled currencies (GET /Currencies)."""

import pytest

from connections.exceptions import PermanentError
from mapping import taxes
from mapping.models import XeroCurrency
from mapping.problems import ERROR, WARNING
from mapping.record_checks import validate_record
from mapping.registry import ZOHO_TO_XERO
from mapping.services import default_mapping
from tests.connections.factories import XeroOrganisationFactory

pytestmark = pytest.mark.django_db


class FakeXero:
    def __init__(self, currencies=None, refuse=False):
        self.currencies, self.refuse = currencies or [], refuse

    def get_tax_rates(self):
        return []

    def get_accounts(self):
        return []

    def get_organisation(self):
        return {"BaseCurrency": "AUD"}

    def get_currencies(self):
        if self.refuse:
            raise PermanentError("NotFound", "not here", status=404, provider="xero")
        return [{"Code": code, "Description": code} for code in self.currencies]


@pytest.fixture
def xero_organisation(organisation):
    return XeroOrganisationFactory(organisation=organisation, tenant_name="Demo Company (AU)")


def _problems(organisation, xero_organisation, currency):
    invoice = {"id": "1", "Invoice_Number": "INV-7", "Currency": currency}
    mapping = default_mapping("invoices", ZOHO_TO_XERO)
    context = taxes.tax_context(organisation, xero_organisation)
    return [p for p in validate_record("invoices", invoice, mapping, taxes=context) if p.code == "currency_not_enabled"]


def test_a_currency_listed_by_get_currencies_is_accepted(organisation, xero_organisation):
    taxes.refresh_xero_reference(xero_organisation, FakeXero(["AUD", "NZD", "USD"]))
    assert set(XeroCurrency.objects.values_list("code", flat=True)) == {"AUD", "NZD", "USD"}
    assert _problems(organisation, xero_organisation, "USD") == []
    assert _problems(organisation, xero_organisation, "AUD") == []


def test_a_currency_the_organisation_does_not_have_is_refused_with_a_clear_message(organisation, xero_organisation):
    taxes.refresh_xero_reference(xero_organisation, FakeXero(["AUD", "NZD", "USD"]))
    [problem] = _problems(organisation, xero_organisation, "EUR")
    assert problem.severity == ERROR
    assert "The invoice INV-7 is in EUR" in problem.message and "Enable EUR in Xero" in problem.message
    assert all(code in problem.message for code in ("AUD", "NZD", "USD"))


def test_an_organisation_with_only_its_base_currency_enabled_still_refuses_others(organisation, xero_organisation):
    taxes.refresh_xero_reference(xero_organisation, FakeXero(["AUD"]))
    [problem] = _problems(organisation, xero_organisation, "USD")
    assert problem.severity == ERROR


def test_when_get_currencies_is_refused_only_the_base_is_known_and_others_only_warn(organisation, xero_organisation):
    taxes.refresh_xero_reference(xero_organisation, FakeXero(refuse=True))
    assert list(XeroCurrency.objects.values_list("code", flat=True)) == ["AUD"]
    [problem] = _problems(organisation, xero_organisation, "USD")
    assert problem.severity == WARNING
