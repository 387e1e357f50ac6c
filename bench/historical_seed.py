"""Seeding the sandbox for bench.historical quickly (seeding is not what is measured).

Zoho: the emulator's own seed already uses bulk inserts. Xero: its seed goes through the emulator's validation
rules record by record (about a minute per 1,000 of each), so the bench seeds TEMPLATES records of each kind
that way, then bulk-inserts copies of them straight into the sandbox database with new ids, names, codes and
numbers (the copies are what the rules produced, so they are as valid as the originals). Paid invoices are
not copied (their payments would have to be copied too).
"""

from __future__ import annotations

import copy
import uuid

TEMPLATES = 60


def seed_xero(n: int) -> None:
    from django.db import transaction

    from sandbox.services import seed
    from sandbox.xero.models import Contact, Invoice, Item, Organisation

    first = min(n, TEMPLATES)
    seed(zoho={"accounts": 0, "products": 0, "invoices": 0},
         xero={"contacts": first, "items": first, "invoices": first})
    extra = n - first
    if extra <= 0:
        return
    with transaction.atomic(using="sandbox"):
        for organisation in Organisation.objects.using("sandbox").all():
            contacts = list(Contact.objects.using("sandbox").filter(organisation=organisation, status="ACTIVE"))
            items = list(Item.objects.using("sandbox").filter(organisation=organisation))
            invoices = [invoice for invoice in Invoice.objects.using("sandbox").filter(organisation=organisation)
                        if invoice.status != "PAID" and not invoice.data.get("FullyPaidOnDate")]
            if not (contacts and items and invoices):
                continue
            new_contacts = []
            for index in range(extra):
                template = contacts[index % len(contacts)]
                new_contacts.append(Contact(
                    id=uuid.uuid4(), organisation=organisation, data=copy.deepcopy(template.data),
                    updated_at=template.updated_at, name=f"{template.name} B{index + 1}",
                    contact_number=f"BCUST-{index + 1:05d}" if template.contact_number else "", status="ACTIVE"))
            Contact.objects.using("sandbox").bulk_create(new_contacts, batch_size=1000)
            new_items = []
            for index in range(extra):
                template = items[index % len(items)]
                data = copy.deepcopy(template.data)
                data["Name"] = f"B{index + 1} {data.get('Name', '')}"[:50]
                new_items.append(Item(id=uuid.uuid4(), organisation=organisation, data=data,
                                      updated_at=template.updated_at, code=f"BITEM-{index + 1:05d}"))
            Item.objects.using("sandbox").bulk_create(new_items, batch_size=1000)
            new_invoices = []
            for index in range(extra):
                template = invoices[index % len(invoices)]
                data = copy.deepcopy(template.data)
                for line in data.get("LineItems") or []:
                    if "LineItemID" in line:
                        line["LineItemID"] = str(uuid.uuid4())
                if data.get("Reference"):
                    data["Reference"] = f"{data['Reference']}-B{index + 1}"
                new_invoices.append(Invoice(
                    id=uuid.uuid4(), organisation=organisation, data=data, updated_at=template.updated_at,
                    type=template.type, number=f"BINV-{index + 1:05d}", status=template.status,
                    contact=new_contacts[index % len(new_contacts)]))
            Invoice.objects.using("sandbox").bulk_create(new_invoices, batch_size=1000)
