"""The gateways around the provider clients: batching choices, per-element results, safe retries."""

import re

from connections.exceptions import PermanentError
from connections.providers.xero.client import ElementResult
from connections.providers.zoho.client import RecordResult
from sync.gateways import SMALL_LOOKUP, XeroGateway, ZohoGateway


class FakeXeroClient:
    def __init__(self):
        self.calls = []

    def save_contacts(self, contacts, create_only=False, idempotency_key=None):
        self.calls.append(("save_contacts", create_only, idempotency_key, contacts))
        return [
            ElementResult(ok=False, errors=["The contact name Acme is already assigned to another contact."])
            if c.get("Name") == "Acme"
            else ElementResult(ok=True, id=f"id-{i}", data={**c, "ContactID": f"id-{i}", "UpdatedDateUTC": "/Date(1000)/"})
            for i, c in enumerate(contacts)
        ]

    def iter_contacts(self, modified_since=None, include_archived=False, where=None):
        self.calls.append(("iter_contacts", where))
        return iter([{"ContactID": "c1", "Name": "Acme"}])

    def delete_item(self, item_id):
        self.calls.append(("delete_item", item_id))
        if item_id == "used":
            raise PermanentError("ValidationException", "Item is used on an invoice")

    def save_invoices(self, invoices, create_only=False, idempotency_key=None):
        self.calls.append(("save_invoices", create_only, idempotency_key, invoices))
        return [ElementResult(ok=True, id=i["InvoiceID"], data=i) for i in invoices]


def test_xero_creates_are_put_with_a_stable_key_and_each_element_gets_its_own_result():
    client = FakeXeroClient()
    results = XeroGateway(client).create("accounts", [("1", {"Name": "Acme"}), ("2", {"Name": "Beta", "__source": {}})])
    name, create_only, key, sent = client.calls[0]
    assert (name, create_only, key) == ("save_contacts", True, "sync:accounts:create")
    assert sent == [{"Name": "Acme"}, {"Name": "Beta"}]  # engine-only keys never leave
    assert [r.ok for r in results] == [False, True]
    assert "already assigned" in results[0].error_message
    assert results[1].target_id == "id-1" and results[1].modified == "/Date(1000)/"


def test_xero_updates_are_posted_with_the_id():
    client = FakeXeroClient()
    XeroGateway(client).update("accounts", [("1", "c-9", {"Name": "New"})])
    assert client.calls[0][1] is False and client.calls[0][3] == [{"Name": "New", "ContactID": "c-9"}]


def test_small_lookups_query_xero_with_where_and_large_ones_read_once():
    client = FakeXeroClient()
    gateway = XeroGateway(client)
    gateway.candidates("accounts", [{"ContactNumber": "1", "Name": 'Say "Hi"'}])
    assert client.calls[-1] == ("iter_contacts", 'ContactNumber=="1" OR Name=="Say \\"Hi\\""')
    many = [{"Name": f"N{i}"} for i in range(30)]
    gateway.candidates("accounts", many)
    gateway.candidates("accounts", many)
    assert [c for c in client.calls if c[0] == "iter_contacts"][-1] == ("iter_contacts", None)
    assert len([c for c in client.calls if c == ("iter_contacts", None)]) == 1


def test_xero_deletes_follow_the_mode_and_a_refused_item_delete_is_a_failed_result():
    client = FakeXeroClient()
    gateway = XeroGateway(client)
    results = gateway.delete("products", [("1", "free", "delete"), ("2", "used", "delete")])
    assert [r.ok for r in results] == [True, False] and "used on an invoice" in results[1].error_message
    gateway.delete("invoices", [("3", "inv-1", "void"), ("4", "inv-2", "delete")])
    assert client.calls[-1][3] == [{"InvoiceID": "inv-1", "Status": "VOIDED"}, {"InvoiceID": "inv-2", "Status": "DELETED"}]


class FakeZohoClient:
    def __init__(self):
        self.calls = []

    def upsert_records(self, module, records, duplicate_check_fields=None):
        self.calls.append(("upsert", module, duplicate_check_fields, records))
        return [RecordResult(ok=True, id=f"z{i}", details={"id": f"z{i}", "Modified_Time": "t1"}) for i, _ in enumerate(records)]

    def get_records_by_ids(self, module, ids, fields=None):
        self.calls.append(("get_by_ids", module, list(ids)))
        return [{"id": i, "Account_Name": "Read back", "Modified_Time": "t2"} for i in ids]

    def coql(self, query):
        self.calls.append(("coql", query))
        return {"data": [{"id": "9", "Account_Name": "O'Brien"}], "info": {}}


def test_zoho_creates_are_upserts_on_the_xero_id_and_are_not_read_back():
    client = FakeZohoClient()
    gateway = ZohoGateway(client, {"accounts": ["id", "Account_Name"]})
    results = gateway.create("accounts", [("x1", {"Account_Name": "A", "Xero_Contact_ID": "x1"})])
    assert client.calls[0][:3] == ("upsert", "Accounts", ["Xero_Contact_ID"])
    assert len(client.calls) == 1  # the upsert's details carry the id and Modified_Time: no read after write
    assert results[0].target_id == "z0" and results[0].modified == "t1" and results[0].record is None


def test_zoho_candidates_come_from_coql_with_quoted_values():
    client = FakeZohoClient()
    gateway = ZohoGateway(client, {"accounts": ["id", "Account_Name", "Xero_Contact_ID"]})
    rows = gateway.candidates("accounts", [{"Account_Name": "O'Brien", "Xero_Contact_ID": "x1"}])
    queries = [c[1] for c in client.calls if c[0] == "coql"]
    assert any("Account_Name in ('O\\'Brien')" in q for q in queries)
    assert any("Xero_Contact_ID in ('x1')" in q for q in queries)
    assert rows == [{"id": "9", "Account_Name": "O'Brien"}]


class CurrencyClient:
    def __init__(self, currencies=None, refuse=False):
        self.currencies, self.refuse = currencies or [], refuse

    def get_currencies(self):
        if self.refuse:
            raise PermanentError("NotFound", "The resource was not found")
        return [{"Code": code, "Description": code} for code in self.currencies]

    def get_organisation(self):
        return {"BaseCurrency": "AUD"}


def test_enabled_currencies_come_from_the_clients_get_currencies():
    assert XeroGateway(CurrencyClient(["AUD", "NZD", "USD"])).enabled_currencies() == {"AUD", "NZD", "USD"}


def test_enabled_currencies_fall_back_to_the_base_currency_when_get_currencies_is_refused():
    assert XeroGateway(CurrencyClient(refuse=True)).enabled_currencies() == {"AUD"}


def test_zoho_candidates_of_a_large_batch_ask_for_every_key_in_one_query_per_50_values():
    client = FakeZohoClient()
    gateway = ZohoGateway(client, {"accounts": ["id", "Account_Name", "Xero_Contact_ID"]})
    lookups = [{"Account_Name": f"Name {i}", "Xero_Contact_ID": f"x{i}"} for i in range(120)]
    gateway.candidates("accounts", lookups)
    queries = [c[1] for c in client.calls if c[0] == "coql"]
    assert len(queries) == 3  # 120 values per key: 50 + 50 + 20, both keys in each query
    for query in queries:
        assert " or " in query and "Account_Name in (" in query and "Xero_Contact_ID in (" in query
        assert query.count("'x") <= 50 and query.count("'Name ") <= 50
    asked = {value for query in queries for value in re.findall(r"'(x\d+)'", query)}
    assert asked == {f"x{i}" for i in range(120)}


class FakeXeroListClient:
    def __init__(self):
        self.reads = 0

    def iter_contacts(self, **kwargs):
        self.reads += 1
        return iter([])

    def save_contacts(self, contacts, create_only=False, idempotency_key=None):
        return [ElementResult(ok=True, id=f"c{i}", data={"ContactID": f"c{i}", "Name": c["Name"],
                                                          "ContactStatus": "ACTIVE", "Addresses": [{"City": "x"}],
                                                          "Phones": [{"PhoneNumber": "1"}]})
                for i, c in enumerate(contacts)]


def test_xero_keeps_only_the_matching_keys_of_what_it_wrote_and_reads_the_module_once():
    client = FakeXeroListClient()
    gateway = XeroGateway(client)
    lookups = [{"Name": f"N{i}"} for i in range(SMALL_LOOKUP + 1)]
    assert gateway.candidates("accounts", lookups) == []
    gateway.create("accounts", [(str(i), {"Name": f"N{i}"}) for i in range(3)])
    again = gateway.candidates("accounts", lookups)
    assert client.reads == 1
    assert sorted(row["Name"] for row in again) == ["N0", "N1", "N2"]
    assert all(set(row) <= {"ContactID", "Name", "ContactStatus", "ContactNumber", "EmailAddress"} for row in again)


class FakeXeroItemsClient:
    def __init__(self):
        self.reads = 0

    def get_items(self, **kwargs):
        self.reads += 1
        return [{"ItemID": f"i{n}", "Code": f"C{n}", "Name": f"Item {n}"} for n in range(5)]

    def save_items(self, items, create_only=False, idempotency_key=None):
        return [ElementResult(ok=True, id=f"new{n}", data={"ItemID": f"new{n}", **item}) for n, item in enumerate(items)]


def test_xero_items_are_read_once_for_many_reads_by_id_until_the_gateway_writes_an_item():
    client = FakeXeroItemsClient()
    gateway = XeroGateway(client)
    assert set(gateway.fetch("products", ["i1", "i2"])) == {"i1", "i2"}
    assert set(gateway.fetch("products", ["i3"])) == {"i3"}
    assert client.reads == 1  # GET /Items has no paging and no IDs filter: one read serves every chunk
    gateway.create("products", [("z1", {"Code": "NEW", "Name": "New"})])
    gateway.fetch("products", ["i4"])
    assert client.reads == 2  # after a write the next read is fresh
