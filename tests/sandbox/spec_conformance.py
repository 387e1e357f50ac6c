"""Validate a sandbox traffic log (SANDBOX_TRAFFIC_LOG) against the providers' official OpenAPI documents.

The documents are read at test time from `../shared/specs/` beside the project (CI lays `shared/` beside the
clone; a git worktree looks beside its main checkout), never copied into the repository. Validation is
openapi-core's: each exchange's response (status, media type, body schema) and request (path, query and header
parameters, body; not the security requirement) against the operation its method and path select. A request a
test sends invalid on purpose is listed in EXPECTED_INVALID_REQUESTS by test, with the reason. What a spec
cannot describe is listed with the reason instead of being counted as an error:
OAuth endpoints (the specs name their URLs only), statuses the operation does not document (Xero's 401, 403,
404 and 429; Zoho's 204 "no content" answers where none is documented), and paths no document holds.

Zoho's files `$ref` one another by absolute URLs of their upstream repository; they are bundled in memory into
one document (every file under `x-bundled/<name>`, references rewritten to JSON pointers into it). References
to upstream files that were not copied into shared/ (tags, profiles, related_lists) become open schemas and are
listed in `unresolved`.
"""

import dataclasses
import json
import os
import re
from functools import cache, lru_cache
from itertools import groupby
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml
from django.conf import settings
from openapi_core import Config, OpenAPI
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.paths.exceptions import (
    OperationNotFound,
    PathError,
    PathNotFound,
    ServerNotFound,
)
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request import V30RequestValidator
from openapi_core.validation.request.exceptions import (
    MissingRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.response.exceptions import DataValidationError, InvalidData, MissingData

from sandbox.traffic import BINARY_TYPES

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader

ZOHO_UPSTREAM = re.compile(r"^https://raw\.githubusercontent\.com/[^#]*/v8\.0/(?P<name>[\w-]+)\.json(?P<pointer>#.*)?$")


SPECS_ENV = "SYNCPORTAL_SPECS_DIR"


def specs_dir() -> Path:
    """The folder named by $SYNCPORTAL_SPECS_DIR; else `shared/specs` beside the project, or beside the main
    checkout when the project is a git worktree; else /work/shared/specs (where this project's machines keep
    them, for a clone that lies elsewhere)."""
    root = Path(settings.BASE_DIR).resolve()
    if os.environ.get(SPECS_ENV):
        candidates = [Path(os.environ[SPECS_ENV])]  # named explicitly: no other place is tried
        return _first_complete(candidates)
    candidates = [root.parent / "shared" / "specs"]
    git = root / ".git"
    if git.is_file():  # a worktree: ".git" names <main>/.git/worktrees/<name>
        target = git.read_text().partition("gitdir:")[2].strip()
        if target:
            main = Path(target).resolve().parent.parent.parent
            candidates.append(main.parent / "shared" / "specs")
    candidates.append(Path("/work/shared/specs"))
    return _first_complete(candidates)


def _first_complete(candidates: list[Path]) -> Path:
    for candidate in candidates:
        if (candidate / "xero" / "xero_accounting.yaml").is_file() and (candidate / "zoho" / "record.json").is_file():
            return candidate
    raise FileNotFoundError(f"The official specs were not found at {', '.join(map(str, candidates))}: "
                            f"shared/specs must lie beside the project (as CI lays it out), or set {SPECS_ENV}.")


# --- loading ---------------------------------------------------------------------------------------------------

class _ParametersAndBodyValidator(V30RequestValidator):
    """A request's parameters (path, query, headers) and body against its operation, without the security
    requirement: the log masks credentials, openapi-core cannot check OAuth 2.0 schemes, and a request without
    valid credentials is the 401 answer's business (validated as a response)."""

    def _iter_errors(self, request, operation, path):
        parts = getattr(request, "sandbox_parts", PARTS)  # request_problems can ask for one of the two
        if "parameters" in parts:
            yield from self._iter_parameters_errors(request, operation, path)
        if "body" in parts:
            try:
                self._get_body(request.body, request.content_type, operation)
            except MissingRequestBody:  # an optional body left out
                pass
            except RequestBodyValidationError as error:
                yield error


PARTS = ("parameters", "body")


_HEADER_PARAMETERS: set = set()  # the header parameters of every document loaded (see declared_headers)


def _openapi(document: dict) -> OpenAPI:
    # The documents themselves are not validated (Zoho's are loose in places); only the traffic is.
    _header_parameters(document, _HEADER_PARAMETERS)
    return OpenAPI.from_dict(document, config=Config(spec_validator_cls=None,
                                                     request_validator_cls=_ParametersAndBodyValidator))


@cache
def xero_accounting() -> OpenAPI:
    with open(specs_dir() / "xero" / "xero_accounting.yaml", encoding="utf-8") as handle:
        return _openapi(yaml.load(handle, Loader=SafeLoader))


@cache
def xero_identity() -> OpenAPI:
    with open(specs_dir() / "xero" / "xero-identity.yaml", encoding="utf-8") as handle:
        return _openapi(yaml.load(handle, Loader=SafeLoader))


def _rewrite(node, prefix: str, available: set, wanted: set, unresolved: set):
    """Copy `node` with its $refs turned into pointers of the bundle (see the module docstring), reading
    `oneOf` as `anyOf`: Zoho's alternatives (e.g. Response_Wrapper | API_Exception | File_Body_Wrapper) declare
    no required properties, so a body can match several of them and a strict oneOf would reject every answer,
    real Zoho's included. Every typed schema is read as nullable: Zoho answers null for absent values (zoho.md's
    list response: `"previous_page_token": null`; field metadata such as `associated_module`), while the
    generated documents declare `nullable` on a few properties only."""
    if isinstance(node, list):
        return [_rewrite(value, prefix, available, wanted, unresolved) for value in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref.startswith("#"):
            return {**node, "$ref": "#" + prefix + ref[1:]}
        match = ZOHO_UPSTREAM.match(ref)
        if match and match["name"] in available:
            wanted.add(match["name"])
            return {**node, "$ref": f"#/x-bundled/{match['name']}{(match['pointer'] or '#')[1:]}"}
        unresolved.add(ref.split("#")[0])
        return {}  # an upstream file that shared/ does not hold: an open schema
    copied = {("anyOf" if key == "oneOf" else key): _rewrite(value, prefix, available, wanted, unresolved)
              for key, value in node.items()}
    if isinstance(copied.get("type"), str):
        copied["nullable"] = True
    return copied


@dataclasses.dataclass
class ZohoBundle:
    api: OpenAPI
    unresolved: set


@cache
def zoho() -> ZohoBundle:
    folder = specs_dir() / "zoho"
    documents = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}
    available, wanted, unresolved = set(documents), set(documents), set()
    bundled = {name: _rewrite(document, f"/x-bundled/{name}", available, wanted, unresolved)
               for name, document in documents.items()}
    paths = {}
    for document in bundled.values():
        for template, item in document.get("paths", {}).items():
            paths.setdefault(template, item)  # the first file (alphabetical) that holds a template wins
    combined = {"openapi": "3.0.0", "info": {"title": "Zoho CRM v8 (bundled)", "version": "8.0"},
                "servers": [{"url": "https://zohoapis.com"}], "paths": paths, "x-bundled": bundled}
    return ZohoBundle(_openapi(combined), unresolved)


# --- routing a log line to a document --------------------------------------------------------------------------

@dataclasses.dataclass
class Target:
    api: OpenAPI | None
    host: str = ""
    path: str = ""
    reason: str = ""  # why no document can describe the exchange (api is None)


_ZOHO_API = re.compile(r"^/zoho/(?P<dc>[a-z]+)/api(?P<path>/.*)$")
_ZOHO_ACCOUNTS = re.compile(r"^/zoho/(?P<dc>[a-z]+)/accounts/")


def target_of(line: dict) -> Target:
    path = urlsplit(line["url"]).path
    if line["provider"] == "xero":
        lowered = path.lower()
        if lowered.startswith("/xero/api.xro/2.0/"):
            return Target(xero_accounting(), "https://api.xero.com", "/api.xro/2.0/" + path[len("/xero/api.xro/2.0/"):])
        if lowered == "/xero/connections" or lowered.startswith("/xero/connections/"):
            # Xero's paths are case-insensitive; the identity document spells it /Connections.
            return Target(xero_identity(), "https://api.xero.com", "/Connections" + path[len("/xero/connections"):])
        if lowered.startswith("/xero/identity/connect/"):
            return Target(None, reason="OAuth 2.0 token/revocation endpoint: the identity document names its URL "
                                       "only (RFC 6749 and RFC 7009 define it)")
        if lowered.startswith("/xero/login/"):
            return Target(None, reason="authorize page: HTML for a person, outside the API documents")
        return Target(None, reason="a path outside the Xero API documents")
    match = _ZOHO_API.match(path)
    if match:
        return Target(zoho().api, "https://zohoapis.com", match["path"])
    if _ZOHO_ACCOUNTS.match(path):
        return Target(None, reason="Zoho accounts server (OAuth 2.0): outside the CRM v8 documents")
    return Target(None, reason="a path outside the Zoho CRM documents")


# --- validation ------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Finding:
    index: int
    method: str
    url: str
    status: int
    detail: str


@dataclasses.dataclass
class Report:
    validated: int = 0
    errors: list = dataclasses.field(default_factory=list)  # schema errors: the sandbox or the spec is wrong
    undescribed: list = dataclasses.field(default_factory=list)  # exchanges no document can describe, with why
    expected: list = dataclasses.field(default_factory=list)  # requests a test sends invalid on purpose, with why
    open_findings: list = dataclasses.field(default_factory=list)  # the portal's known invalid requests, still open

    def describe(self) -> str:
        lines = [f"{self.validated} exchanges validated, {len(self.errors)} schema errors, "
                 f"{len(self.undescribed)} not describable by the specs, "
                 f"{len(self.expected)} requests invalid on purpose, "
                 f"{len(self.open_findings)} open portal findings"]
        lines += [f"ERROR #{f.index} {f.method} {f.url} -> {f.status}: {f.detail}" for f in self.errors]
        lines += [f"OPEN PORTAL FINDING #{f.index} {f.method} {f.url} -> {f.status}: {f.detail}"
                  for f in self.open_findings]
        for label, findings in (("not describable", self.undescribed), ("invalid on purpose", self.expected)):
            reasons = {}
            for finding in findings:
                reasons.setdefault(finding.detail, []).append(finding)
            lines += [f"{label} ({len(found)}x): {reason} (e.g. {found[0].method} {found[0].url})"
                      for reason, found in sorted(reasons.items())]
        return "\n".join(lines)


def _leaves(error):
    """The innermost errors of a jsonschema error (anyOf/oneOf keep theirs in `context`)."""
    if not error.context:
        yield error
        return
    for child in error.context:
        yield from _leaves(child)


def _schema_messages(error: Exception) -> list[tuple[str, str]]:
    """[(path in the body, message)] of a validation failure."""
    cause = error.__cause__ or error
    found = []
    for top in getattr(cause, "schema_errors", None) or []:
        for leaf in _leaves(top):
            found.append(("/".join(map(str, leaf.absolute_path)) or "(body)", leaf.message[:300]))
    return found or [("(body)", str(cause)[:300])]


# Where a document contradicts itself, an answer that follows the document's own example is not an error.
KNOWN_SPEC_DEFECTS = {
    ("createdDateUtc", "is not a 'date-time'"): "connection timestamps have no UTC offset, as the identity document's "
    "own example (\"2019-12-07T18:46:19.5165400\") shows, while its schema says format date-time (RFC 3339 wants one)",
    ("updatedDateUtc", "is not a 'date-time'"): "connection timestamps have no UTC offset, as the identity document's "
    "own example (\"2019-12-07T18:46:19.5165400\") shows, while its schema says format date-time (RFC 3339 wants one)",
    ("eventDateUtc", "is not a 'date-time'"): "webhook event dates have no UTC offset, as xero-webhooks.yaml's own "
    "examples (\"2024-06-21T01:15:39.902\") show, while its schema says format date-time",
    ("time_zone", "is not of type 'object'"): "users.json types a user's time_zone as an object, org.json types "
    "time_zone as a string (an IANA zone name, which Zoho sends)",
    ("channel_id", "is not of type 'object'"): "notifications.json types a watch's channel_id as an object (its "
    "Notification schema, which the watch request and the GET /actions/watch answer share) and as a string in its "
    "results and query parameter, while Zoho's watch documents describe a long (zoho.md, Notifications)",
    ("email", "does not match '[a-z0-9]{9}[@][a-z0-9]{5}[.]com'"): "users.json's email pattern encodes one sample "
    "address (9 characters @ 5 characters .com), not a rule",
    ("notify_url", "does not match 'www[.][a-z]{5}zoho[.]com'"): "notifications.json's notify_url pattern encodes "
    "one sample URL (www.?????zoho.com), not a rule",
    ("query", "'file_type' is a required property"): "bulk_read.json requires Query.file_type but allows only "
    "'ics' there (exports of Events); a CSV job has none",
    **{("query", f"'{key}' is a required property"): "bulk_read.json's Query requires cvid, fields, page, criteria "
       "and file_type (which allows only 'ics'), while Zoho's documented create-job request (zoho.md, Bulk read: "
       "module, fields, criteria, page) sends none of cvid and file_type, and fields and criteria may be left out "
       "(every field, every record)" for key in ("cvid", "fields", "page", "criteria")},
    **{(name, "'id' is a required property"): "modules.json's Minified_Module and fields.json's Minified_Field "
       "require both api_name and id, while Zoho's documented requests name a module or a field by api_name alone "
       "(zoho.md: the bulk read job's {\"module\": {\"api_name\": \"Invoices\"}}; a watch's field selection)"
       for name in ("module", "field")},
    ("criteria", "'type' is a required property"): "bulk_read.json requires a criterion's `type`, which its own "
    "create-job examples never send (the job echoes the criteria it was given)",
    ("value", "is not of type 'object'"): "bulk_read.json types a criterion's value as an object, while its "
    "examples compare with strings, numbers and lists",
    ("per_page", "Missing required query parameter"): "module_search.json marks the search's per_page required, "
    "while record.json's same operation (GET /{module_api_name}/search) and Zoho's search document make it optional "
    "(default 200); Zoho's own v8 SDK leaves it out",
    ("count", "is not of type 'string'"): "record.json types the record count as a string; Zoho's Record Count "
    "samples and its v8 SDKs' CountWrapper (a Long) read a number, which the emulator sends",
    **{("field_selection", f"'{key}' is a required property"): "notifications.json's Criteria requires all of "
       "comparator, field, value, group_operator and group at every level of a field_selection, while a field "
       "selection is a group of fields (the echo returns the condition as given, each field with its id)"
       for key in ("comparator", "value", "group_operator", "group", "field")},
}


def _defect_key(where: str, message: str):
    """The entry of KNOWN_SPEC_DEFECTS that explains an error: its name is the errant property, or (for a
    schema required at every level of a tree, such as a field selection) a property the error lies below."""
    parts = where.split("/")
    for (name, fragment) in KNOWN_SPEC_DEFECTS:
        if fragment in message and (parts[-1] == name or (name in parts[:-1] and "required property" in fragment)):
            return (name, fragment)
    return None


def _finding(index: int, line: dict, detail: str) -> Finding:
    return Finding(index, line["method"], line["url"], int(line["status"]), detail)


def mock_request(line: dict, target: Target) -> MockRequest:
    """The logged request as openapi-core reads it: the path in the document's terms, the query (blank values
    kept), the headers as sent (credentials masked) and the body with its content type."""
    parts = urlsplit(line["url"])
    headers = line.get("request_headers") or {}
    content_type = next((value for name, value in headers.items() if name.lower() == "content-type"), "")
    return MockRequest(target.host, line["method"].lower(), target.path,
                       args=parse_qsl(parts.query, keep_blank_values=True), headers=headers,
                       data=(line.get("request_body") or "").encode(),
                       content_type=content_type.split(";")[0].strip() or "application/json")


def validate_line(index: int, line: dict, report: Report, *, request: bool = True) -> None:
    """Validate one exchange's response and (with `request`) its request, into `report`."""
    target = target_of(line)
    if target.api is None:
        report.undescribed.append(_finding(index, line, target.reason))
        return
    mocked = mock_request(line, target)
    _validate_response(index, line, target, mocked, report)
    if request:
        classify_request(index, line, request_problems(target, mocked), report)


def _validate_response(index: int, line: dict, target: Target, request: MockRequest, report: Report) -> None:
    status = int(line["status"])
    finding = lambda detail: _finding(index, line, detail)  # noqa: E731
    content_type = (line.get("response_headers") or {}).get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() in BINARY_TYPES:
        # The log keeps a binary body (a bulk read ZIP) as its size only: nothing to validate but the status.
        report.undescribed.append(finding("a binary body (the log keeps its size only)"))
        return
    response = MockResponse((line.get("response_body") or "").encode(), status_code=status,
                            headers=line.get("response_headers") or {},
                            content_type=content_type.split(";")[0].strip())
    try:
        target.api.validate_response(request, response)
    except (PathNotFound, ServerNotFound):
        report.undescribed.append(finding("a path the documents do not hold"))
        return
    except OperationNotFound:
        report.undescribed.append(finding("a method the document does not define on this path"))
        return
    except ResponseNotFound:
        report.undescribed.append(finding(f"the operation documents no {status} response"))
        return
    except MediaTypeNotFound:
        if not response.data:
            report.undescribed.append(finding(f"an empty {status} body where the document expects content"))
        else:
            report.errors.append(finding(f"media type {content_type!r} is not documented for {status}"))
        return
    except (InvalidData, DataValidationError, MissingData) as error:
        messages = _schema_messages(error)
        defects = [KNOWN_SPEC_DEFECTS.get(_defect_key(where, message)) for where, message in messages]
        if all(defects):
            report.undescribed.append(finding("; ".join(sorted(set(defects)))))
        else:
            report.errors.append(finding("; ".join(f"{where}: {message}" for where, message in messages)))
        return
    report.validated += 1


# --- requests --------------------------------------------------------------------------------------------------

def request_problems(target: Target, request: MockRequest, parts: tuple = PARTS) -> list[tuple[str, str]]:
    """[(where, message)] of what in a request its operation does not allow: parameters (path, query, headers)
    and body (or one of `parts`). `where` is "query:page", "header:xero-tenant-id" or "body:Items/0/Code". A path
    or method that no document holds has nothing to check against (its response is listed as not describable)."""
    request.sandbox_parts = parts
    found = []
    for error in target.api.iter_request_errors(request):
        if isinstance(error, PathError):
            return []
        if isinstance(error, ParameterValidationError):
            where = f"{error.location}:{error.name}"
            cause = error.__cause__
            if cause is not None and getattr(cause, "schema_errors", None):
                found += [(where, message) for _where, message in _schema_messages(error)]
            else:
                found.append((where, str(cause or error)[:300]))
        elif isinstance(error, RequestBodyValidationError):
            cause = error.__cause__
            if cause is not None and getattr(cause, "schema_errors", None):
                found += [(f"body:{where}".rstrip(":"), message) for where, message in _schema_messages(error)]
            else:
                found.append(("body", str(cause or error)[:300]))
        else:  # pragma: no cover - openapi-core's other request errors are security ones, which are not asked for
            found.append(("request", str(error)[:300]))
    return found


# Requests that a test sends invalid on purpose, to check that the emulator refuses them as the provider does:
# (the test's pytest node id without parameters, "METHOD /path as in the document", where in the request the
# error lies, as request_problems names it without list indexes: "body:Invoices/Date") -> why.
# Keyed by test: the same request from the portal, or from another test, is a schema error. The log names the
# test that sent each exchange (sandbox.traffic.current_test); tests/sandbox/test_traffic_run_check.py checks
# that every test named here exists.
_XERO_TESTS, _ZOHO_TESTS = "tests/sandbox/test_xero_", "tests/sandbox/test_zoho_"

# Invalid requests of the portal itself that are known and not fixed yet, by the test that meets them (the same
# request from any other test or from the make run stack is a schema error). Each is printed in every report as
# an OPEN PORTAL FINDING; remove the entry with the fix.
OPEN_PORTAL_FINDINGS: dict[tuple[str, str, str], str] = {}  # none open
EXPECTED_INVALID_REQUESTS: dict[tuple[str, str, str], str] = {
    (f"{_XERO_TESTS}contacts.py::test_a_malformed_body_is_a_post_data_invalid_exception", "PUT /api.xro/2.0/Contacts",
     "body"): "a body that is not JSON, to check Xero's PostDataInvalidException",
    (f"{_XERO_TESTS}contacts.py::test_if_modified_since_returns_only_contacts_changed_after_it",
     "GET /api.xro/2.0/Contacts", "header:If-Modified-Since"): "HTTP's own date and Xero's documented "
    "'yyyy-mm-ddThh:mm:ss' (requests-and-responses page) as If-Modified-Since, which the spec's date-time does not "
    "describe, to check the emulator reads them as Xero does",
    (f"{_XERO_TESTS}invoices.py::test_a_payment_in_full_makes_the_invoice_paid_and_deleting_it_reopens_the_invoice",
     "POST /api.xro/2.0/Payments/{id}", "body:(body)"): "the accounting spec's own example for deleting a payment "
    "({\"Payments\": [{\"Status\": \"DELETED\"}]}), which its PaymentDelete schema ({\"Status\"}) does not "
    "describe; the emulator accepts both",
    **{(f"{_XERO_TESTS}invoices.py::test_an_invoice_given_no_date_is_dated_today_and_an_update_without_one_keeps_its_date",
        operation, "body:Invoices/Date"): "an invoice with \"Date\": null, to check it is dated today as Xero documents"
       for operation in ("PUT /api.xro/2.0/Invoices", "POST /api.xro/2.0/Invoices/{id}")},
    (f"{_XERO_TESTS}items_and_reference.py::test_an_item_needs_a_code_and_codes_are_unique", "PUT /api.xro/2.0/Items",
     "body:Items"): "an item without a Code, to check Xero's validation error",
    # Xero's own SDK, generated from this spec, sends the read-only HasAttachments (false) of every invoice and
    # account it writes; the emulator, like Xero, ignores it.
    **{(f"{_XERO_TESTS}sdk_client.py::{test}", operation, place): "xero-python (Xero's own SDK) sends the "
       "read-only HasAttachments with every invoice and account it writes"
       for test, operation, place in (
           ("test_get_invoices_filters_by_search_term_and_created_by_my_app", "PUT /api.xro/2.0/Invoices",
            "body:Invoices/HasAttachments"),
           ("test_create_invoices_reports_a_missing_account_code_on_an_authorised_invoice_as_has_errors",
            "PUT /api.xro/2.0/Invoices", "body:Invoices/HasAttachments"),
           ("test_create_payment_pays_an_invoice_in_full_and_get_payments_pages_them", "PUT /api.xro/2.0/Invoices",
            "body:Invoices/HasAttachments"),
           ("test_create_payment_pays_an_invoice_in_full_and_get_payments_pages_them", "PUT /api.xro/2.0/Payments",
            "body:Payments/Invoice/HasAttachments"),
           ("test_create_payment_pays_an_invoice_in_full_and_get_payments_pages_them", "PUT /api.xro/2.0/Payments",
            "body:Payments/Account/HasAttachments"))},
    **{(f"{_ZOHO_TESTS}bad_input.py::test_malformed_calls_get_a_zoho_error_body", operation, place): "a malformed "
       "call, to check Zoho's error body for it" for operation, place in (
           ("POST /crm/v8/Accounts", "body:data"), ("PUT /crm/v8/Accounts", "body:data/id"),
           ("POST /crm/v8/Products/upsert", "body:duplicate_check_fields"), ("POST /crm/v8/coql", "body:select_query"),
           ("POST /crm/v8/actions/watch", "body:watch"), ("POST /crm/v8/actions/watch", "body:watch/events"),
           ("GET /crm/v8/Accounts", "query:page"), ("GET /crm/v8/users", "query:type"))},
    (f"{_ZOHO_TESTS}official_sdk.py::test_the_official_zoho_sdk", "PUT /crm/v8/Accounts", "body:data/id"): "Zoho's "
    "own v8 SDK sends a record's id as a number (its Record id is a Long) where record.json types it as a string, "
    "as Zoho's update examples send it; Zoho and the emulator read both",
    (f"{_ZOHO_TESTS}bad_input.py::test_a_body_that_is_not_json_is_refused", "POST /crm/v8/Accounts", "body"): "a body "
    "that is not JSON, to check Zoho's error body for it",
    (f"{_ZOHO_TESTS}queries.py::test_coql_errors", "POST /crm/v8/coql", "body:(body)"): "a COQL call without "
    "select_query, to check Zoho's error for it",
    (f"{_ZOHO_TESTS}metadata.py::test_fields_describe_types_picklists_lookups_subforms_and_custom_fields",
     "GET /crm/v8/settings/fields", "query:module"): "field metadata without its module, to check INVALID_MODULE",
    (f"{_ZOHO_TESTS}bulk_read.py::test_bulk_read_pages_criteria_credits_and_download_limit", "POST /crm/bulk/v8/read",
     "body:query/criteria/comparator"): "a criterion with an unknown comparator, to check INVALID_CRITERIA",
}


_INDEX = re.compile(r"/\d+(?=/|$)")


def _place(where: str) -> str:
    """Where a request's problem lies without list indexes: "body:Items/0/Code" -> "body:Items/Code"."""
    return _INDEX.sub("", where)


def classify_request(index: int, line: dict, problems: list[tuple[str, str]], report: Report) -> None:
    """File a request's problems: none; each a known document defect (not describable); each a defect or a
    problem its test sends on purpose (invalid on purpose, with the reasons); else a schema error."""
    if not problems:
        return
    finding = lambda detail: _finding(index, line, detail)  # noqa: E731
    test = line.get("test", "").split("[")[0]  # a parametrised test is listed once, by its function
    operation = f"{line['method']} {_operation_path(line)}"
    defects, expected, known, unexplained = set(), set(), [], []
    for where, message in problems:
        defect = KNOWN_SPEC_DEFECTS.get(_defect_key(where.partition(":")[2], message))
        reason = EXPECTED_INVALID_REQUESTS.get((test, operation, _place(where)))
        open_finding = OPEN_PORTAL_FINDINGS.get((test, operation, _place(where)))
        if reason:
            expected.add(reason)
        elif defect:
            defects.add(defect)
        elif open_finding:
            known.append(f"{where}: {message} ({open_finding})")
        else:
            unexplained.append((where, message))
    sender = f" (sent by {line['test']})" if line.get("test") else ""
    if unexplained:
        report.errors.append(finding("request" + sender + ": " + "; ".join(f"{where}: {message}"
                                                                           for where, message in unexplained)))
    elif known:
        report.open_findings.append(finding("request" + sender + ": " + "; ".join(known)))
    elif expected:
        report.expected.append(finding(f"{test}: " + "; ".join(sorted(expected))))
    else:
        report.undescribed.append(finding("request: " + "; ".join(sorted(defects))))


def _operation_path(line: dict) -> str:
    """The path in the documents' terms with ids as {id}, e.g. /crm/v8/Accounts/{id} or /api.xro/2.0/Items."""
    target = target_of(line)
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in target.path.split("/"))


def validate_log(path: Path) -> Report:
    report = Report()
    for index, text in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if text.strip():
            validate_line(index, json.loads(text), report)
    return report


# --- a whole test run's log: one exchange per endpoint, status and shape ----------------------------------------

_ID_SEGMENT = re.compile(r"^(?:\d{6,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_SKELETON = str.maketrans({**{c: "9" for c in "0123456789"},
                           **{c: "A" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                           **{c: "a" for c in "abcdefghijklmnopqrstuvwxyz"}})


@lru_cache(maxsize=1 << 16)  # a run's log repeats the same names, ids and times many times
def _string_shape(value: str) -> str:
    """A one-case token (an enum value such as AUTHORISED, SUCCESS or error) stands for itself, free text (with
    a space) for "text", any other string for its skeleton (digits 9, letters A/a, runs collapsed, at most 24
    characters), so dates and ids of one form share a shape while a timestamp without an offset does not share
    one with a timestamp with one."""
    if _TOKEN.match(value) and (value.isupper() or value.islower()):
        return value
    if _UUID.match(value):  # a skeleton would tell the hex letters from the digits
        return "uuid"
    if " " in value.strip():  # free text (names, descriptions, messages): one shape whatever its words
        return "text"
    return "".join(char for char, _run in groupby(value.translate(_SKELETON)))[:24]


def shape(value):
    """The structure of a JSON value: keys, types, enum-like tokens and string skeletons; a list is the set of
    its elements' shapes, so a page of 200 records of one shape has the shape of one."""
    if isinstance(value, dict):
        return tuple(sorted((key, shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("[]",) + tuple(sorted(set(map(shape, value)), key=repr))
    if isinstance(value, str):
        return _string_shape(value)
    if isinstance(value, bool) or value is None:
        return value
    return type(value).__name__


def _body_shape(body: str):
    try:
        return shape(json.loads(body)) if body[:1] in "[{" else _string_shape(body[:200])
    except ValueError:
        return _string_shape(body[:200])


def _path_template(line: dict) -> str:
    path = urlsplit(line["url"]).path
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in path.split("/"))


def exchange_key(line: dict):
    """What makes two responses the same case for the specs: provider, method, path (ids as {id}), status,
    media type and the shape of the response body."""
    content_type = (line.get("response_headers") or {}).get("Content-Type", "").split(";")[0].strip().lower()
    return (line["provider"], line["method"], _path_template(line), int(line["status"]), content_type,
            _body_shape(line.get("response_body") or ""))


# Request headers whose values a document can type (a date, an id); any other header counts by its name only
# (its value, such as an Idempotency-Key or a masked token, differs in every request and no document types it).
_TYPED_HEADERS = {"if-modified-since", "xero-tenant-id", "content-type", "accept"}


_UUID_IN_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _parameter_shape(value: str) -> str:
    """A parameter value's shape: a comma-separated list (Xero's IDs, Zoho's ids and fields) as the set of its
    items' shapes, so a list of seven UUIDs shares the shape of a list of two."""
    if "," in value and " " not in value:
        return ",".join(sorted({_string_shape(item) for item in value.split(",")}))
    return _string_shape(_UUID_IN_TEXT.sub("0-0", value) if len(value) > 36 else value)


def parameters_key(line: dict):
    """What makes two requests' parameters the same case for the specs: provider, method, path (ids as {id}),
    the query's names and value shapes, the declared headers' names (and the shapes of those in _TYPED_HEADERS)."""
    query = tuple(sorted((name, _parameter_shape(value))
                         for name, value in parse_qsl(urlsplit(line["url"]).query, keep_blank_values=True)))
    declared = declared_headers()
    headers = tuple(sorted((name.lower(), _string_shape(value) if name.lower() in _TYPED_HEADERS else "")
                           for name, value in (line.get("request_headers") or {}).items()
                           if name.lower() in declared))
    return (line["provider"], line["method"], _path_template(line), query, headers)


def _header_parameters(node, found: set) -> set:
    if isinstance(node, dict):
        if node.get("in") == "header" and isinstance(node.get("name"), str):
            found.add(node["name"].lower())
        for value in node.values():
            _header_parameters(value, found)
    elif isinstance(node, list):
        for value in node:
            _header_parameters(value, found)
    return found


@cache
def declared_headers() -> frozenset:
    """The request headers any of the documents declares as a parameter (xero-tenant-id, If-Modified-Since,
    Idempotency-Key, X-EXTERNAL, ...): the only ones that can make a request invalid, so the only ones a
    request's key keeps (User-Agent, Connection and the like differ between clients and no document types them)."""
    xero_accounting(), xero_identity(), zoho()
    return frozenset(_HEADER_PARAMETERS)


def body_key(line: dict):
    """What makes two request bodies the same case: provider, method, path, media type and the body's shape."""
    content_type = next((value for name, value in (line.get("request_headers") or {}).items()
                         if name.lower() == "content-type"), "")
    return (line["provider"], line["method"], _path_template(line), content_type.split(";")[0].strip().lower(),
            _body_shape(line.get("request_body") or ""))


def request_key(line: dict):
    """What makes two requests the same case for the specs: their parameters' and their bodies' keys."""
    return parameters_key(line) + body_key(line)[3:]


@dataclasses.dataclass
class RunReport(Report):
    exchanges: int = 0  # lines in the log
    distinct: int = 0  # responses validated after de-duplication
    distinct_requests: int = 0  # request parts (parameters, bodies) validated after de-duplication
    seconds: float = 0.0

    def describe(self) -> str:
        head = (f"{self.exchanges} exchanges in the log, {self.distinct} distinct responses and "
                f"{self.distinct_requests} distinct request parameters and bodies by endpoint and shape (validated in {self.seconds:.1f} "
                "s; the counts below are of distinct exchanges): ")
        return head + super().describe()


def validate_run_log(path: Path) -> RunReport:
    """Validate a whole test run's log: each response once per `exchange_key`, each request once per
    `request_key` (the first met). A request found invalid is filed once per key and sending test, so that a
    test's deliberate invalid request (EXPECTED_INVALID_REQUESTS) never hides the same request sent by the
    portal or by another test."""
    import time

    started = time.monotonic()
    report, seen, filed = RunReport(), {}, set()  # seen: response key -> a document holds it
    parameters_seen, bodies_seen = {}, {}  # key -> problems
    with open(path, encoding="utf-8") as handle:
        for index, text in enumerate(handle):
            if not text.strip():
                continue
            report.exchanges += 1
            try:
                line = json.loads(text)
            except ValueError:  # a line cut short (a process killed mid-write): reported, never skipped silently
                report.errors.append(Finding(index, "?", text[:120], 0, "not a JSON line"))
                continue
            key = exchange_key(line)
            target = None
            if key not in seen:
                target = target_of(line)
                seen[key] = target.api is not None
                if target.api is None:
                    report.undescribed.append(_finding(index, line, target.reason))
                    continue
                _validate_response(index, line, target, mock_request(line, target), report)
            elif not seen[key]:  # OAuth pages and the like: no document to hold the request against
                continue
            # Parameters and bodies vary apart (a read has no body; a write's query is the same every time):
            # each is validated once per its own key.
            pkey, bkey = parameters_key(line), body_key(line)
            for cache, key_of_part, part in ((parameters_seen, pkey, "parameters"), (bodies_seen, bkey, "body")):
                if key_of_part not in cache:
                    target = target or target_of(line)
                    cache[key_of_part] = request_problems(target, mock_request(line, target), (part,))
            problems = parameters_seen[pkey] + bodies_seen[bkey]
            filing = (pkey, bkey, line.get("test", ""))
            if problems and filing not in filed:
                filed.add(filing)
                classify_request(index, line, problems, report)
    report.distinct = len(seen)
    report.distinct_requests = len(parameters_seen) + len(bodies_seen)
    report.seconds = time.monotonic() - started
    return report


# --- Xero webhooks (sent by the sandbox to the portal, so not in the traffic log) ------------------------------

@cache
def _xero_webhooks() -> dict:
    with open(specs_dir() / "xero" / "xero-webhooks.yaml", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SafeLoader)


def webhook_errors(payload: dict, webhook: str) -> tuple[list[str], set[str]]:
    """(schema errors, known document defects met) of one webhook body against the request body of
    `webhooks.<webhook>.post` (OpenAPI 3.1, JSON Schema 2020-12, checked with jsonschema, formats included)."""
    from jsonschema import Draft202012Validator

    document = _xero_webhooks()
    body = document["webhooks"][webhook]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**document, **body}, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors, defects = [], set()
    for error in validator.iter_errors(payload):
        where = "/".join(map(str, error.absolute_path)) or "(body)"
        key = _defect_key(where, error.message)
        if key:
            defects.add(KNOWN_SPEC_DEFECTS[key])
        else:
            errors.append(f"{where}: {error.message}")
    return errors, defects


if __name__ == "__main__":  # python -m tests.sandbox.spec_conformance <traffic log>: validate any recorded log
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncportal.settings.test")
    django.setup()
    found = validate_log(Path(sys.argv[1]))
    print(found.describe())
    sys.exit(1 if found.errors else 0)
