"""Zoho invoice line items in bulk (sync.zoho_lines): the checks that send an invoice to GET by id, the taxes read
from amounts, and the switch to GET by id when Zoho refuses the bulk path."""

import pytest

from connections.exceptions import PermanentError, RateLimited
from sync.zoho_lines import LineReader

TAXES = [{"id": "t1", "name": "VAT", "value": 20.0, "display_label": "VAT - 20.0 %"},
         {"id": "t2", "name": "GST", "value": 10.0}]


def _row(parent, line_id, product="p1", after=100.0, tax=20.0):
    return {"id": line_id, "Parent_Id": {"id": parent}, "Product_Name": {"id": product}, "Quantity": 1.0,
            "List_Price": after, "Discount": 0.0, "Description": None, "Total": after,
            "Total_After_Discount": after, "Net_Total": after + tax}


class FakeZoho:
    def __init__(self, rows, taxes=TAXES, refuse=None):
        self.rows, self.taxes, self.refuse = rows, taxes, refuse
        self.calls = []

    def coql(self, query):
        self.calls.append(("coql", query))
        if self.refuse:
            raise self.refuse
        return {"data": list(self.rows), "info": {"more_records": False}}

    def get_taxes(self):
        self.calls.append(("taxes",))
        return self.taxes

    def get_records_by_ids(self, module, ids, fields=None):
        self.calls.append(("by_ids", module, list(ids)))
        return [{"id": i, "Product_Name": f"Product {i}"} for i in ids]

    def get_record(self, module, record_id):
        self.calls.append(("get_record", module, record_id))
        return {"id": record_id, "Sub_Total": 1, "Tax": 0, "Invoiced_Items": [{"id": "by-id"}]}


def _header(invoice_id, sub_total=100.0, tax=20.0):
    return {"id": invoice_id, "Subject": f"Invoice {invoice_id}", "Sub_Total": sub_total, "Tax": tax}


def test_lines_come_from_one_coql_query_with_their_product_names_and_taxes_read_from_the_amounts():
    client = FakeZoho([_row("11", "1"), _row("12", "2", product="p2", after=50.0, tax=5.0)])
    records = LineReader(client).complete([_header("11"), _header("12", 50.0, 5.0)])
    queries = [call[1] for call in client.calls if call[0] == "coql"]
    assert len(queries) == 1 and "from Invoiced_Items where (Parent_Id in (11, 12))" in queries[0]
    assert [r["id"] for r in records] == ["11", "12"]
    first, second = records[0]["Invoiced_Items"][0], records[1]["Invoiced_Items"][0]
    assert first["Product_Name"] == {"id": "p1", "name": "Product p1"}
    assert first["Line_Tax"] == [{"id": "t1", "name": "VAT", "percentage": 20.0, "value": 20.0,
                                  "display_name": "VAT - 20.0 %"}]
    assert second["Line_Tax"][0]["name"] == "GST"
    assert not [call for call in client.calls if call[0] == "get_record"]


def test_an_invoice_whose_lines_disagree_with_its_totals_is_read_by_id_alone():
    # invoice 12 has two lines in Zoho but the bulk rows hold one: its Sub_Total tells
    client = FakeZoho([_row("11", "1"), _row("12", "2")])
    reader = LineReader(client)
    records = reader.complete([_header("11"), _header("12", 200.0, 40.0)])
    assert [call[2] for call in client.calls if call[0] == "get_record"] == ["12"]
    assert reader.mismatched == ["12"] and reader.enabled and not reader.fallback_reason
    assert records[1]["Invoiced_Items"] == [{"id": "by-id"}] and records[0]["Invoiced_Items"][0]["id"] == "1"


def test_a_zero_tax_line_is_read_by_id_when_the_org_has_a_zero_rated_tax():
    rows = [_row("11", "1", tax=0.0)]
    header = _header("11", 100.0, 0.0)
    assert LineReader(FakeZoho(rows)).complete([header])[0]["Invoiced_Items"][0]["Line_Tax"] == []
    client = FakeZoho(rows, taxes=[*TAXES, {"id": "t0", "name": "Zero Rated", "value": 0.0}])
    reader = LineReader(client)
    reader.complete([header])
    assert reader.mismatched == ["11"]  # no tax and a 0 % tax look the same: GET by id tells


def test_a_tax_value_two_rates_could_give_is_read_by_id():
    client = FakeZoho([_row("11", "1", tax=10.0)], taxes=[*TAXES, {"id": "t3", "name": "Other 10", "value": 10.0}])
    reader = LineReader(client)
    reader.complete([_header("11", 100.0, 10.0)])
    assert reader.mismatched == ["11"]


def test_a_tax_value_two_taxes_together_could_give_is_read_by_id():
    # 15 on 100 fits the 15 % tax alone, and 10 % + 5 % on one line: only a read by id tells which the line carries.
    taxes = [{"id": "t10", "name": "GST", "value": 10.0}, {"id": "t5", "name": "Levy", "value": 5.0},
             {"id": "t15", "name": "NZ GST", "value": 15.0}]
    reader = LineReader(FakeZoho([_row("11", "1", tax=15.0)], taxes=taxes))
    reader.complete([_header("11", 100.0, 15.0)])
    assert reader.mismatched == ["11"]
    alone = LineReader(FakeZoho([_row("12", "1", tax=10.0)], taxes=taxes))  # 10 is one tax only: bulk
    [invoice] = alone.complete([_header("12", 100.0, 10.0)])
    assert alone.mismatched == [] and [tax["name"] for tax in invoice["Invoiced_Items"][0]["Line_Tax"]] == ["GST"]


def test_a_refused_bulk_read_switches_to_get_by_id_once_and_keeps_the_reason():
    client = FakeZoho([], refuse=PermanentError("INVALID_QUERY", "invalid query formed", status=400))
    reader = LineReader(client)
    reader.complete([_header("11")])
    reader.complete([_header("12")])
    assert len([call for call in client.calls if call[0] == "coql"]) == 1
    assert [call[2] for call in client.calls if call[0] == "get_record"] == ["11", "12"]
    assert not reader.enabled and reader.fallback_reason == "INVALID_QUERY: invalid query formed"
    assert reader.mismatched == []  # a switched-off path is not a mismatch


def test_a_rate_limit_on_the_bulk_read_is_not_a_reason_to_fall_back():
    client = FakeZoho([], refuse=RateLimited(5, provider="zoho"))
    reader = LineReader(client)
    with pytest.raises(RateLimited):  # the run retries later
        reader.complete([_header("11")])
    assert reader.enabled and not reader.fallback_reason
