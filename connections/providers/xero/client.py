"""The Xero Accounting API client for one Xero organisation (tenant).

Every call: the tenant's rate limiter slot, a timeout, the `xero-tenant-id` header, counted. Every
PUT/POST: `summarizeErrors=false` and a deterministic Idempotency-Key. Writes return one ElementResult
per element sent, in order.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from ...exceptions import AuthRevoked, PermanentError
from ...models import Status, XeroOrganisation
from ...ratelimit import Limits, RateLimiter
from ..base import BaseClient, first_message
from ..http import json_or_empty
from . import tokens

PAGE_SIZE = 100
WRITE_BATCH = 50  # Xero recommends at most 50 elements per request
IDS_PER_GET = 50  # the IDs list is capped by URL length


@dataclass
class ElementResult:
    """One element of a batch write: `ok`, the Xero `id`, the echoed element, its validation messages."""

    ok: bool
    id: str = ""
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str = ""


def idempotency_key(*parts: str, payload) -> str:
    """sha256 over the parts and the canonical JSON payload: the same write always gets the same key."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256("|".join([*parts, canonical]).encode()).hexdigest()


def _modified_since(value: datetime) -> str:
    """The If-Modified-Since header as the accounting spec types it (format date-time, example
    "2020-02-06T12:17:43.202-08:00") and as Xero's own xero-python sends it: UTC, whole seconds, with the offset
    (a naive value is UTC). Without the offset it was not a date-time, which the traffic check found."""
    value = value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


class XeroClient(BaseClient):
    provider = "xero"

    def __init__(self, xero_organisation: XeroOrganisation, **kwargs):
        super().__init__(**kwargs)
        self.xero_organisation = xero_organisation
        self.limiter = RateLimiter(f"xero:{xero_organisation.tenant_id}", Limits.xero(), provider="xero",
                                   sleep=self.sleep)
        self.base_url = settings.XERO_API_URL

    # --- hooks -------------------------------------------------------------------------------------
    def _organisation_id(self):
        return self.xero_organisation.organisation_id

    def _external_id(self) -> str:
        return self.xero_organisation.tenant_id

    def _token_now(self) -> str:
        if self.xero_organisation.status == Status.RECONNECT_NEEDED:
            raise AuthRevoked(self.xero_organisation.last_error or "reconnect needed", provider="xero")
        return super()._token_now()

    def _access_token(self):
        if self.xero_organisation.status == Status.RECONNECT_NEEDED:
            raise AuthRevoked(self.xero_organisation.last_error or "reconnect needed", provider="xero")
        return tokens.access_token_and_expiry(self.xero_organisation.token_set_id)

    def _auth_header(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}", "xero-tenant-id": self.xero_organisation.tenant_id}

    def _refresh_after_401(self, failed_token: str, response) -> bool:
        tokens.refresh(self.xero_organisation.token_set_id, failed_access_token=failed_token)
        return True

    def _revoked(self, response) -> AuthRevoked:
        from ...services import mark_reconnect_needed

        detail = first_message(json_or_empty(response).get("Detail"), "AuthorizationUnsuccessful")
        mark_reconnect_needed(self.xero_organisation.token_set, reason=detail)
        return AuthRevoked(detail, provider="xero")

    def _retry_after_429(self, response, attempt: int) -> tuple[float, str]:
        problem = (response.headers.get("X-Rate-Limit-Problem") or "minute").lower()
        try:
            wait = float(response.headers.get("Retry-After") or 1)
        except ValueError:
            wait = 1.0
        self.limiter.block_for(wait)
        return wait, problem

    def _raise_for(self, response):
        body = json_or_empty(response)
        if response.status_code == 403:
            from ...services import mark_reconnect_needed

            # AuthenticationUnsuccessful: this organisation is no longer connected to our app.
            detail = first_message(body.get("Detail"), "AuthenticationUnsuccessful")
            mark_reconnect_needed(self.xero_organisation, reason=detail)
            raise AuthRevoked(detail, provider="xero")
        elements = body.get("Elements") or []
        messages = [
            error.get("Message", "")
            for element in elements
            for error in (element.get("ValidationErrors") or [])
        ]
        raise PermanentError(
            str(body.get("Type") or body.get("Title") or response.status_code),
            first_message(messages[0] if messages else "", body.get("Message"), body.get("Detail"),
                          response.text[:300]),
            status=response.status_code,
            provider="xero",
        )

    def _still_in_progress(self, response) -> bool:
        return "idempotency-key" in response.text[:2000].lower() and "in progress" in response.text[:2000].lower()

    def _mark_success(self, response) -> None:
        remaining = response.headers.get("X-DayLimit-Remaining")
        changes = {"last_successful_call_at": timezone.now()}
        if remaining is not None and remaining.isdigit():
            changes["day_limit_remaining"] = int(remaining)
        XeroOrganisation.objects.filter(pk=self.xero_organisation.pk).update(**changes)

    # --- plumbing ----------------------------------------------------------------------------------
    def _get(self, path: str, *, params=None, modified_since: datetime | None = None) -> dict:
        headers = {"If-Modified-Since": _modified_since(modified_since)} if modified_since else None
        return json_or_empty(self.request("GET", f"{self.base_url}/{path}", params=params, headers=headers))

    def _write(self, method: str, path: str, collection: str, elements: list[dict], *, key: str | None,
               params=None) -> list[ElementResult]:
        results: list[ElementResult] = []
        for start in range(0, len(elements), WRITE_BATCH):
            chunk = elements[start : start + WRITE_BATCH]
            payload = {collection: chunk}
            headers = {"Idempotency-Key": idempotency_key(self.xero_organisation.tenant_id, method, path,
                                                          key or "", payload=payload)}
            response = self.request(method, f"{self.base_url}/{path}", json=payload, headers=headers,
                                    params={"summarizeErrors": "false", **(params or {})})
            echoed = json_or_empty(response).get(collection) or []
            results.extend(self._element_results(chunk, echoed, collection))
        return results

    @staticmethod
    def _element_results(sent: list[dict], echoed: list[dict], collection: str) -> list[ElementResult]:
        id_field = {"Contacts": "ContactID", "Items": "ItemID", "Invoices": "InvoiceID",
                    "Payments": "PaymentID"}.get(collection, "")
        results = []
        for index, _element in enumerate(sent):
            data = echoed[index] if index < len(echoed) else {}
            errors = [e.get("Message", "") for e in (data.get("ValidationErrors") or [])]
            warnings = [w.get("Message", "") for w in (data.get("Warnings") or [])]
            failed = bool(errors) or data.get("HasErrors") or data.get("HasValidationErrors") or \
                data.get("StatusAttributeString") == "ERROR" or not data
            results.append(ElementResult(
                ok=not failed, id=str(data.get(id_field) or ""), data=data,
                errors=errors or ([] if data else ["Xero returned no result for this element."]),
                warnings=warnings, status=str(data.get("StatusAttributeString") or ""),
            ))
        return results

    def _paged(self, path: str, collection: str, *, params: dict, modified_since=None) -> Iterator[dict]:
        page = 1
        while True:
            body = self._get(path, params={**params, "page": page, "pageSize": PAGE_SIZE},
                             modified_since=modified_since)
            rows = body.get(collection) or []
            yield from rows
            page_count = (body.get("pagination") or {}).get("pageCount")
            if len(rows) < PAGE_SIZE or (page_count is not None and page >= page_count):
                return
            page += 1

    def _by_ids(self, path: str, collection: str, ids: Iterable[str]) -> list[dict]:
        ids = [str(i) for i in ids if i]
        rows: list[dict] = []
        for start in range(0, len(ids), IDS_PER_GET):
            chunk = ids[start : start + IDS_PER_GET]
            # includeArchived=true: a read by id must also return archived contacts (and deleted invoices),
            # whether or not Xero applies its list filter to IDs reads (it does not document either way).
            rows.extend(self._paged(path, collection, params={"IDs": ",".join(chunk), "includeArchived": "true"}))
        return rows

    # --- organisation and reference data -----------------------------------------------------------
    def get_organisation(self) -> dict:
        return (self._get("Organisation").get("Organisations") or [{}])[0]

    def get_accounts(self, where: str | None = None) -> list[dict]:
        return self._get("Accounts", params={"where": where} if where else None).get("Accounts") or []

    def get_tax_rates(self) -> list[dict]:
        return self._get("TaxRates").get("TaxRates") or []

    def get_currencies(self) -> list[dict]:
        """GET /Currencies (accounting.settings): the organisation's enabled currencies, `{"Code", "Description"}`."""
        return self._get("Currencies").get("Currencies") or []

    # --- contacts ----------------------------------------------------------------------------------
    def iter_contacts(self, modified_since: datetime | None = None, include_archived: bool = False,
                      where: str | None = None, summary_only: bool = False) -> Iterator[dict]:
        """`summary_only`: Xero's lighter answer (no addresses, phones or contact persons)."""
        params = {"includeArchived": "true"} if include_archived else {}
        if summary_only:
            params["summaryOnly"] = "true"
        if where:
            params["where"] = where
        return self._paged("Contacts", "Contacts", params=params, modified_since=modified_since)

    def get_contacts_by_ids(self, ids: Iterable[str]) -> list[dict]:
        return self._by_ids("Contacts", "Contacts", ids)

    def save_contacts(self, contacts: list[dict], create_only: bool = False,
                      idempotency_key: str | None = None) -> list[ElementResult]:
        """PUT (create only) or POST (create or update) /Contacts; one result per contact."""
        return self._write("PUT" if create_only else "POST", "Contacts", "Contacts", contacts, key=idempotency_key)

    def archive_contacts(self, ids: Iterable[str], idempotency_key: str | None = None) -> list[ElementResult]:
        contacts = [{"ContactID": str(i), "ContactStatus": "ARCHIVED"} for i in ids]
        return self._write("POST", "Contacts", "Contacts", contacts, key=idempotency_key)

    # --- items -------------------------------------------------------------------------------------
    def get_items(self, modified_since: datetime | None = None, where: str | None = None) -> list[dict]:
        """Items have no paging: one GET returns them all."""
        return self._get("Items", params={"where": where} if where else None,
                         modified_since=modified_since).get("Items") or []

    def iter_items(self, modified_since: datetime | None = None, where: str | None = None) -> Iterator[dict]:
        return iter(self.get_items(modified_since=modified_since, where=where))

    def save_items(self, items: list[dict], create_only: bool = False,
                   idempotency_key: str | None = None) -> list[ElementResult]:
        return self._write("PUT" if create_only else "POST", "Items", "Items", items, key=idempotency_key,
                           params={"unitdp": 4})

    def delete_item(self, item_id: str) -> None:
        self.request("DELETE", f"{self.base_url}/Items/{item_id}")

    # --- invoices ----------------------------------------------------------------------------------
    def iter_invoices(self, modified_since: datetime | None = None, statuses: Iterable[str] | None = None,
                      where: str | None = None, summary_only: bool = False) -> Iterator[dict]:
        """`summary_only`: Xero's lighter answer (no line items)."""
        params = {"unitdp": 4}
        if summary_only:
            params["summaryOnly"] = "true"
        if statuses:
            params["Statuses"] = ",".join(statuses)
        if where:
            params["where"] = where
        return self._paged("Invoices", "Invoices", params=params, modified_since=modified_since)

    def get_invoices_by_ids(self, ids: Iterable[str]) -> list[dict]:
        return self._by_ids("Invoices", "Invoices", ids)

    def save_invoices(self, invoices: list[dict], create_only: bool = False,
                      idempotency_key: str | None = None) -> list[ElementResult]:
        """PUT/POST /Invoices. Void or delete by sending {"InvoiceID": ..., "Status": "VOIDED"|"DELETED"}."""
        return self._write("PUT" if create_only else "POST", "Invoices", "Invoices", invoices,
                           key=idempotency_key, params={"unitdp": 4})

    # --- payments ----------------------------------------------------------------------------------
    def get_payments(self, modified_since: datetime | None = None, where: str | None = None) -> list[dict]:
        params = {"where": where} if where else {}
        return list(self._paged("Payments", "Payments", params=params, modified_since=modified_since))
