"""The Zoho CRM v8 API client for one portal organisation's Zoho connection.

Every call: the connection's concurrency slot, a timeout, `Authorization: Zoho-oauthtoken`, counted.
Writes go in chunks of 100 with `"trigger": []` (no workflows) and return one RecordResult per record.
Empty answers (204) come back as empty lists.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from ...exceptions import AuthRevoked, PermanentError
from ...models import ZohoConnection
from ...ratelimit import Limits, RateLimiter
from ..base import BaseClient, first_message
from ..http import backoff_seconds, json_or_empty
from . import tokens

PER_PAGE = 200
WRITE_BATCH = 100
MAX_FIELDS = 50
DISCRETE_PAGES = 10  # `page` reaches the first 2,000 records; beyond that Zoho wants `page_token`
REFRESHABLE_CODES = {"INVALID_TOKEN", "AUTHENTICATION_FAILURE"}


@dataclass
class RecordResult:
    """One record of a write: `ok`, the Zoho `id`, `action` (insert/update on upsert), Zoho's code/message."""

    ok: bool
    id: str = ""
    action: str = ""
    code: str = ""
    message: str = ""
    details: dict = field(default_factory=dict)


def zoho_datetime(value: datetime) -> str:
    """ISO-8601 with an offset and no milliseconds, as Zoho expects."""
    value = value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


class ZohoClient(BaseClient):
    provider = "zoho"

    def __init__(self, zoho_connection: ZohoConnection, **kwargs):
        super().__init__(**kwargs)
        self.connection = zoho_connection
        self.limiter = RateLimiter(f"zoho:{zoho_connection.pk}", Limits.zoho(), provider="zoho", sleep=self.sleep)

    @property
    def base_url(self) -> str:
        domain = settings.ZOHO_API_DOMAIN or self.connection.api_domain
        return f"{domain.rstrip('/')}/crm/v8"

    # --- hooks -------------------------------------------------------------------------------------
    def _organisation_id(self):
        return self.connection.organisation_id

    def _external_id(self) -> str:
        return self.connection.crm_org_id

    def _access_token(self):
        return tokens.access_token_and_expiry(self.connection.pk)

    def _auth_header(self, token: str) -> dict:
        return {"Authorization": f"Zoho-oauthtoken {token}"}

    def _refresh_after_401(self, failed_token: str, response) -> bool:
        if json_or_empty(response).get("code") not in REFRESHABLE_CODES:
            return False
        tokens.refresh(self.connection.pk, failed_access_token=failed_token)
        return True

    def _revoked(self, response) -> AuthRevoked:
        from ...services import mark_reconnect_needed

        body = json_or_empty(response)
        detail = first_message(body.get("code"), "INVALID_TOKEN") + ": " + str(body.get("message") or "")
        mark_reconnect_needed(ZohoConnection.objects.get(pk=self.connection.pk), reason=detail)
        return AuthRevoked(detail, provider="zoho")

    def _retry_after_429(self, response, attempt: int) -> tuple[float, str]:
        # Zoho sends no Retry-After: exponential backoff with jitter.
        return backoff_seconds(attempt), "concurrency"

    def _raise_for(self, response):
        body = json_or_empty(response)
        for key in ("data", "watch"):
            rows = body.get(key)
            if isinstance(rows, list) and rows and isinstance(rows[0], dict) and "code" in rows[0]:
                return  # per-record or per-channel results (e.g. every record of a write was invalid)
        raise PermanentError(str(body.get("code") or response.status_code),
                             first_message(body.get("message"), response.text[:300]),
                             status=response.status_code, provider="zoho")

    def _mark_success(self, response) -> None:
        ZohoConnection.objects.filter(pk=self.connection.pk).update(last_successful_call_at=timezone.now())

    # --- plumbing ----------------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, params=None, json=None, headers=None, **kwargs) -> dict:
        return json_or_empty(self.request(method, f"{self.base_url}/{path}", params=params, json=json,
                                          headers=headers, **kwargs))

    @staticmethod
    def _results(body: dict) -> list[RecordResult]:
        results = []
        for row in body.get("data") or []:
            details = row.get("details") or {}
            results.append(RecordResult(
                ok=str(row.get("status", "")).lower() == "success",
                id=str(details.get("id") or ""),
                action=str(row.get("action") or ""),
                code=str(row.get("code") or ""),
                message=str(row.get("message") or ""),
                details=details,
            ))
        return results

    def _write(self, method: str, path: str, records: list[dict], *, extra: dict | None = None,
               retry_read_timeout: bool = True) -> list[RecordResult]:
        results: list[RecordResult] = []
        for start in range(0, len(records), WRITE_BATCH):
            payload = {"data": records[start : start + WRITE_BATCH], "trigger": [], **(extra or {})}
            results.extend(self._results(self._call(method, path, json=payload,
                                                    retry_read_timeout=retry_read_timeout)))
        return results

    # --- org, user, metadata -----------------------------------------------------------------------
    def get_org(self) -> dict:
        return (self._call("GET", "org").get("org") or [{}])[0]

    def get_current_user(self) -> dict:
        return (self._call("GET", "users", params={"type": "CurrentUser"}).get("users") or [{}])[0]

    def get_taxes(self) -> list[dict]:
        body = self._call("GET", "org/taxes")
        # v8 wraps the list: {"org_taxes": {"taxes": [...], "preference": ...}}; up to v2.1 it was {"taxes": [...]}.
        wrapped = body.get("org_taxes")
        if isinstance(wrapped, dict):
            return wrapped.get("taxes") or []
        return body.get("taxes") or []

    def get_modules(self) -> list[dict]:
        return self._call("GET", "settings/modules").get("modules") or []

    def get_fields(self, module: str) -> list[dict]:
        return self._call("GET", "settings/fields", params={"module": module}).get("fields") or []

    # --- records -----------------------------------------------------------------------------------
    def iter_records(self, module: str, fields: Iterable[str], modified_since: datetime | None = None,
                     sort_by: str = "Modified_Time") -> Iterator[dict]:
        """Every record of `module` (oldest change first), following `page` then `page_token`."""
        fields = list(dict.fromkeys(fields))
        if not fields or len(fields) > MAX_FIELDS:
            raise ValueError(f"Zoho lists need between 1 and {MAX_FIELDS} fields, got {len(fields)}.")
        headers = {"If-Modified-Since": zoho_datetime(modified_since)} if modified_since else None
        params = {"fields": ",".join(fields), "per_page": PER_PAGE, "sort_by": sort_by, "sort_order": "asc"}
        page, page_token = 1, None
        while True:
            query = {**params, "page_token": page_token} if page_token else {**params, "page": page}
            body = self._call("GET", module, params=query, headers=headers)
            yield from body.get("data") or []
            info = body.get("info") or {}
            if not info.get("more_records"):
                return
            if page >= DISCRETE_PAGES or page_token:
                page_token = info.get("next_page_token")
                if not page_token:
                    return
            page += 1

    def get_record(self, module: str, record_id: str) -> dict | None:
        """One record with its subforms and line items (only GET by id returns those)."""
        return (self._call("GET", f"{module}/{record_id}").get("data") or [None])[0]

    def get_records_by_ids(self, module: str, ids: Iterable[str], fields: Iterable[str] | None = None) -> list[dict]:
        ids = [str(i) for i in ids if i]
        rows: list[dict] = []
        for start in range(0, len(ids), WRITE_BATCH):
            params = {"ids": ",".join(ids[start : start + WRITE_BATCH])}
            if fields:
                params["fields"] = ",".join(fields)
            rows.extend(self._call("GET", module, params=params).get("data") or [])
        return rows

    def insert_records(self, module: str, records: list[dict]) -> list[RecordResult]:
        # A read timeout on insert is not retried blindly: Zoho may have created the records.
        return self._write("POST", module, records, retry_read_timeout=False)

    def update_records(self, module: str, records: list[dict]) -> list[RecordResult]:
        return self._write("PUT", module, records)

    def upsert_records(self, module: str, records: list[dict],
                       duplicate_check_fields: list[str] | None = None) -> list[RecordResult]:
        extra = {"duplicate_check_fields": list(duplicate_check_fields)} if duplicate_check_fields else None
        return self._write("POST", f"{module}/upsert", records, extra=extra)

    def delete_records(self, module: str, ids: Iterable[str]) -> list[RecordResult]:
        ids = [str(i) for i in ids if i]
        results: list[RecordResult] = []
        for start in range(0, len(ids), WRITE_BATCH):
            body = self._call("DELETE", module, params={"ids": ",".join(ids[start : start + WRITE_BATCH]),
                                                        "wf_trigger": "false"})
            results.extend(self._results(body))
        return results

    def iter_deleted(self, module: str, since: datetime | None = None) -> Iterator[dict]:
        headers = {"If-Modified-Since": zoho_datetime(since)} if since else None
        page = 1
        while True:
            body = self._call("GET", f"{module}/deleted", params={"type": "all", "page": page, "per_page": PER_PAGE},
                              headers=headers)
            yield from body.get("data") or []
            if not (body.get("info") or {}).get("more_records"):
                return
            page += 1

    def search(self, module: str, criteria: str) -> list[dict]:
        """Records matching `criteria` (Zoho caps search at 2,000 results)."""
        rows: list[dict] = []
        page = 1
        while True:
            body = self._call("GET", f"{module}/search", params={"criteria": criteria, "page": page,
                                                                  "per_page": PER_PAGE})
            rows.extend(body.get("data") or [])
            if not (body.get("info") or {}).get("more_records") or page >= DISCRETE_PAGES:
                return rows
            page += 1

    def coql(self, query: str) -> dict:
        """Run a COQL select; returns {"data": [...], "info": {...}} (empty data when nothing matches)."""
        body = self._call("POST", "coql", json={"select_query": query})
        return {"data": body.get("data") or [], "info": body.get("info") or {}}

    # --- notifications (watch) ---------------------------------------------------------------------
    def enable_notifications(self, watch: list[dict]) -> list[RecordResult]:
        return self._results({"data": self._call("POST", "actions/watch", json={"watch": watch}).get("watch") or []})

    def update_notifications(self, watch: list[dict]) -> list[RecordResult]:
        return self._results({"data": self._call("PUT", "actions/watch", json={"watch": watch}).get("watch") or []})

    def disable_notifications(self, channel_ids: Iterable[str]) -> list[RecordResult]:
        body = self._call("DELETE", "actions/watch", params={"channel_ids": ",".join(str(c) for c in channel_ids)})
        return self._results({"data": body.get("watch") or []})

    def list_notifications(self, channel_id: str | None = None, module: str | None = None) -> list[dict]:
        params = {k: v for k, v in {"channel_id": channel_id, "module": module}.items() if v}
        return self._call("GET", "actions/watch", params=params or None).get("watch") or []
