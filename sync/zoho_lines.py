"""Zoho invoices' line items in bulk: COQL on the line-item subform module, GET by id as the fallback.

Zoho documents the subform as its own module (v8 subforms.html `GET /{subform_API_name}`, and COQL with the
subform's API name in FROM; zoho.md §2). The gateway reads the lines of up to PARENTS_PER_QUERY invoices per
COQL call (`where Parent_Id in (...) or Parent_Id in (...)`, `in` takes at most 50 values, LIMIT 2,000, OFFSET
paging while `more_records`) and assembles each invoice as GET by id returns it. What the bulk rows leave open
is read so that nothing can be written wrongly (sandbox/zoho/README.md "Bulk read paths"):

- **Line order**: rows come in (Parent_Id, id) order; line ids grow as lines are added, which is the order GET by
  id shows for lines written in one go. The order changes no amount.
- **Product lookups**: COQL returns `Product_Name` as `{"id"}`; the name (a line's description fallback) comes
  from the product records this gateway has seen, or one `GET /Products?ids=` per 100 unknown products.
- **Line_Tax** cannot be selected in COQL. A line's tax is `Net_Total - Total_After_Discount`; it is taken as the
  one org tax whose rate gives exactly that value. When no tax or more than one fits, and whenever the value is
  0 while the organisation has a 0 % tax (no tax and a zero-rated tax are indistinguishable), the invoice is
  read by id instead.
- **Completeness**: the parent's `Sub_Total` must equal the sum of its lines' `Total_After_Discount` and its `Tax`
  the sum of their taxes, every line needs a product and a quantity; otherwise (a line missing or extra, a parent
  read without those totals) that invoice is read by id.

An error answer to the bulk path (an edition without it, a permission, an unsupported query: any
PermanentError) switches the gateway to GET by id for the rest of its life and is kept in `fallback_reason`, so
the caller can log it once and say so (audit, job page). Rate limits, outages and revoked grants propagate.
"""

import itertools
import logging
from decimal import Decimal, InvalidOperation

from connections.exceptions import PermanentError

logger = logging.getLogger(__name__)

SUBFORM = "Invoiced_Items"
PARENT = "Invoices"
IN_VALUES = 50  # COQL `in` takes at most 50 values
PARENTS_PER_QUERY = 500  # ten `in` groups of 50: about 1,250 lines (1-4 a invoice) in one LIMIT 2,000 call
LIMIT = 2000
COLUMNS = ("id", "Parent_Id", "Product_Name", "Quantity", "List_Price", "Discount", "Description", "Total",
           "Total_After_Discount", "Net_Total")
CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")


def _money(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return None


def _lookup_id(value) -> str:
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


class LineReader:
    """Reads the lines of Zoho invoices for one gateway (one job slice, one sync run)."""

    def __init__(self, client, *, enabled: bool = True):
        self.client = client
        self.enabled = enabled
        self.fallback_reason = ""  # set when the bulk path answered with an error (the gateway switched)
        self.mismatched: list[str] = []  # invoices whose bulk lines failed the checks (read by id)
        self.by_id: list[str] = []  # every invoice read by id (mismatch or fallback)
        self.product_names: dict[str, str] = {}
        self._taxes: list[dict] | None = None

    # -- what the gateway calls -------------------------------------------------------------------------

    def remember_products(self, rows) -> None:
        for row in rows or []:
            if row.get("id") and row.get("Product_Name"):
                self.product_names[str(row["id"])] = str(row["Product_Name"])

    def complete(self, headers: list[dict]) -> list[dict]:
        """The invoices `headers` (rows of a list or ids read, without lines) with their Invoiced_Items, in the
        same order; an invoice gone meanwhile is left out (as GET by id would)."""
        headers = [row for row in headers if row.get("id")]
        if not headers:
            return []
        assembled: dict[str, dict] = {}
        if self.enabled:
            try:
                assembled = self._bulk(headers)
            except PermanentError as error:
                self._switch_off(error)
                assembled = {}
        missing = [str(row["id"]) for row in headers if str(row["id"]) not in assembled]
        if self.enabled:
            self.mismatched.extend(missing)
        self.by_id.extend(missing)
        for invoice_id in missing:
            record = self.client.get_record(PARENT, invoice_id)
            if record is not None:
                assembled[invoice_id] = record
        return [assembled[str(row["id"])] for row in headers if str(row["id"]) in assembled]

    # -- the bulk path ------------------------------------------------------------------------------------

    def _switch_off(self, error: PermanentError) -> None:
        self.enabled = False
        self.fallback_reason = f"{error.code}: {error.provider_message or error}"[:500]
        logger.warning("Zoho answered the bulk line-item read with %s; reading invoices by id instead",
                       self.fallback_reason)

    def _bulk(self, headers: list[dict]) -> dict[str, dict]:
        lines: dict[str, list[dict]] = {}
        ids = [str(row["id"]) for row in headers if str(row["id"]).isdigit()]  # Zoho ids are digits
        for start in range(0, len(ids), PARENTS_PER_QUERY):
            for row in self._query(ids[start : start + PARENTS_PER_QUERY]):
                lines.setdefault(_lookup_id(row.get("Parent_Id")), []).append(row)
        self._names([_lookup_id(row.get("Product_Name")) for rows in lines.values() for row in rows])
        assembled = {}
        for header in headers:
            record = self._assemble(header, lines.get(str(header["id"]), []))
            if record is not None:
                assembled[str(header["id"])] = record
        return assembled

    def _query(self, parent_ids: list[str]):
        groups = [parent_ids[i : i + IN_VALUES] for i in range(0, len(parent_ids), IN_VALUES)]
        criteria = [f"(Parent_Id in ({', '.join(groups[n])}))" for n in range(len(groups))]
        where = criteria[-1]
        for criterion in reversed(criteria[:-1]):  # (A or (B or C)): brackets pair every two criteria
            where = f"({criterion} or {where})"
        offset = 0
        while True:
            query = (f"select {', '.join(COLUMNS)} from {SUBFORM} where {where} "
                     f"order by Parent_Id, id limit {LIMIT} offset {offset}")
            body = self.client.coql(query)
            yield from body["data"]
            if not body["info"].get("more_records") or not body["data"]:
                return
            offset += len(body["data"])

    def _names(self, product_ids) -> None:
        unknown = sorted({i for i in product_ids if i and i not in self.product_names})
        if unknown:
            self.remember_products(self.client.get_records_by_ids("Products", unknown, fields=["Product_Name"]))

    def taxes(self) -> list[dict]:
        if self._taxes is None:
            self._taxes = [tax for tax in self.client.get_taxes() if tax.get("name")]
        return self._taxes

    def _line_tax(self, base: Decimal, value: Decimal) -> list[dict] | None:
        """The line's Line_Tax from its tax value, or None when it cannot be told for sure."""
        fitting = []
        for tax in self.taxes():
            rate = _money(tax.get("value", tax.get("percentage")))
            # the rounding mode is not documented: half a cent either way fits
            if rate is not None and abs(base * rate / 100 - value) <= HALF_CENT:
                fitting.append((tax, rate))
        if value == 0:
            return [] if not fitting else None  # 0 with a 0 % tax: no tax or zero-rated, unknowable
        if len(fitting) != 1 or self._several_taxes_fit(base, value):
            return None
        tax, rate = fitting[0]
        entry = {"id": str(tax.get("id") or ""), "name": tax["name"], "percentage": float(rate),
                 "value": float(value)}
        if tax.get("display_label"):
            entry["display_name"] = tax["display_label"]
        return [entry]

    def _several_taxes_fit(self, base: Decimal, value: Decimal) -> bool:
        """Whether two or three of the organisation's non-zero taxes together give the line's tax value (10 % + 5 %
        where a 15 % tax exists): a line may carry several taxes, and reading it as the one that fits alone would
        write one Xero rate where the line has two (a read by id shows them, and the job refuses such a line).
        Zero-rated taxes are left out: counting them would send nearly every line of an organisation with a 0 %
        tax to a read by id (sandbox/zoho/README.md says what that leaves)."""
        rates = [rate for rate in (_money(tax.get("value", tax.get("percentage"))) for tax in self.taxes())
                 if rate is not None and rate > 0]
        for size in (2, 3):
            for group in itertools.combinations(rates, size):
                if abs(base * sum(group) / 100 - value) <= HALF_CENT:
                    return True
        return False

    def _assemble(self, header: dict, rows: list[dict]) -> dict | None:
        """The invoice with its lines as GET by id shows them, or None when the rows fail a check."""
        sub_total, tax_total = _money(header.get("Sub_Total")), _money(header.get("Tax"))
        if sub_total is None or tax_total is None or not rows:
            return None
        lines, lines_total, lines_tax = [], Decimal(0), Decimal(0)
        for row in rows:
            product = _lookup_id(row.get("Product_Name"))
            after, net = _money(row.get("Total_After_Discount")), _money(row.get("Net_Total"))
            if not product or row.get("Quantity") in (None, "") or after is None or net is None:
                return None
            line_tax = self._line_tax(after, net - after)
            if line_tax is None or product not in self.product_names:
                return None
            lines_total += after
            lines_tax += net - after
            line = {column: row.get(column) for column in COLUMNS if column != "Parent_Id"}
            line["Product_Name"] = {"id": product, "name": self.product_names[product]}
            line["Line_Tax"] = line_tax
            lines.append(line)
        if lines_total != sub_total or lines_tax != tax_total:
            return None
        return {**header, SUBFORM: lines}
