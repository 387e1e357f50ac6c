"""Realistic Xero data: two organisations (AU and UK) with charts of accounts, tax rates, a sandbox user,
contacts, items and invoices of mixed statuses. `seed(contacts=..., items=..., invoices=...)` per organisation."""

import datetime
import random
import uuid

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sandbox import clock

from . import contacts as contact_rules
from . import invoices as invoice_rules
from . import items as item_rules
from . import payments as payment_rules
from .models import Account, Contact, Invoice, Item, Organisation, TaxRate, XeroUser
from .records import Invalid

USER_EMAIL, USER_PASSWORD = "demo@xero.sandbox", "sandbox"


def _rate(name, tax_type, report, percent, *, revenue, expenses, component="GST"):
    return {"Name": name, "TaxType": tax_type, "ReportTaxType": report, "CanApplyToAssets": True,
            "CanApplyToEquity": True, "CanApplyToExpenses": expenses, "CanApplyToLiabilities": True,
            "CanApplyToRevenue": revenue, "DisplayTaxRate": percent, "EffectiveRate": percent,
            "Status": "ACTIVE",
            "TaxComponents": [{"Name": component, "Rate": percent, "IsCompound": False, "IsNonRecoverable": False}]}


ORGANISATIONS = [
    {
        "id": uuid.UUID("0b6e5e3c-7f0a-4b6f-9a55-5c3a2d1e0a01"), "name": "Demo Company (AU)", "short_code": "!AU01",
        "country_code": "AU", "base_currency": "AUD", "version": "AU", "timezone": "AUSEASTERNSTANDARDTIME",
        "tax_rates": [
            _rate("GST on Income", "OUTPUT", "OUTPUT", 10.0, revenue=True, expenses=False),
            _rate("GST on Expenses", "INPUT", "INPUT", 10.0, revenue=False, expenses=True),
            _rate("GST Free Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", 0.0, revenue=True, expenses=False),
            _rate("GST Free Expenses", "EXEMPTEXPENSES", "EXEMPTEXPENSES", 0.0, revenue=False, expenses=True),
            _rate("BAS Excluded", "BASEXCLUDED", "BASEXCLUDED", 0.0, revenue=True, expenses=True),
            _rate("GST on Imports", "GSTONIMPORTS", "GSTONIMPORTS", 0.0, revenue=False, expenses=False),
            _rate("No GST", "NONE", "NONE", 0.0, revenue=True, expenses=True),
            # Custom rates (Settings > Tax rates > New), so every tax of the demo Zoho CRM has a rate of its
            # percentage: Xero numbers a custom rate's TaxType TAX001, TAX002, ...
            _rate("NZ GST 15%", "TAX001", "OUTPUT", 15.0, revenue=True, expenses=False),
            _rate("VAT 20%", "TAX002", "OUTPUT", 20.0, revenue=True, expenses=False, component="VAT"),
        ],
        "sales_tax": "OUTPUT", "free_tax": "EXEMPTOUTPUT", "purchase_tax": "INPUT",
        "cities": [("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000"),
                   ("Perth", "WA", "6000"), ("Adelaide", "SA", "5000")],
        "country": "Australia", "phone_country": "61",
    },
    {
        "id": uuid.UUID("0b6e5e3c-7f0a-4b6f-9a55-5c3a2d1e0b02"), "name": "Demo Company (UK)", "short_code": "!UK02",
        "country_code": "GB", "base_currency": "GBP", "version": "UK", "timezone": "GMTSTANDARDTIME",
        "tax_rates": [
            _rate("20% (VAT on Income)", "OUTPUT2", "OUTPUT", 20.0, revenue=True, expenses=False, component="VAT"),
            _rate("20% (VAT on Expenses)", "INPUT2", "INPUT", 20.0, revenue=False, expenses=True, component="VAT"),
            _rate("5% (VAT on Income)", "RROUTPUT", "OUTPUT", 5.0, revenue=True, expenses=False, component="VAT"),
            _rate("Zero Rated Income", "ZERORATEDOUTPUT", "ZERORATEDOUTPUT", 0.0, revenue=True, expenses=False,
                  component="VAT"),
            _rate("Zero Rated Expenses", "ZERORATEDINPUT", "ZERORATEDINPUT", 0.0, revenue=False, expenses=True,
                  component="VAT"),
            _rate("Exempt Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", 0.0, revenue=True, expenses=False, component="VAT"),
            _rate("No VAT", "NONE", "NONE", 0.0, revenue=True, expenses=True, component="VAT"),
            _rate("GST 10%", "TAX001", "OUTPUT", 10.0, revenue=True, expenses=False),  # custom rates, as above
            _rate("NZ GST 15%", "TAX002", "OUTPUT", 15.0, revenue=True, expenses=False),
        ],
        "sales_tax": "OUTPUT2", "free_tax": "ZERORATEDOUTPUT", "purchase_tax": "INPUT2",
        "cities": [("London", "", "EC1A 1BB"), ("Manchester", "", "M1 1AE"), ("Bristol", "", "BS1 4DJ"),
                   ("Leeds", "", "LS1 1UR"), ("Edinburgh", "", "EH1 1YZ")],
        "country": "United Kingdom", "phone_country": "44",
    },
]

ACCOUNTS = [  # code, name, type, class, tax ("sales"/"purchase"/"none"), extra
    ("090", "Business Bank Account", "BANK", "ASSET", "none", {"BankAccountType": "BANK", "BankAccountNumber": "062-000 1234 5678"}),
    ("091", "Business Savings Account", "BANK", "ASSET", "none", {"BankAccountType": "BANK", "BankAccountNumber": "062-000 8765 4321"}),
    ("120", "Accounts Receivable", "CURRENT", "ASSET", "none", {"SystemAccount": "DEBTORS"}),
    ("200", "Sales", "REVENUE", "REVENUE", "sales", {}),
    ("260", "Other Revenue", "REVENUE", "REVENUE", "sales", {}),
    ("270", "Interest Income", "REVENUE", "REVENUE", "free", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "purchase", {}),
    ("400", "Advertising", "EXPENSE", "EXPENSE", "purchase", {}),
    ("404", "Bank Fees", "EXPENSE", "EXPENSE", "none", {}),
    ("429", "General Expenses", "EXPENSE", "EXPENSE", "purchase", {}),
    ("610", "Accounts Receivable (alt)", "CURRENT", "ASSET", "none", {"EnablePaymentsToAccount": True}),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "none", {"SystemAccount": "CREDITORS"}),
    ("820", "Sales Tax", "CURRLIAB", "LIABILITY", "none", {"SystemAccount": "GST"}),
    ("960", "Retained Earnings", "EQUITY", "EQUITY", "none", {"SystemAccount": "RETAINEDEARNINGS"}),
]

COMPANY_WORDS = ["Acme", "Bayside", "Northwind", "Summit", "Harbour", "Redgum", "Bluewave", "Ironbark",
                 "Silverline", "Kestrel", "Maple", "Orchid", "Pioneer", "Quantum", "Riverside", "Sterling"]
COMPANY_KINDS = ["Traders", "Consulting", "Logistics", "Design Studio", "Engineering", "Foods", "Partners",
                 "Hardware", "Media", "Health"]
FIRST_NAMES = ["Olivia", "Jack", "Amelia", "Noah", "Charlotte", "William", "Isla", "Oliver", "Mia", "Thomas"]
LAST_NAMES = ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Patel", "Evans", "Walker"]
# Named unlike the demo Zoho CRM's products, so the two catalogues meet without matching by name.
PRODUCTS = [("Project management hour", 150), ("Website design", 2400), ("Support plan (monthly)", 99.5),
            ("Workshop day", 1200), ("Hosting (annual)", 480), ("Monitor arm", 59.95), ("USB-C cable", 19.99),
            ("Ergonomic chair", 349), ("Desk lamp", 899), ("Monitor 27\"", 429.9), ("Keyboard", 89.99),
            ("Installation", 250)]


def ensure_reference_data() -> list[Organisation]:
    """Organisations, accounts, tax rates and the sandbox user (idempotent)."""
    now = clock.now()
    organisations = []
    for spec in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(pk=spec["id"], defaults={
            "name": spec["name"], "short_code": spec["short_code"], "country_code": spec["country_code"],
            "base_currency": spec["base_currency"], "version": spec["version"], "timezone": spec["timezone"],
            "created_at": now})
        organisations.append(org)
        for rate in spec["tax_rates"]:
            if not TaxRate.objects.filter(organisation=org, tax_type=rate["TaxType"]).exists():
                data = {k: v for k, v in rate.items() if k not in ("TaxType", "Status")}
                TaxRate.objects.create(organisation=org, tax_type=rate["TaxType"], data=data, updated_at=now)
        taxes = {"sales": spec["sales_tax"], "purchase": spec["purchase_tax"], "free": spec["free_tax"],
                 "none": "BASEXCLUDED" if spec["country_code"] == "AU" else "NONE"}
        for code, name, account_type, account_class, tax, extra in ACCOUNTS:
            if not Account.objects.filter(organisation=org, code=code).exists():
                data = {"Name": name, "Type": account_type, "Class": account_class, "TaxType": taxes[tax],
                        "EnablePaymentsToAccount": False, "ShowInExpenseClaims": account_class == "EXPENSE",
                        "CurrencyCode": spec["base_currency"], "ReportingCode": "", "HasAttachments": False,
                        "AddToWatchlist": False, **extra}
                Account.objects.create(organisation=org, code=code, data=data, updated_at=now)
    user, created = XeroUser.objects.get_or_create(email=USER_EMAIL, defaults={
        "first_name": "Demo", "last_name": "User", "password": make_password(USER_PASSWORD)})
    user.organisations.add(*organisations)
    return organisations


def _spec(org):
    return next(s for s in ORGANISATIONS if s["id"] == org.pk)


def seed(contacts: int = 12, items: int = 8, invoices: int = 10, rng_seed: int = 7) -> str:
    """Seed both organisations. Returns a summary."""
    rng = random.Random(rng_seed)
    with transaction.atomic(using="sandbox"):
        organisations = ensure_reference_data()
        for org in organisations:
            _seed_org(org, _spec(org), rng, contacts, items, invoices)
    return (f"{len(organisations)} organisations with {contacts} contacts, {items} items and {invoices} invoices "
            f"each; sign in as {USER_EMAIL} / {USER_PASSWORD}")


def _seed_org(org, spec, rng, contact_count, item_count, invoice_count):
    events = []
    start = Contact.objects.filter(organisation=org).count()
    for index in range(start, start + contact_count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = f"{COMPANY_WORDS[index % len(COMPANY_WORDS)]} {COMPANY_KINDS[(index // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]}"
        if index >= len(COMPANY_WORDS) * len(COMPANY_KINDS):
            company = f"{company} {index}"
        city, region, postcode = rng.choice(spec["cities"])
        element = {
            "Name": company, "FirstName": first, "LastName": last,
            "EmailAddress": f"{first.lower()}.{last.lower()}@{company.split()[0].lower()}.example",
            "Addresses": [{"AddressType": "STREET", "AddressLine1": f"{rng.randint(1, 250)} {rng.choice(['King', 'Queen', 'George', 'High', 'Market'])} Street",
                           "City": city, "Region": region, "PostalCode": postcode, "Country": spec["country"]}],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneCountryCode": spec["phone_country"],
                        "PhoneAreaCode": str(rng.randint(2, 9)), "PhoneNumber": f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"}],
            "ContactPersons": [{"FirstName": rng.choice(FIRST_NAMES), "LastName": rng.choice(LAST_NAMES),
                                "EmailAddress": f"accounts{index}@{company.split()[0].lower()}.example",
                                "IncludeInEmails": True}],
        }
        if index % 4 == 0:
            element["ContactNumber"] = f"CUST-{index + 1:04d}"
        try:
            contact_rules.apply(org, element, mode="put", events=events)
        except Invalid:
            continue
    start = Item.objects.filter(organisation=org).count()
    for index in range(start, start + item_count):
        name, price = PRODUCTS[index % len(PRODUCTS)]
        suffix = "" if index < len(PRODUCTS) else f" {index // len(PRODUCTS) + 1}"
        element = {"Code": f"ITEM-{index + 1:03d}", "Name": f"{name}{suffix}"[:50], "Description": f"{name}{suffix}",
                   "SalesDetails": {"UnitPrice": price, "AccountCode": "200", "TaxType": spec["sales_tax"]},
                   "PurchaseDetails": {"UnitPrice": round(price * 0.6, 2), "AccountCode": "310",
                                       "TaxType": spec["purchase_tax"]}}
        try:
            item_rules.apply(org, element, mode="put", events=events)
        except Invalid:
            continue
    contacts = list(Contact.objects.filter(organisation=org, status="ACTIVE"))
    item_list = list(Item.objects.filter(organisation=org))
    if not contacts:
        return
    statuses = ["DRAFT", "SUBMITTED", "AUTHORISED", "AUTHORISED", "PAID", "VOIDED"]
    today = clock.now().date()
    for index in range(invoice_count):
        status = statuses[index % len(statuses)]
        issued = today - datetime.timedelta(days=rng.randint(0, 90))
        lines = []
        for _ in range(rng.randint(1, 4)):
            if item_list:  # item-less lines only when the organisation has no items (see sandbox/README.md)
                item = rng.choice(item_list)
                lines.append({"ItemCode": item.code, "Quantity": rng.randint(1, 5)})
            else:
                lines.append({"Description": rng.choice(["Call-out fee", "Freight", "Custom work", "Materials"]),
                              "Quantity": rng.randint(1, 3), "UnitAmount": rng.choice([45, 80.5, 120, 33.33]),
                              "AccountCode": "260", "TaxType": rng.choice([spec["sales_tax"], spec["free_tax"]])})
        element = {"Type": "ACCREC", "Contact": {"ContactID": str(rng.choice(contacts).pk)},
                   "Date": issued.isoformat(), "DueDate": (issued + datetime.timedelta(days=30)).isoformat(),
                   "Reference": f"PO-{rng.randint(1000, 9999)}",
                   "LineAmountTypes": rng.choice(["Exclusive", "Exclusive", "Inclusive"]),
                   "Status": "AUTHORISED" if status in ("PAID", "VOIDED") else status, "LineItems": lines}
        try:
            created = invoice_rules.apply(org, element, mode="put", events=events)
        except Invalid:
            continue
        invoice = Invoice.objects.get(pk=created["InvoiceID"])
        if status == "PAID":
            payment_rules.apply(org, {"Invoice": {"InvoiceID": str(invoice.pk)}, "Account": {"Code": "090"},
                                      "Amount": invoice.data["Total"], "Date": issued.isoformat()}, events=events)
        elif status == "VOIDED":
            invoice_rules.apply(org, {"Status": "VOIDED"}, mode="post", events=events, target=invoice)
