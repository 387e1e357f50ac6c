"""The bulk read paths of the Zoho emulator (issue 16, for the historical sync at the API floor): the line-item
subform read by its API name and through COQL, the Bulk Read API, and the switch that takes them away."""

import csv
import io
import zipfile

import pytest

from tests.sandbox.test_zoho_support import ALL_SCOPES, connect, seed

BULK_SCOPES = ALL_SCOPES + ",ZohoCRM.bulk.READ"


@pytest.fixture
def crm(sandbox):
    seed(sandbox, accounts=5, products=4, invoices=6)
    return connect(sandbox, scope=BULK_SCOPES)


def bulk(crm, method, path="", **kwargs):
    return crm.http.request(method, f"{crm.api_domain}/crm/bulk/v8/read{path}", timeout=15, **kwargs)


def invoice_lines(crm):
    """{invoice id: [line ids]} read one invoice at a time (the slow path the bulk paths replace)."""
    ids = [row["id"] for row in crm.get("Invoices", params={"fields": "Subject"}).json()["data"]]
    return {invoice_id: [line["id"] for line in crm.get(f"Invoices/{invoice_id}").json()["data"][0]
                         ["Invoiced_Items"]] for invoice_id in ids}


def test_the_subform_is_listed_by_its_api_name_with_the_parent_of_each_line(crm):
    expected = invoice_lines(crm)
    missing = crm.get("Invoiced_Items")
    assert missing.status_code == 400 and missing.json()["code"] == "REQUIRED_PARAM_MISSING"
    first = crm.get("Invoiced_Items", params={"fields": "Product_Name,Quantity,Line_Tax", "per_page": 5})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["info"] == {"per_page": 5, "count": 5, "page": 1, "more_records": True}
    row = body["data"][0]
    assert set(row) == {"Product_Name", "Quantity", "Line_Tax", "id"}
    rows, page = [], 1
    while True:
        answer = crm.get("Invoiced_Items", params={"fields": "Parent_Id,Quantity", "per_page": 5, "page": page})
        rows += answer.json()["data"]
        if not answer.json()["info"]["more_records"]:
            break
        page += 1
    by_parent = {}
    for line in rows:
        assert set(line["Parent_Id"]) == {"id", "name"}
        by_parent.setdefault(line["Parent_Id"]["id"], []).append(line["id"])
    assert by_parent == expected


def test_coql_reads_the_subform_by_parent_with_keyset_paging_and_the_coql_limits(crm):
    expected = invoice_lines(crm)
    parents = sorted(expected)[:3]
    query = ("select Parent_Id, Product_Name, Quantity, List_Price from Invoiced_Items "
             f"where Parent_Id in ({', '.join(parents)}) order by id asc limit 2")
    first = crm.post("coql", json={"select_query": query})
    assert first.status_code == 200, first.text
    assert first.json()["info"] == {"count": 2, "more_records": True}
    row = first.json()["data"][0]
    assert set(row["Parent_Id"]) == {"id"} and set(row["Product_Name"]) == {"id"}  # COQL lookups: the id only
    seen, last = [], 0
    while True:
        answer = crm.post("coql", json={"select_query": (
            "select Parent_Id from Invoiced_Items "
            f"where (Parent_Id in ({', '.join(parents)}) and id > {last}) order by id asc limit 2")})
        if answer.status_code == 204:
            break
        seen += answer.json()["data"]
        last = seen[-1]["id"]
    assert sorted(line["id"] for line in seen) == sorted(i for p in parents for i in expected[p])
    one = crm.post("coql", json={"select_query": (
        f"select Quantity from Invoiced_Items where Parent_Id = '{parents[0]}' and Quantity > 0 limit 2000")})
    assert sorted(row["id"] for row in one.json()["data"]) == sorted(expected[parents[0]])
    too_many = crm.post("coql", json={"select_query": "select Quantity from Invoiced_Items limit 2001"})
    assert too_many.status_code == 400 and too_many.json()["code"] == "LIMIT_EXCEEDED"
    unknown = crm.post("coql", json={"select_query": "select Colour from Invoiced_Items limit 5"})
    assert unknown.status_code == 400 and unknown.json()["details"]["column_name"] == "Colour"


def _run_job(crm, query):
    created = bulk(crm, "POST", json={"query": query})
    assert created.status_code == 201, created.text
    [result] = created.json()["data"]
    assert result["code"] == "ADDED_SUCCESSFULLY" and result["details"]["state"] == "ADDED"
    job_id = result["details"]["id"]
    assert bulk(crm, "GET", f"/{job_id}/result").json()["code"] == "RESOURCE_NOT_FOUND"  # not ready yet
    states = []
    while True:
        job = bulk(crm, "GET", f"/{job_id}").json()["data"][0]
        states.append(job["state"])
        if job["state"] == "COMPLETED":
            break
        assert len(states) < 5
    assert states == ["IN PROGRESS", "COMPLETED"]
    download = bulk(crm, "GET", f"/{job_id}/result")
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/x-download"
    assert download.headers["Content-Disposition"] == f'attachment; filename="{job_id}.zip"'
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.namelist() == [f"{job_id}.csv"]
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{job_id}.csv").decode())))
    return job, rows


@pytest.mark.parametrize("module,fields", [
    ("Accounts", ["Account_Name", "Billing_City", "Xero_Contact_ID", "Modified_Time"]),
    ("Products", ["Product_Name", "Unit_Price", "Tax", "Taxable"]),
    ("Invoices", ["Subject", "Account_Name", "Grand_Total", "Status"]),
])
def test_a_bulk_read_job_exports_every_record_of_the_module_as_a_zipped_csv(crm, module, fields):
    listed = crm.get(module, params={"fields": ",".join(fields), "sort_order": "asc"}).json()["data"]
    job, rows = _run_job(crm, {"module": {"api_name": module}, "fields": fields, "page": 1})
    assert job["result"]["count"] == len(listed) and job["result"]["more_records"] is False
    assert list(rows[0]) == ["Id", *fields]
    assert [row["Id"] for row in rows] == [record["id"] for record in listed]
    first, record = rows[0], listed[0]
    for name in fields:
        value = record[name]
        if isinstance(value, dict):
            value = value["id"]
        elif isinstance(value, list):
            value = ";".join(item["value"] for item in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        assert first[name] == ("" if value is None else str(value)), name


def test_bulk_read_pages_criteria_credits_and_download_limit(sandbox, crm):
    sandbox.configure(zoho={"bulk_read_page_size": 2})
    job, rows = _run_job(crm, {"module": {"api_name": "Accounts"}, "fields": ["Account_Name"]})
    assert len(rows) == 2 and job["result"]["more_records"] is True
    token = job["result"]["next_page_token"]
    second, rest = _run_job(crm, {"module": {"api_name": "Accounts"}, "fields": ["Account_Name"], "page_token": token})
    assert second["result"]["page"] == 2 and [r["Id"] for r in rest] != [r["Id"] for r in rows]
    _, filtered = _run_job(crm, {"module": {"api_name": "Accounts"}, "fields": ["Account_Name"], "criteria": {
        "api_name": "Account_Name", "comparator": "equal", "value": rows[0]["Account_Name"]}})
    assert [row["Id"] for row in filtered] == [rows[0]["Id"]]
    for code, query in (("MODULE_NOT_SUPPORTED", {"module": {"api_name": "Leads"}}),
                        ("FIELD_NOT_AVAILABLE", {"module": {"api_name": "Accounts"}, "fields": ["Colour"]}),
                        ("FIELD_NOT_SUPPORTED", {"module": {"api_name": "Invoices"}, "fields": ["Invoiced_Items"]}),
                        ("INVALID_CRITERIA", {"module": {"api_name": "Accounts"}, "criteria": {
                            "api_name": "Account_Name", "comparator": "sounds_like", "value": "x"}}),
                        ("PAGE_RANGE_EXCEEDED", {"module": {"api_name": "Accounts"}, "page": 51})):
        refused = bulk(crm, "POST", json={"query": query})
        assert refused.status_code == 400 and refused.json()["code"] == code, (code, refused.text)
    assert bulk(crm, "GET", "/123").status_code == 404
    job_id = job["id"]
    downloads = [bulk(crm, "GET", f"/{job_id}/result").status_code for _ in range(10)]
    assert downloads == [200] * 7 + [429] * 3  # 10 a minute, three already spent by the jobs above
    sandbox.advance_clock(61)
    assert bulk(crm, "GET", f"/{job_id}/result").status_code == 200


def test_a_bulk_read_job_costs_its_credits_and_needs_the_bulk_scope(sandbox):
    seed(sandbox, accounts=1, products=0, invoices=0)
    crm = connect(sandbox, scope=BULK_SCOPES)
    sandbox.configure(zoho={"daily_credits": 100})  # the remaining credits are shown once half are spent
    crm.get("org")  # one credit
    created = bulk(crm, "POST", json={"query": {"module": {"api_name": "Accounts"}}})
    assert created.status_code == 201
    assert crm.get("org").headers["X-API-CREDITS-REMAINING"] == str(100 - 1 - 50 - 1)
    no_bulk = connect(sandbox)
    refused = bulk(no_bulk, "POST", json={"query": {"module": {"api_name": "Accounts"}}})
    assert refused.status_code == 401 and refused.json()["code"] == "OAUTH_SCOPE_MISMATCH"


def test_switching_the_bulk_read_paths_off_answers_as_an_edition_without_them(sandbox, crm):
    created = bulk(crm, "POST", json={"query": {"module": {"api_name": "Accounts"}}}).json()["data"][0]["details"]["id"]
    sandbox.configure(zoho={"bulk_read_paths": False})
    for response in (bulk(crm, "POST", json={"query": {"module": {"api_name": "Accounts"}}}), bulk(crm, "GET", f"/{created}")):
        assert response.status_code == 400 and response.json()["code"] == "NOT_SUPPORTED_FEATURE"
    listed = crm.get("Invoiced_Items", params={"fields": "Quantity"})
    assert listed.status_code == 400 and listed.json()["code"] == "INVALID_MODULE"
    coql = crm.post("coql", json={"select_query": "select Quantity from Invoiced_Items limit 5"})
    assert coql.status_code == 400 and coql.json()["code"] == "INVALID_QUERY"
    assert crm.get("Accounts", params={"fields": "Account_Name"}).status_code == 200  # the rest still works
    sandbox.configure(zoho={"bulk_read_paths": True})
    assert crm.get("Invoiced_Items", params={"fields": "Quantity"}).status_code == 200
