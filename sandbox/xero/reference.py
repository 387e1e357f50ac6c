"""Accounts, TaxRates and Organisation (read-only reference data, created by the seed)."""

from .formats import ms_date
from .models import Account, Organisation, TaxRate

ACCOUNT_FIELDS = {"AccountID", "Code", "Name", "Type", "Status", "TaxType", "Class", "EnablePaymentsToAccount",
                  "SystemAccount", "BankAccountType", "CurrencyCode", "UpdatedDateUTC", "Description"}
TAX_FIELDS = {"Name", "TaxType", "Status", "ReportTaxType", "CanApplyToRevenue", "CanApplyToExpenses",
              "CanApplyToAssets", "CanApplyToEquity", "CanApplyToLiabilities", "DisplayTaxRate", "EffectiveRate"}


def serialize_account(account: Account) -> dict:
    out = {"AccountID": str(account.id), "Code": account.code, "Status": account.status}
    out.update(account.data)
    out["UpdatedDateUTC"] = ms_date(account.updated_at)
    return out


def serialize_tax_rate(rate: TaxRate) -> dict:
    out = {"TaxType": rate.tax_type, "Status": rate.status}
    out.update(rate.data)
    return out


def tax_rate_percent(rate: TaxRate):
    from decimal import Decimal

    return Decimal(str(rate.data.get("EffectiveRate", 0)))


# The currencies each region's demo organisation has enabled (Settings > Currencies): its base currency first.
# EUR in both demo organisations: the demo Zoho CRM (a German company) invoices in euros.
ENABLED_CURRENCIES = {"AU": ("AUD", "EUR", "NZD", "USD"), "GB": ("GBP", "EUR", "USD"), "NZ": ("NZD", "AUD", "USD")}
CURRENCY_NAMES = {"AUD": "Australian Dollar", "NZD": "New Zealand Dollar", "USD": "United States Dollar",
                  "GBP": "British Pound", "EUR": "Euro"}
CURRENCY_FIELDS = {"Code", "Description"}


def enabled_currencies(org: Organisation) -> list[str]:
    """The organisation's base currency and the others enabled for its region."""
    codes = [org.base_currency, *ENABLED_CURRENCIES.get(org.country_code, ())]
    return list(dict.fromkeys(code for code in codes if code))


def serialize_currency(code: str) -> dict:
    return {"Code": code, "Description": CURRENCY_NAMES.get(code, code)}


def serialize_organisation(org: Organisation) -> dict:
    region = {"AU": ("AUSTRALIA", "AUSEASTERNSTANDARDTIME", "Tax Exclusive"),
              "GB": ("UK", "GMTSTANDARDTIME", "Tax Exclusive"),
              "NZ": ("NZ", "NEWZEALANDSTANDARDTIME", "Tax Exclusive")}.get(org.country_code,
                                                                         ("GLOBAL", "UTC", "Tax Exclusive"))
    return {
        "OrganisationID": str(org.id),
        "APIKey": "",
        "Name": org.name,
        "LegalName": org.name,
        "PaysTax": True,
        "Version": org.version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": org.base_currency,
        "CountryCode": org.country_code,
        "IsDemoCompany": True,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 30 if org.country_code == "AU" else 31,
        "FinancialYearEndMonth": 6 if org.country_code == "AU" else 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY",
        "DefaultSalesTax": region[2],
        "DefaultPurchasesTax": region[2],
        "CreatedDateUTC": ms_date(org.created_at, offset=False),
        "OrganisationEntityType": "COMPANY",
        "Timezone": region[1],
        "ShortCode": org.short_code,
        "Edition": "BUSINESS",
        "Class": "PREMIUM",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
