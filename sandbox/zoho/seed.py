"""Realistic demo data for the Zoho CRM emulator: one org (EU data centre), users in three languages,
taxes for several regions, accounts, contacts, products, invoices in euros with several lines and mixed statuses.
`seed(accounts=, products=, invoices=)` uses bulk inserts (10,000 records in seconds).

The data is designed for the journey: every generated record syncs to either demo Xero organisation with the
default mapping and the suggested tax mapping (each Zoho tax has a Xero rate of its percentage, every product has
a code, the invoices are in euros, which both organisations have enabled). `failing=True` (what `manage.py sandbox
seed` adds unless --no-demo-failures) adds a handful of records that fail on purpose, each named for its reason
(DEMO_FAILURES), to show the audit log and Resync."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sandbox import clock

from .models import Counter, Org, Record, Tax, User
from .schema import INVOICE_STATUSES
from .timefmt import truncate
from .validation import compute_lines

SIGN_IN_EMAIL = "demo@zoho.sandbox"
SIGN_IN_PASSWORD = "sandbox"
USERS = [
    (SIGN_IN_EMAIL, "Anna", "Schmidt", "de_DE", "de_DE", "Europe/Berlin", "CEO"),
    ("claire.dubois@example.com", "Claire", "Dubois", "fr_FR", "fr_FR", "Europe/Paris", "Manager"),
    ("james.walker@example.com", "James", "Walker", "en_US", "en_GB", "Europe/London", "Sales"),
]
TAXES = [("GST", "10"), ("NZ GST", "15"), ("VAT", "20"), ("Zero Rated", "0")]
# A tax no demo Xero organisation has a rate of (so no suggestion): it is created with the failing records.
UNMAPPED_TAX = ("Luxury Tax", "12.5")
# The records that fail on purpose (failing=True), named for why; sandbox/README.md says how to fix each.
NO_CODE_PRODUCT = "Missing product code"
UNMAPPED_TAX_PRODUCT = "Needs a tax mapping"
CURRENCY_INVOICE = "Currency not enabled in Xero (CHF)"
WAITING_INVOICE = "Waits for the product without a code"
DEMO_FAILURES = {"Products": (NO_CODE_PRODUCT, UNMAPPED_TAX_PRODUCT), "Invoices": (CURRENCY_INVOICE, WAITING_INVOICE)}
COMPANY_WORDS = ["Alpen", "Nordic", "Harbour", "Summit", "Meridian", "Blue Fern", "Kauri", "Riverside", "Atlas",
                 "Coastal", "Pioneer", "Silver Oak", "Lumen", "Granite", "Willow", "Orchid", "Falcon", "Sterling"]
COMPANY_KINDS = ["Logistics", "Trading", "Consulting", "Engineering", "Foods", "Retail", "Software", "Design",
                 "Builders", "Wines", "Textiles", "Medical"]
SUFFIXES = ["GmbH", "SARL", "Ltd", "Pty Ltd", "Limited", "AG", "BV"]
FIRST = ["Lena", "Jonas", "Sophie", "Lukas", "Emma", "Noah", "Chloé", "Hugo", "Olivia", "Jack", "Aroha", "Tane",
         "Mia", "Leon", "Isla", "Oscar", "Zoë", "Matteo"]
LAST = ["Müller", "Schneider", "Fischer", "Martin", "Bernard", "Smith", "Brown", "Taylor", "Wilson", "Ngata",
        "Williams", "Weber", "Lefèvre", "Jones", "Becker", "Moreau", "Walsh", "Kelly"]
PLACES = [  # city, state, code, country, phone prefix, streets
    ("Berlin", "Berlin", "10115", "Germany", "+49 30", ["Friedrichstraße", "Torstraße"]),
    ("München", "Bayern", "80331", "Germany", "+49 89", ["Hauptstraße", "Leopoldstraße"]),
    ("Paris", "Île-de-France", "75002", "France", "+33 1", ["Rue de Rivoli", "Avenue Victor Hugo"]),
    ("Lyon", "Auvergne-Rhône-Alpes", "69002", "France", "+33 4", ["Rue de la République", "Quai Saint-Antoine"]),
    ("London", "Greater London", "EC1A 1BB", "United Kingdom", "+44 20", ["Baker Street", "High Street"]),
    ("Manchester", "Greater Manchester", "M1 1AE", "United Kingdom", "+44 161", ["Deansgate", "King Street"]),
    ("Sydney", "NSW", "2000", "Australia", "+61 2", ["George Street", "Pitt Street"]),
    ("Melbourne", "VIC", "3000", "Australia", "+61 3", ["Collins Street", "Flinders Lane"]),
    ("Auckland", "Auckland", "1010", "New Zealand", "+64 9", ["Queen Street", "Ponsonby Road"]),
    ("Wellington", "Wellington", "6011", "New Zealand", "+64 4", ["Lambton Quay", "Cuba Street"]),
]
PRODUCTS = ["Consulting hour", "Installation service", "Annual support plan", "Laptop stand", "Office chair",
            "Standing desk", "Wireless keyboard", "27-inch monitor", "Network switch", "Cloud backup licence",
            "Training day", "Printer toner", "Coffee beans 1 kg", "Safety helmet", "LED panel", "Cable kit"]
REGION_TAX = {"Australia": "GST", "New Zealand": "NZ GST", "United Kingdom": "VAT", "Germany": "VAT",
              "France": "VAT"}


def _org(now):
    org = Org.objects.order_by("pk").first()
    if org is not None:
        return org, list(org.users.order_by("zid")), list(Tax.objects.filter(org=org))
    ids = Counter.allocate(1 + len(USERS) + len(TAXES))
    org = Org.objects.create(zid=ids[0], company_name="Alpenblick Handels GmbH", dc="eu", edition="Standard",
                             currency="EUR", time_zone="Europe/Berlin", country="Germany", country_code="DE",
                             phone="+49 30 1234 5678", website="https://alpenblick.example.com", created_time=now)
    password = make_password(SIGN_IN_PASSWORD)
    users = [User.objects.create(org=org, zid=ids[1 + i], email=email, password=password, first_name=first,
                                 last_name=last, language=language, locale=locale, time_zone=tz, role=role,
                                 created_time=now)
             for i, (email, first, last, language, locale, tz, role) in enumerate(USERS)]
    taxes = [Tax.objects.create(org=org, zid=ids[1 + len(USERS) + i], name=name, value=Decimal(value),
                                sequence_number=i + 1) for i, (name, value) in enumerate(TAXES)]
    return org, users, taxes


def _address(rng, prefix, zip_name="Code"):
    city, state, code, country, _, streets = rng.choice(PLACES)
    return {f"{prefix}_Street": f"{rng.choice(streets)} {rng.randint(1, 240)}", f"{prefix}_City": city,
            f"{prefix}_State": state, f"{prefix}_{zip_name}": code, f"{prefix}_Country": country}


def _phone(rng, country=None):
    prefix = next((p[4] for p in PLACES if p[3] == country), rng.choice(PLACES)[4])
    return f"{prefix} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _record(org, module, zid, data, name, user, when):
    return Record(org=org, module=module, zid=zid, name=name[:255], data=data, owner=user, created_by=user,
                  modified_by=user, created_time=when, modified_time=when)


@transaction.atomic(using="sandbox")
def seed(accounts: int = 40, products: int = 20, invoices: int = 40, seed_value: int = 7,
         failing: bool = False) -> str:
    rng = random.Random(seed_value)
    now = truncate(clock.now())
    org, users, taxes = _org(now)
    tax_by_name = {tax.name: tax for tax in taxes}
    existing = Record.objects.filter(org=org).count()

    def when(index, total):  # spread creation over the last 90 days, oldest first
        return now - datetime.timedelta(seconds=int(90 * 86400 * (total - index) / max(total, 1)))

    account_ids = Counter.allocate(accounts) if accounts else []
    contact_ids = Counter.allocate(accounts) if accounts else []
    rows, account_rows, contact_rows = [], [], []
    for index, zid in enumerate(account_ids):
        billing = _address(rng, "Billing")
        name = (f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {rng.choice(SUFFIXES)} "
                f"{existing + index + 1}")
        data = {"Account_Name": name, "Account_Number": f"ACC-{existing + index + 1:05d}",
                "Account_Type": rng.choice(["Customer", "Customer", "Partner", "Reseller", "Prospect"]),
                "Phone": _phone(rng, billing["Billing_Country"]),
                "Website": f"https://www.{name.split()[0].lower()}{index}.example.com",
                **billing, **{k.replace("Billing", "Shipping"): v for k, v in billing.items()},
                "Description": None, "Xero_Contact_ID": None,
                "Tax_Number": f"{billing['Billing_Country'][:2].upper()}{rng.randint(10**8, 10**9 - 1)}"
                if rng.random() < 0.7 else None}
        account_rows.append(_record(org, "Accounts", zid, data, name, rng.choice(users), when(index, accounts)))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        contact = {"First_Name": first, "Last_Name": last, "Full_Name": f"{first} {last}",
                   "Email": f"{first.lower()}.{last.lower()}.{existing + index + 1}@example.com".replace("é", "e")
                   .replace("ü", "u").replace("è", "e").replace("ë", "e"),
                   "Phone": _phone(rng, billing["Billing_Country"]), "Mobile": _phone(rng),
                   "Title": rng.choice(["Director", "Accountant", "Buyer", "Office manager", None]),
                   "Account_Name": str(zid), **_address(rng, "Mailing", "Zip"), "Email_Opt_Out": False}
        contact_rows.append(_record(org, "Contacts", contact_ids[index], contact, f"{first} {last}",
                                    rng.choice(users), when(index, accounts)))
    rows += account_rows + contact_rows

    product_rows = []
    for index, zid in enumerate(Counter.allocate(products) if products else []):
        base = PRODUCTS[index % len(PRODUCTS)]
        name = base if index < len(PRODUCTS) and not existing else f"{base} {existing + index + 1}"
        tax = rng.choice([["VAT"], ["GST"], ["NZ GST"], ["Zero Rated"], ["VAT"]])
        data = {"Product_Name": name,
                "Product_Code": f"SKU-{existing + index + 1:05d}",
                "Unit_Price": float(rng.choice([9.5, 19.99, 45, 120, 249.0, 89.9, 1200, 75.25])),
                "Taxable": tax != ["Zero Rated"], "Tax": [str(tax_by_name[t].zid) for t in tax],
                "Product_Active": rng.random() > 0.1, "Qty_in_Stock": float(rng.randint(0, 500)),
                "Usage_Unit": rng.choice(["Each", "Hours", "Box", "Pack"]),
                "Product_Category": rng.choice(["Hardware", "Software", "Services", "Consumables"]),
                "Description": f"{base} for small businesses."}
        product_rows.append(_record(org, "Products", zid, data, name, rng.choice(users), when(index, products)))
    rows += product_rows

    all_accounts = account_rows or list(Record.objects.filter(org=org, module="Accounts", deleted_time=None)[:500])
    all_products = product_rows or list(Record.objects.filter(org=org, module="Products", deleted_time=None).exclude(
        name__in=DEMO_FAILURES["Products"])[:200])
    contact_of = {int(row.data["Account_Name"]): row.zid for row in contact_rows}
    if invoices and (not all_accounts or not all_products):
        raise ValueError("Invoices need at least one account and one product.")
    invoice_ids = Counter.allocate(invoices) if invoices else []
    number_ids = Counter.allocate(invoices, name="invoice_number") if invoices else []
    line_ids = (zid for zid in Counter.allocate(invoices * 4 or 1))
    for index, zid in enumerate(invoice_ids):
        account = rng.choice(all_accounts)
        country = account.data.get("Billing_Country")
        lines = []
        for product in rng.sample(all_products, k=min(len(all_products), rng.randint(1, 4))):
            tax_names = [tax_by_name[REGION_TAX.get(country, "VAT")]] if product.data.get("Taxable") else []
            lines.append({"Product_Name": str(product.zid), "Quantity": float(rng.randint(1, 12)),
                          "List_Price": product.data["Unit_Price"],
                          "Discount": float(rng.choice([0, 0, 0, 5, 10])), "Description": None,
                          "Line_Tax": tax_names})
        stored, totals = compute_lines(lines, line_ids)
        invoice_date = (now - datetime.timedelta(days=rng.randint(0, 120))).date()
        subject = f"Invoice {existing + index + 1:05d} – {account.name[:60]}"
        data = {"Subject": subject, "Invoice_Number": f"INV-{number_ids[index] - 4876876000000000000:06d}",
                "Invoice_Date": invoice_date.isoformat(),
                "Due_Date": (invoice_date + datetime.timedelta(days=rng.choice([14, 30]))).isoformat(),
                "Status": rng.choice(INVOICE_STATUSES), "Account_Name": str(account.zid),
                "Contact_Name": str(contact_of[account.zid]) if account.zid in contact_of else None,
                "Currency": "EUR", "Invoiced_Items": stored, **totals, "Discount": 0.0, "Adjustment": 0.0,
                "Grand_Total": round(totals["Sub_Total"] + totals["Tax"], 2),
                **{k: account.data.get(k) for k in ("Billing_Street", "Billing_City", "Billing_State",
                                                    "Billing_Code", "Billing_Country")}}
        rows.append(_record(org, "Invoices", zid, data, subject, rng.choice(users), when(index, invoices)))
    if failing:
        rows += _failing_records(org, users, tax_by_name, now, all_accounts, all_products, contact_of)
    Record.objects.bulk_create(rows, batch_size=1000)
    extra = (f", plus {sum(len(names) for names in DEMO_FAILURES.values())} records that fail on purpose"
             if failing else "")
    return (f"1 org ({org.company_name}, data centre {org.dc}) with {accounts} accounts, {accounts} contacts, "
            f"{products} products and {invoices} invoices{extra}; sign in as {SIGN_IN_EMAIL} / {SIGN_IN_PASSWORD}")


def _failing_records(org, users, tax_by_name, now, accounts, products, contact_of) -> list:
    """The demo's records that fail on purpose, each named for its reason (DEMO_FAILURES)."""
    if not accounts or not products:
        raise ValueError("The failing demo records need at least one account and one product.")
    name, value = UNMAPPED_TAX
    if name not in tax_by_name:
        tax_by_name[name] = Tax.objects.create(org=org, zid=Counter.allocate(1)[0], name=name, value=Decimal(value),
                                               sequence_number=len(tax_by_name) + 1)
    owner = users[0]
    rows = []
    product_ids = Counter.allocate(2)
    for zid, (product_name, code, tax) in zip(product_ids, ((NO_CODE_PRODUCT, None, "VAT"),
                                                            (UNMAPPED_TAX_PRODUCT, "SKU-LUX-01", name)), strict=True):
        data = {"Product_Name": product_name, "Product_Code": code, "Unit_Price": 80.0, "Taxable": True,
                "Tax": [str(tax_by_name[tax].zid)], "Product_Active": True, "Qty_in_Stock": 10.0,
                "Usage_Unit": "Each", "Product_Category": "Hardware",
                "Description": "A demo record that fails on purpose: its name says why."}
        rows.append(_record(org, "Products", zid, data, product_name, owner, now))
    no_code = rows[0]
    account = accounts[0]
    clean = products[0]
    invoice_ids = Counter.allocate(2)
    numbers = Counter.allocate(2, name="invoice_number")
    line_ids = iter(Counter.allocate(2))
    country_tax = REGION_TAX.get(account.data.get("Billing_Country"), "VAT")
    for zid, number, (subject, currency, product) in zip(invoice_ids, numbers, (
            (CURRENCY_INVOICE, "CHF", clean), (WAITING_INVOICE, "EUR", no_code)), strict=True):
        taxes = [tax_by_name[country_tax]] if product.data.get("Taxable") else []
        stored, totals = compute_lines([{"Product_Name": str(product.zid), "Quantity": 2.0,
                                         "List_Price": product.data["Unit_Price"], "Discount": 0.0,
                                         "Description": None, "Line_Tax": taxes}], line_ids)
        today = now.date()
        data = {"Subject": subject, "Invoice_Number": f"INV-{number - 4876876000000000000:06d}",
                "Invoice_Date": today.isoformat(), "Due_Date": (today + datetime.timedelta(days=30)).isoformat(),
                "Status": "Approved", "Account_Name": str(account.zid),
                "Contact_Name": str(contact_of[account.zid]) if account.zid in contact_of else None,
                "Currency": currency, "Invoiced_Items": stored, **totals, "Discount": 0.0, "Adjustment": 0.0,
                "Grand_Total": round(totals["Sub_Total"] + totals["Tax"], 2),
                **{k: account.data.get(k) for k in ("Billing_Street", "Billing_City", "Billing_State",
                                                    "Billing_Code", "Billing_Country")}}
        rows.append(_record(org, "Invoices", zid, data, subject, owner, now))
    return rows
