"""Two in-memory providers, a link store and an audit sink: the engine's test bench (no database, no HTTP)."""

import itertools
from datetime import date

from sync.engine import invoice_rules
from sync.engine.batch import run_batch
from sync.engine.memory import MemoryAudit, MemoryGateway, MemoryLinkStore
from sync.engine.modules import XERO, ZOHO, sides, spec
from sync.engine.operations import DependencyMissing, Policy, TransformError, Transforms
from sync.engine.planner import is_deleted_record

TODAY = date(2030, 6, 1)


def account_to_xero(record):
    return {"Name": record.get("Account_Name"), "EmailAddress": record.get("Email"), "AccountNumber": record.get("Account_Number")}


def account_to_zoho(record):
    return {"Account_Name": record.get("Name"), "Email": record.get("EmailAddress"), "Account_Number": record.get("AccountNumber")}


def product_to_xero(record):
    if not record.get("Product_Code"):
        raise TransformError("The product has no Product Code (the Xero item code).")
    return {"Code": record["Product_Code"], "Name": record.get("Product_Name"), "SalesDetails": {"UnitPrice": record.get("Unit_Price")}}


def product_to_zoho(record):
    return {"Product_Code": record.get("Code"), "Product_Name": record.get("Name"), "Unit_Price": (record.get("SalesDetails") or {}).get("UnitPrice")}


class World:
    def __init__(self):
        clock = itertools.count(1)
        self.zoho = MemoryGateway(ZOHO, clock=clock)
        self.xero = MemoryGateway(XERO, clock=clock)
        self.store = MemoryLinkStore()
        self.audit = MemoryAudit()
        self.policies = {}
        self.currencies = None

    def policy(self, module, direction, **changes):
        self.policies[(module, direction)] = Policy(today=TODAY, **changes)

    def transforms(self, module):
        if module == "accounts":
            return Transforms(account_to_xero, account_to_zoho)
        if module == "products":
            return Transforms(product_to_xero, product_to_zoho)

        def invoice_to_xero(record):
            account_id = (record.get("Account_Name") or {}).get("id")
            link = self.store.index_for("accounts").get(ZOHO, account_id)
            if link is None:
                raise DependencyMissing("account", account_id, (record.get("Account_Name") or {}).get("name", ""))
            payload = {
                "Type": "ACCREC",
                "InvoiceNumber": record.get("Invoice_Number"),
                "Contact": {"ContactID": link.xero_id},
                "CurrencyCode": record.get("Currency"),
                "Status": {"Approved": "AUTHORISED", "Paid": "PAID"}.get(record.get("Status"), "DRAFT"),
                "LineItems": [{"Description": line.get("Description"), "Quantity": line.get("Quantity")}
                              for line in record.get("Invoiced_Items", [])],
            }
            return payload

        def invoice_to_zoho(record):
            contact = (record.get("Contact") or {}).get("ContactID")
            link = self.store.index_for("accounts").get(XERO, contact)
            payload = {"Invoice_Number": record.get("InvoiceNumber"), "Amount_Due": record.get("AmountDue")}
            if link is not None:
                payload["Account_Name"] = {"id": link.zoho_id}
            status = invoice_rules.zoho_status(record, TODAY)
            if status:
                payload["Status"] = status
            return payload

        return Transforms(invoice_to_xero, invoice_to_zoho)

    def sync(self, module, direction, deleted_ids=(), only=None):
        source_side, target_side = sides(direction)
        source = self.zoho if source_side == ZOHO else self.xero
        target = self.xero if target_side == XERO else self.zoho
        records = [dict(r) for r in source.records.get(module, {}).values()]
        if only is not None:
            records = [r for r in records if spec(module).record_id(source_side, r) in only]
        policy = self.policies.get((module, direction)) or Policy(today=TODAY, enabled_currencies=self.currencies)
        if policy.enabled_currencies is None:
            policy.enabled_currencies = self.currencies
        return run_batch(
            module,
            direction,
            sources=records,
            deleted_ids=deleted_ids,
            target=target,
            links=self.store.index_for(module),
            store=self.store.for_module(module),
            audit=self.audit,
            policy=policy,
            transforms=self.transforms(module),
        )

    def writes(self):
        return self.zoho.writes + self.xero.writes

    def messages(self):
        return [entry["message_key"] for entry in self.audit.entries]


__all__ = ["World", "is_deleted_record"]
