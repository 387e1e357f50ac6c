"""The Zoho seed: realistic, linked data, fast enough for thousands of records."""

import time

from sandbox.zoho.models import Record
from tests.sandbox.test_zoho_support import connect, seed


def test_it_seeds_linked_realistic_records_quickly(sandbox):
    started, cpu_started = time.monotonic(), time.process_time()
    summary = seed(sandbox, accounts=1500, products=200, invoices=300)
    # Fast: the work this process does, which busy cores do not change, and a wall-clock bound for a loaded machine.
    assert time.process_time() - cpu_started < 30
    assert time.monotonic() - started < 180
    assert "demo@zoho.sandbox" in summary
    assert Record.objects.filter(module="Contacts").count() == 1500
    crm = connect(sandbox)
    products = crm.post("coql", json={"select_query": "select Product_Code from Products limit 2000"}).json()["data"]
    codes = [row["Product_Code"] for row in products]
    assert None in codes and len({c for c in codes if c}) == len([c for c in codes if c])
    invoices = crm.get("Invoices", params={"fields": "Status,Contact_Name,Account_Name", "per_page": 200}).json()
    assert len({row["Status"] for row in invoices["data"]}) >= 4
    assert all(row["Contact_Name"] and row["Account_Name"]["name"] for row in invoices["data"])
    one = crm.get(f"Invoices/{invoices['data'][0]['id']}").json()["data"][0]
    assert one["Invoiced_Items"] and all(line["Product_Name"]["name"] for line in one["Invoiced_Items"])
    assert one["Grand_Total"] == round(one["Sub_Total"] + one["Tax"], 2)
    account = crm.get("Accounts", params={"fields": "Account_Name,Phone,Billing_City,Billing_Country"}).json()
    assert all(row["Phone"].startswith("+") and row["Billing_City"] for row in account["data"])
