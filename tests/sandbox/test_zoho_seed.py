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
    assert len(codes) == 200 and None not in codes and len(set(codes)) == 200  # every product has its own code
    invoices = crm.get("Invoices", params={"fields": "Status,Contact_Name,Account_Name", "per_page": 200}).json()
    assert len({row["Status"] for row in invoices["data"]}) >= 4
    assert all(row["Contact_Name"] and row["Account_Name"]["name"] for row in invoices["data"])
    one = crm.get(f"Invoices/{invoices['data'][0]['id']}").json()["data"][0]
    assert one["Invoiced_Items"] and all(line["Product_Name"]["name"] for line in one["Invoiced_Items"])
    assert one["Grand_Total"] == round(one["Sub_Total"] + one["Tax"], 2)
    account = crm.get("Accounts", params={"fields": "Account_Name,Phone,Billing_City,Billing_Country"}).json()
    assert all(row["Phone"].startswith("+") and row["Billing_City"] for row in account["data"])


def test_the_records_that_fail_on_purpose_are_named_for_why_and_come_only_when_asked(sandbox):
    from sandbox.zoho.seed import DEMO_FAILURES, UNMAPPED_TAX

    seed(sandbox, accounts=3, products=4, invoices=2)
    assert not Record.objects.filter(name__in=[n for names in DEMO_FAILURES.values() for n in names]).exists()
    summary = sandbox.seed(zoho={"accounts": 0, "products": 0, "invoices": 0, "failing": True})["zoho"]
    assert "4 records that fail on purpose" in summary
    crm = connect(sandbox)
    products = {row["Product_Name"]: row for row in crm.get("Products", params={
        "fields": "Product_Name,Product_Code,Tax", "per_page": 200}).json()["data"]}
    assert products["Missing product code"]["Product_Code"] is None
    assert products["Needs a tax mapping"]["Product_Code"] and products["Needs a tax mapping"]["Tax"]
    assert UNMAPPED_TAX[0] in {tax["name"] for tax in crm.get("org/taxes").json()["org_taxes"]["taxes"]}
    invoices = {row["Subject"]: row for row in crm.get("Invoices", params={
        "fields": "Subject,Currency", "per_page": 200}).json()["data"]}
    assert invoices["Currency not enabled in Xero (CHF)"]["Currency"] == "CHF"
    waiting = crm.get(f"Invoices/{invoices['Waits for the product without a code']['id']}").json()["data"][0]
    assert [line["Product_Name"]["name"] for line in waiting["Invoiced_Items"]] == ["Missing product code"]
    assert {row["Currency"] for row in invoices.values()} == {"EUR", "CHF"}  # the others: euros
