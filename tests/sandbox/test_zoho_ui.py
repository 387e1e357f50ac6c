"""The sandbox UI for Zoho CRM: lists, creates, edits and deletes records through the record service."""

import re

import requests

from sandbox.zoho.models import Activity, Record
from tests.sandbox.test_zoho_support import seed


def test_the_index_and_lists_show_the_seeded_records(sandbox):
    seed(sandbox, accounts=60, products=3, invoices=2)
    index = requests.get(f"{sandbox.url}/zoho/ui/", timeout=10)
    assert index.status_code == 200 and "Accounts (60)" in index.text and "de_DE" in index.text
    first = requests.get(f"{sandbox.url}/zoho/ui/Accounts/", timeout=10)
    assert first.status_code == 200 and "Page 1 of 2" in first.text
    assert requests.get(f"{sandbox.url}/zoho/ui/Invoices/", timeout=10).status_code == 200


def test_it_creates_edits_and_deletes_a_record(sandbox):
    seed(sandbox, accounts=1, products=1, invoices=0)
    origin = {"Origin": sandbox.url}
    created = requests.post(f"{sandbox.url}/zoho/ui/Products/new/", data={
        "Product_Name": "Handmade mug", "Product_Code": "MUG-1", "Unit_Price": "12.5", "Usage_Unit": "Each",
        "Product_Category": "Consumables"}, headers=origin, allow_redirects=False, timeout=10)
    assert created.status_code == 302, created.text
    record_id = int(re.search(r"/Products/(\d+)/", created.headers["Location"]).group(1))
    product = Record.objects.get(zid=record_id)
    assert product.data["Unit_Price"] == 12.5 and product.data["Product_Code"] == "MUG-1"
    duplicate = requests.post(f"{sandbox.url}/zoho/ui/Products/new/", data={
        "Product_Name": "Another mug", "Product_Code": "MUG-1", "Usage_Unit": "Each",
        "Product_Category": "Consumables"}, headers=origin, timeout=10)
    assert duplicate.status_code == 200 and "DUPLICATE_DATA" in duplicate.text
    deleted = requests.post(f"{sandbox.url}/zoho/ui/Products/{record_id}/delete/", headers=origin,
                            allow_redirects=False, timeout=10)
    assert deleted.status_code == 302
    assert Record.objects.get(zid=record_id).deleted_time is not None
    assert list(Activity.objects.filter(record_zid=record_id).values_list("operation", "source")) == [
        ("delete", "ui"), ("insert", "ui")]


def test_a_ui_form_from_another_origin_is_refused(sandbox):
    seed(sandbox, accounts=1, products=0, invoices=0)
    response = requests.post(f"{sandbox.url}/zoho/ui/Accounts/new/", data={"Account_Name": "Forged"},
                             headers={"Origin": "http://evil.example.com"}, timeout=10)
    assert response.status_code == 403
