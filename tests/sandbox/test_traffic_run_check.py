"""The whole-run traffic check (tests/traffic_check.py): the de-duplicated validation of a run's log, the log
written to a test's own path and the run's, and a session that fails on a schema error."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sandbox import traffic

from .spec_conformance import (
    EXPECTED_INVALID_REQUESTS,
    OPEN_PORTAL_FINDINGS,
    exchange_key,
    request_key,
    validate_run_log,
)

ROOT = Path(__file__).resolve().parents[2]
SEARCH = "http://127.0.0.1:9/zoho/eu/api/crm/v8/Accounts/search?per_page=200"


def _line(url, status, body, method="GET", provider="zoho"):
    return {"provider": provider, "method": method, "url": url, "request_headers": {}, "request_body": "",
            "status": status, "response_headers": {"Content-Type": "application/json;charset=UTF-8"},
            "response_body": json.dumps(body)}


def _missing(names):
    return {"code": "EXPECTED_PARAM_MISSING", "details": {"param_names": names},
            "message": "One of the expected parameter is missing", "status": "error"}


WRONG = {"code": "REQUIRED_PARAM_MISSING", "details": {"param_name": "criteria"},
         "message": "One of the expected parameter is missing", "status": "error"}


def test_a_run_log_is_validated_once_per_endpoint_status_and_shape_and_reports_what_is_wrong(tmp_path):
    lines = [
        _line(SEARCH, 400, _missing(["Criteria_One"])),
        _line(SEARCH + "&page=2", 400, _missing(["Word_Two", "Phone_Three"])),  # the same shape: not validated
        _line(SEARCH + "&x=1", 400, WRONG),  # another shape: a schema error
        _line("http://127.0.0.1:9/xero/identity/connect/token", 200, {"access_token": "***"}, "POST", "xero"),
    ]
    log = tmp_path / "run.jsonl"
    log.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"provider": "zoho", "meth\n')

    report = validate_run_log(log)

    assert (report.exchanges, report.distinct, report.validated) == (5, 3, 1), report.describe()
    assert [(f.index, f.status) for f in report.errors] == [(2, 400), (4, 0)], report.describe()
    assert "REQUIRED_PARAM_MISSING" in report.errors[0].detail and report.errors[1].detail == "not a JSON line"
    assert [f.index for f in report.undescribed] == [3] and "OAuth 2.0" in report.undescribed[0].detail
    assert "5 exchanges in the log, 3 distinct" in report.describe()


ITEMS = "http://127.0.0.1:9/xero/api.xro/2.0/Items?summarizeErrors=false&unitdp=4"
TENANT = "a3b1c2d4-0000-4000-8000-000000000001"


def _item_write(item: dict, test: str = "") -> dict:
    """A logged PUT /Items (the portal's item write) answered 200, sent by `test` (a pytest node id) or by no test."""
    line = _line(ITEMS, 200, {"Items": [{"ItemID": "b3b1c2d4-0000-4000-8000-000000000002", "Code": "X-1",
                                         "Name": "Widget"}]}, method="PUT", provider="xero")
    line["request_headers"] = {"Content-Type": "application/json", "Xero-Tenant-Id": TENANT,
                               "Idempotency-Key": "sp-items-1", "Authorization": "Bearer ***"}
    line["request_body"] = json.dumps({"Items": [item]})
    if test:
        line["test"] = test
    return line


def test_a_request_the_spec_does_not_allow_is_a_schema_error_naming_what_is_wrong_and_who_sent_it(tmp_path):
    log = tmp_path / "run.jsonl"
    lines = [_item_write({"Code": "X-1", "Name": "Widget"}), _item_write({"Name": "Widget without a code"}),
             _item_write({"Name": "Another without a code"})]  # the same request shape: filed once
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))

    report = validate_run_log(log)

    # One response shape; one parameter set (the same query and headers) and two body shapes.
    assert (report.distinct, report.distinct_requests) == (1, 3), report.describe()
    assert report.validated == 1 and report.expected == [], report.describe()
    [error] = report.errors
    assert (error.index, error.method) == (1, "PUT"), report.describe()
    assert error.detail == "request: body:Items/0: 'Code' is a required property", report.describe()


SENDER = "tests/sandbox/test_xero_items_and_reference.py::test_a_deliberately_invalid_item"


def test_a_tests_deliberately_invalid_request_is_listed_with_the_reason_and_hides_no_other_sender(
        tmp_path, monkeypatch):
    monkeypatch.setitem(EXPECTED_INVALID_REQUESTS, (SENDER, "PUT /api.xro/2.0/Items", "body:Items"),
                        "checks that the emulator refuses an item without a code")
    log = tmp_path / "run.jsonl"
    lines = [_item_write({"Name": "No code"}, test=SENDER), _item_write({"Name": "No code"}, test=SENDER),
             _item_write({"Name": "No code"}, test="tests/sync/test_products.py::test_a_sync"),
             _item_write({"Name": "No code"})]  # e.g. the make run stack's portal
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))

    report = validate_run_log(log)

    assert [f.index for f in report.expected] == [0], report.describe()
    assert report.expected[0].detail == f"{SENDER}: checks that the emulator refuses an item without a code"
    assert [f.index for f in report.errors] == [2, 3], report.describe()
    assert "(sent by tests/sync/test_products.py::test_a_sync)" in report.errors[0].detail
    assert "1 requests invalid on purpose" in report.describe()


def test_the_request_key_keeps_what_a_document_can_type_apart_but_not_a_request_s_own_values():
    write = _item_write({"Code": "X-1", "Name": "Widget"})
    other = _item_write({"Code": "Y-22", "Name": "Gadget"})
    other["request_headers"]["Idempotency-Key"] = "sp-items-2"
    assert request_key(write) == request_key(other)
    assert request_key(write) != request_key(_item_write({"Name": "Widget"}))
    without_tenant = _item_write({"Code": "X-1", "Name": "Widget"})
    del without_tenant["request_headers"]["Xero-Tenant-Id"]
    assert request_key(write) != request_key(without_tenant)
    assert request_key(write) != request_key({**write, "url": ITEMS.replace("unitdp=4", "unitdp=four")})


def test_a_known_open_portal_finding_is_reported_as_such_for_its_test_only(tmp_path, monkeypatch):
    meets = "tests/sync/test_products_over_http.py::test_a_sync"
    monkeypatch.setitem(OPEN_PORTAL_FINDINGS, (meets, "PUT /api.xro/2.0/Items", "body:Items"), "items without codes")
    log = tmp_path / "run.jsonl"
    lines = [_item_write({"Name": "No code"}, test=meets), _item_write({"Name": "No code"}, test="tests/x.py::test_y")]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))

    report = validate_run_log(log)

    assert [f.index for f in report.open_findings] == [0] and [f.index for f in report.errors] == [1]
    assert "(items without codes)" in report.open_findings[0].detail
    assert "OPEN PORTAL FINDING #0 PUT" in report.describe() and "1 open portal findings" in report.describe()


def test_every_deliberately_invalid_request_names_a_test_that_exists():
    for (test, operation, where), reason in {**EXPECTED_INVALID_REQUESTS, **OPEN_PORTAL_FINDINGS}.items():
        path, _, name = test.partition("::")
        function = name.split("[")[0]
        assert (ROOT / path).is_file(), test
        assert f"def {function}(" in (ROOT / path).read_text(), test
        assert operation.split(" ")[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"} and where and reason


def test_the_shape_keeps_enum_like_values_and_ids_apart_but_not_free_text():
    def key(url, body):
        return exchange_key(_line(url, 200, body))

    records = "http://h/zoho/eu/api/crm/v8/Accounts/"
    assert key(records + "4876876000000000039", {"data": [{"Account_Name": "Acme Pty", "code": "SUCCESS"}]}) == \
        key(records + "4876876000000000041", {"data": [{"Account_Name": "Bolt Ltd", "code": "SUCCESS"}] * 3})
    assert key(records + "1", {"code": "SUCCESS"}) != key(records + "1", {"code": "INVALID_DATA"})
    assert key(records + "1", {"t": "2026-12-03T15:00:00+01:00"}) != key(records + "1", {"t": "2026-12-03T15:00:00"})
    assert key(records + "1", {"a": None}) != key(records + "1", {"a": "Disabled"})


def test_a_test_with_a_log_of_its_own_still_feeds_the_run_log(settings, monkeypatch, tmp_path):
    own, run = tmp_path / "own.jsonl", tmp_path / "run.jsonl"
    monkeypatch.setenv("SANDBOX_TRAFFIC_LOG", str(run))
    settings.SANDBOX_TRAFFIC_LOG = str(own)
    assert traffic.log_paths() == [str(own), str(run)]
    settings.SANDBOX_TRAFFIC_LOG = str(run)
    assert traffic.log_paths() == [str(run)]


def _session(tmp_path, body) -> subprocess.CompletedProcess:
    """A pytest session with --traffic-check whose one test appends one Zoho search answer to the run's log."""
    module = tmp_path / "test_one_exchange.py"
    module.write_text(
        "import json, os\n\n"
        "def test_one_exchange():\n"
        f"    line = {_line(SEARCH, 400, body)!r}\n"
        "    with open(os.environ['SANDBOX_TRAFFIC_LOG'], 'a') as handle:\n"
        "        handle.write(json.dumps(line) + '\\n')\n")
    env = {key: value for key, value in os.environ.items() if key not in ("SANDBOX_TRAFFIC_LOG", "PYTEST_ADDOPTS")}
    env["SANDBOX_TRAFFIC_LOG"] = str(tmp_path / "session.jsonl")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.traffic_check", "--traffic-check", "-q",
                           "-p", "no:cacheprovider", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"),
                           str(module)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_session_whose_traffic_has_a_schema_error_fails_with_the_report(tmp_path):
    failed = _session(tmp_path, WRONG)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "1 passed" in failed.stdout and "sandbox traffic against the official specs" in failed.stdout
    assert "1 schema errors" in failed.stdout and "REQUIRED_PARAM_MISSING" in failed.stdout, failed.stdout
    passed = _session(tmp_path, _missing(["criteria"]))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 exchanges validated, 0 schema errors" in passed.stdout, passed.stdout
