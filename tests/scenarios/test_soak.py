"""A randomised soak of the messy world (README "Several Xero organisations on one Zoho CRM"): a seeded random walk
of creates, edits and deletes on either side, covering accounts, contact persons, products and invoices (Xero
invoices with lines without an item sometimes; some edits to the same record on both sides between two syncs),
interleaved with On Save notifications, Xero webhooks, cron passes
and Copy to Xero across both organisations, then one reconciliation (the nightly full pass,
`cron.run_organisation(full=True)`). Afterwards: both sides agree through the mapping, the links are one-to-one
per organisation, nothing is duplicated, and every conflict was resolved by the module's policy with the losing
values in its audit entry.

The walk runs the trigger tasks in this process (eagerly, as the SQLite runs of the scenarios do), on PostgreSQL
and Redis when configured: the walk is then the same for the same seed (but see below), so a failing seed can
usually be replayed. Real
Celery workers and concurrent cron passes are the messy world's test (`test_messy_world.py`).

`make test` runs three fixed seeds (11, 23, 42) of 100 steps each, 300 operations in all; `make soak SEED=7
STEPS=2000` runs one walk of any length (environment SOAK_SEED / SOAK_STEPS; `make soak` defaults to 300 steps).
A failing walk shows its seed and its last steps.

Cost: one 300-step walk took 146 s user + 27 s system CPU on PostgreSQL and Redis (2-core machine shared with
seven other test runs), and 130 s of wall time on SQLite with the machine loaded by a PostgreSQL run of the
suite: two such walks in `make test` took the whole suite past its 20-minute budget. A 100-step walk takes about
40 s on an idle machine (seed 42 on SQLite: 39 s). Seeds 11 and 23 have passed at 300 steps on PostgreSQL;
longer walks are `make soak`'s.

Contact persons (Zoho contacts created under accounts, their first names edited) are asserted in every run, like
accounts and products. Seed 23 once ended with a Zoho contact whose First_Name edit never reached its Xero
contact person in the AU organisation (Zoho "Chloe Walker7", Xero person still "Ben Walker7"; that walk's
trace was not kept and the seed has not walked that way again, see below). The engine path that leaves exactly
this state, found by reading it and reproduced in `tests/sync/test_person_of_a_deleted_account.py`: the
contact's account deleted in Zoho while Delete is off (the walk's zoho_delete) closes the account's link and
keeps its Xero contact, and every later edit of the account's Zoho contacts was refused as "account not
linked", the nightly reconciliation included. Persons now stay where they live (`PersonsToXero._home`).

A seed replays the same choices only as long as the worlds agree: which record a step picks depends on what
the syncs left, and conflicts are decided by the providers' clocks (whole seconds in Zoho), so the same seed on a
machine under a different load can walk differently. The failing walk's log (its last steps) is the reliable
record; cut a small test from it."""

import os
import random
import re
import time
from datetime import UTC, datetime

import pytest

from audit.models import AuditEntry
from mapping import taxes as mapping_taxes
from sync.engine import messages
from sync.models import LinkState, RecordLink
from sync.triggers import copy, cron, tasks

from .test_messy_world import AU_ONLY, UK_ONLY, _duplicates, _ok, route_by_billing_country
from .world import Inbox, World, connect_two, deliver, go_live

SEEDS = [int(os.environ["SOAK_SEED"])] if os.environ.get("SOAK_SEED") else [11, 23, 42]
STEPS = int(os.environ.get("SOAK_STEPS") or 100)
NAMES = ["Harbour", "Acme", "Silverline", "Northwind", "Kiwi", "Thames", "Outback", "Leeds", "Bondi", "Clyde"]
PEOPLE = ["Ada", "Ben", "Chloe", "Dev", "Emma", "Finn", "Grace", "Hugo"]
COUNTRIES = [AU_ONLY, UK_ONLY, "New Zealand", ""]
CURRENCIES = {AU_ONLY: "AUD", UK_ONLY: "GBP"}  # a Zoho invoice in its organisation's base currency
SUFFIX = re.compile(r" \(\d+\)$")


@pytest.fixture
def soak_world(sandbox, owner_client, organisation, owner, settings, monkeypatch):
    """The messy world's two organisations on one Zoho CRM, empty, with the trigger tasks run in this process."""
    zoho, orgs = connect_two(sandbox, owner_client, organisation, owner, settings)
    inbox = Inbox()
    for task in (tasks.zoho_changed_task, tasks.xero_changed_task):
        monkeypatch.setattr(task, "apply_async",
                            lambda args=None, kwargs=None, _task=task, **options: _task.apply(args, kwargs))
    yield World(organisation, zoho, orgs, sandbox, inbox, real_workers=False)
    inbox.close()


class Walk:
    def __init__(self, world, rng: random.Random):
        self.world, self.rng = world, rng
        self.log: list[str] = []
        self.zoho_names: list[str] = []  # names the walk gave Zoho accounts (same-name duplicates are the user's)
        self.counter = 0

    def _name(self) -> str:
        return f"{self.rng.choice(NAMES)} {self.rng.choice(['Traders', 'Ltd', 'Co'])}"

    def _number(self) -> int:
        self.counter += 1
        return self.counter

    def _phone(self) -> str:
        return f"+44 20 {self.rng.randrange(1000, 9999)} {self.rng.randrange(1000, 9999)}"

    def _price(self) -> int:
        return self.rng.randrange(5, 500)

    def _zoho(self, module: str, fields=("id",)):
        return list(self.world.zoho.iter_records(module, list(fields)))

    def _contacts(self, org):
        return [c for c in org.xero.iter_contacts() if c.get("ContactStatus", "ACTIVE") == "ACTIVE"]

    def _linked(self, module: str):
        links = list(RecordLink.objects.filter(module=module, state=LinkState.LINKED,
                                               organisation=self.world.organisation))
        if not links:
            return None, None
        link = self.rng.choice(links)
        return link, next(o for o in self.world.orgs if o.xero_organisation.pk == link.xero_organisation_id)

    # -- accounts ----------------------------------------------------------------------------------------------

    def zoho_create(self):
        name = self._name()
        self.zoho_names.append(name)
        _ok(self.world.zoho.insert_records("Accounts", [{"Account_Name": name, "Phone": self._phone(),
                                                          "Billing_Country": self.rng.choice(COUNTRIES)}]))
        return name

    def zoho_edit(self):
        accounts = self._zoho("Accounts", ["Account_Name"])
        if not accounts:
            return None
        account = self.rng.choice(accounts)
        _ok(self.world.zoho.update_records("Accounts", [{"id": account["id"], "Phone": self._phone()}]))
        return account["Account_Name"]

    def zoho_delete(self):
        accounts = self._zoho("Accounts", ["Account_Name"])
        if len(accounts) < 6:
            return None
        account = self.rng.choice(accounts)
        _ok(self.world.zoho.delete_records("Accounts", [account["id"]]))
        return account["Account_Name"]

    def xero_create(self):
        org = self.rng.choice(self.world.orgs)
        name = self._name()
        if name in [c["Name"] for c in self._contacts(org)]:
            return None  # Xero refuses a second active contact of the same name
        _ok(org.xero.save_contacts([{"Name": name, "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": self._phone()}]}],
                                   create_only=True))
        return f"{org.name}: {name}"

    def xero_edit(self):
        org = self.rng.choice(self.world.orgs)
        contacts = self._contacts(org)
        if not contacts:
            return None
        contact = self.rng.choice(contacts)
        _ok(org.xero.save_contacts([{"ContactID": contact["ContactID"],
                                     "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": self._phone()}]}]))
        return f"{org.name}: {contact['Name']}"

    def xero_archive(self):
        org = self.rng.choice(self.world.orgs)
        contacts = self._contacts(org)
        if len(contacts) < 6:
            return None
        contact = self.rng.choice(contacts)
        _ok(org.xero.archive_contacts([contact["ContactID"]]))
        return f"{org.name}: {contact['Name']}"

    def both_sides(self):
        """The same linked record edited in Zoho and in Xero before either change is synced: a conflict."""
        link, org = self._linked("accounts")
        if link is None:
            return None
        if not org.xero.get_contacts_by_ids([link.xero_id]) or not self.world.zoho.get_record("Accounts", link.zoho_id):
            return None
        _ok(self.world.zoho.update_records("Accounts", [{"id": link.zoho_id, "Phone": self._phone()}]))
        _ok(org.xero.save_contacts([{"ContactID": link.xero_id,
                                     "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": self._phone()}]}]))
        return f"{org.name}: {link.name}"

    # -- contact persons (Zoho contacts of an account) -----------------------------------------------------------

    def person_create(self):
        accounts = self._zoho("Accounts", ["Account_Name"])
        if not accounts:
            return None
        account = self.rng.choice(accounts)
        first, last = self.rng.choice(PEOPLE), f"Walker{self._number()}"
        _ok(self.world.zoho.insert_records("Contacts", [{
            "First_Name": first, "Last_Name": last, "Email": f"{first}.{last}@example.com".lower(),
            "Account_Name": {"id": account["id"]}}]))
        return f"{first} {last} at {account['Account_Name']}"

    def person_edit(self):
        people = self._zoho("Contacts", ["Last_Name"])
        if not people:
            return None
        person = self.rng.choice(people)
        _ok(self.world.zoho.update_records("Contacts", [{"id": person["id"], "First_Name": self.rng.choice(PEOPLE)}]))
        return person["Last_Name"]

    # -- products ------------------------------------------------------------------------------------------------

    def product_create(self):
        number = self._number()
        record = {"Product_Name": f"Cable kit {number}", "Unit_Price": self._price()}
        if self.rng.random() < 0.5:
            record["Product_Code"] = f"CK{number}"
        _ok(self.world.zoho.insert_records("Products", [record]))
        return record["Product_Name"]

    def product_edit(self):
        products = self._zoho("Products", ["Product_Name"])
        if not products:
            return None
        product = self.rng.choice(products)
        _ok(self.world.zoho.update_records("Products", [{"id": product["id"], "Unit_Price": self._price()}]))
        return product["Product_Name"]

    def item_create(self):
        org = self.rng.choice(self.world.orgs)
        number = self._number()
        _ok(org.xero.save_items([{"Code": f"W{number}", "Name": f"Widget {number}",
                                  "SalesDetails": {"UnitPrice": self._price()}}], create_only=True))
        return f"{org.name}: Widget {number}"

    def item_edit(self):
        org = self.rng.choice(self.world.orgs)
        items = org.xero.get_items()
        if not items:
            return None
        item = self.rng.choice(items)
        _ok(org.xero.save_items([{"ItemID": item["ItemID"], "Code": item["Code"],
                                  "SalesDetails": {"UnitPrice": self._price()}}]))
        return f"{org.name}: {item['Name']}"

    def product_both_sides(self):
        link, org = self._linked("products")
        if link is None:
            return None
        items = {i["ItemID"]: i for i in org.xero.get_items()}
        if link.xero_id not in items or not self.world.zoho.get_record("Products", link.zoho_id):
            return None
        _ok(self.world.zoho.update_records("Products", [{"id": link.zoho_id, "Unit_Price": self._price()}]))
        _ok(org.xero.save_items([{"ItemID": link.xero_id, "Code": items[link.xero_id]["Code"],
                                  "SalesDetails": {"UnitPrice": self._price()}}]))
        return f"{org.name}: {link.name}"

    # -- invoices (Xero lines without an item sometimes: they take the organisations' product for such lines) ----

    def _due(self) -> str:
        return f"2026-12-{self.rng.randrange(1, 29):02d}"

    def zoho_invoice_create(self):
        accounts = self._zoho("Accounts", ["Account_Name", "Billing_Country"])
        # products with a code: one without cannot become a Xero item (its failure, and the invoice waiting on it,
        # are the products' walk's; here the invoice itself is what is walked)
        products = [p for p in self._zoho("Products", ["Product_Name", "Product_Code", "Unit_Price"])
                    if p.get("Product_Code")]
        if not accounts or not products:
            return None
        account = self.rng.choice(accounts)
        lines = [{"Product_Name": {"id": product["id"]}, "Quantity": self.rng.randrange(1, 5),
                  "List_Price": float(product.get("Unit_Price") or 10)}
                 for product in self.rng.sample(products, min(len(products), self.rng.choice([1, 2])))]
        record = {"Subject": f"Order {self._number()}", "Account_Name": {"id": account["id"]}, "Status": "Approved",
                  "Invoice_Date": "2026-11-20", "Due_Date": self._due(), "Invoiced_Items": lines}
        currency = CURRENCIES.get(account.get("Billing_Country") or "")
        if currency:
            record["Currency"] = currency
        _ok(self.world.zoho.insert_records("Invoices", [record]))
        return f"{record['Subject']} for {account['Account_Name']}"

    def zoho_invoice_edit(self):
        invoices = self._zoho("Invoices", ["Subject"])
        if not invoices:
            return None
        invoice = self.rng.choice(invoices)
        _ok(self.world.zoho.update_records("Invoices", [{"id": invoice["id"], "Due_Date": self._due()}]))
        return invoice["Subject"]

    def xero_invoice_create(self):
        org = self.rng.choice(self.world.orgs)
        contacts = self._contacts(org)
        if not contacts:
            return None
        lines = []
        items = org.xero.get_items()
        if items and self.rng.random() < 0.7:
            item = self.rng.choice(items)
            lines.append({"ItemCode": item["Code"], "Description": item["Name"], "Quantity": self.rng.randrange(1, 5),
                          "UnitAmount": self._price(), "AccountCode": "200"})
        if not lines or self.rng.random() < 0.4:  # a line without an item: freight, call-out fee
            lines.append({"Description": self.rng.choice(["Freight to site", "Call-out fee", "Materials"]),
                          "Quantity": 1, "UnitAmount": self._price(), "AccountCode": "200"})
        number = self._number()
        invoice = {"Type": "ACCREC", "Contact": {"ContactID": self.rng.choice(contacts)["ContactID"]},
                   "InvoiceNumber": f"{org.name[-3:-1]}-{number}", "Reference": f"PO {number}",
                   "Status": self.rng.choice(["DRAFT", "AUTHORISED"]), "Date": "2026-11-20", "DueDate": self._due(),
                   "LineItems": lines}
        _ok(org.xero.save_invoices([invoice], create_only=True))
        return f"{org.name}: {invoice['InvoiceNumber']} ({len(lines)} lines)"

    def _xero_invoices(self, org):
        return [i for i in org.xero.iter_invoices() if i.get("Type") == "ACCREC"
                and i.get("Status") in ("DRAFT", "SUBMITTED", "AUTHORISED")]

    def xero_invoice_edit(self):
        org = self.rng.choice(self.world.orgs)
        invoices = self._xero_invoices(org)
        if not invoices:
            return None
        invoice = self.rng.choice(invoices)
        _ok(org.xero.save_invoices([{"InvoiceID": invoice["InvoiceID"], "DueDate": self._due()}]))
        return f"{org.name}: {invoice['InvoiceNumber']}"

    def invoice_both_sides(self):
        link, org = self._linked("invoices")
        if link is None:
            return None
        live = {i["InvoiceID"] for i in self._xero_invoices(org)}
        if link.xero_id not in live or not self.world.zoho.get_record("Invoices", link.zoho_id):
            return None
        _ok(self.world.zoho.update_records("Invoices", [{"id": link.zoho_id, "Due_Date": self._due()}]))
        _ok(org.xero.save_invoices([{"InvoiceID": link.xero_id, "DueDate": self._due()}]))
        return f"{org.name}: {link.name}"

    # -- triggers ------------------------------------------------------------------------------------------------

    def live(self):
        rounds = deliver(self.world)
        return f"{len(rounds)} rounds"

    def cron(self):
        cron.run_organisation(self.world.organisation)
        return "both organisations"

    def copy_to_xero(self):
        module, zoho_module = self.rng.choice([("accounts", "Accounts"), ("products", "Products")])
        records = self._zoho(zoho_module)
        if not records:
            return None
        record = self.rng.choice(records)
        copy.copy_record(self.world.organisation, module, record["id"])
        return f"{module} {record['id']}"

    # Mostly changes; the syncs between them let several changes (and conflicts) pile up, as in real life.
    OPERATIONS = [
        ("zoho_create", 10), ("zoho_edit", 14), ("zoho_delete", 2), ("xero_create", 10), ("xero_edit", 14),
        ("xero_archive", 2), ("both_sides", 7), ("person_create", 5), ("person_edit", 5), ("product_create", 5),
        ("product_edit", 6), ("item_create", 4), ("item_edit", 6), ("product_both_sides", 4), ("live", 3),
        ("cron", 1), ("copy_to_xero", 1), ("zoho_invoice_create", 3), ("zoho_invoice_edit", 3),
        ("xero_invoice_create", 3), ("xero_invoice_edit", 3), ("invoice_both_sides", 1),
    ]

    def step(self, number: int) -> None:
        names, weights = zip(*self.OPERATIONS, strict=True)
        operation = self.rng.choices(names, weights)[0]
        started = time.monotonic()
        outcome = getattr(self, operation)()
        self.log.append(f"{number}: {operation} {outcome or '(nothing to do)'} ({time.monotonic() - started:.2f}s)")


def _phone(contact) -> str:
    for phone in contact.get("Phones") or []:
        if phone.get("PhoneType") == "DEFAULT":
            return phone.get("PhoneNumber") or ""
    return ""


def _links(org, module):
    everything = list(RecordLink.objects.filter(xero_organisation=org.xero_organisation, module=module))
    linked = [link for link in everything if link.state == LinkState.LINKED]
    # one-to-one per organisation
    assert not _duplicates(link.zoho_id for link in linked) and not _duplicates(link.xero_id for link in linked)
    return everything, linked


def _entries(**filters):
    return [(e.xero_tenant_name, e.module, e.direction, e.action, e.status, e.record_name, e.message_key,
             e.message_params, e.provider_error) for e in AuditEntry.objects.filter(**filters)]


def _linked_to_anothers_record_unchanged(org, link, account) -> bool:
    """A contact of this organisation matched to a Zoho account that another organisation brought to Zoho (its
    Xero-id field holds that organisation's contact) is only linked: linking is not a change, so this ledger's values
    do not overwrite the other's (sync.engine.planner `_owned_elsewhere`). Until either side really changes, the two
    may differ by design; after a change (an update entry in either direction) they agree again."""
    marker = str(account.get("Xero_Contact_ID") or "")
    if not marker or marker == link.xero_id:
        return False
    latest = (AuditEntry.objects.filter(xero_tenant_id=org.xero_organisation.tenant_id, module="accounts",
                                        xero_id=link.xero_id, status="success")
              .exclude(action="skip").order_by("-created_at").values_list("action", flat=True).first())
    return latest == "match"


def assert_accounts_agree(world, walk, context):
    zoho = {r["id"]: r for r in world.zoho.iter_records("Accounts", ["Account_Name", "Phone", "Xero_Contact_ID"])}
    for org in world.orgs:
        contacts = {c["ContactID"]: c for c in org.xero.iter_contacts(include_archived=True)}
        all_links, links = _links(org, "accounts")
        active = {i: c for i, c in contacts.items() if c.get("ContactStatus", "ACTIVE") == "ACTIVE"}
        # every active contact of the organisation reached Zoho (Xero -> Zoho creates everything) and is linked;
        # a link is "deleted" when its Zoho account was deleted while Delete is off (the contact stays, by policy).
        # A contact of a Zoho contact (a person's own Xero contact) belongs to the contacts module.
        linked_xero = {link.xero_id for link in all_links} | {
            link.xero_id for link in RecordLink.objects.filter(xero_organisation=org.xero_organisation,
                                                               module="contacts")}
        unlinked = set(active) - linked_xero
        assert not unlinked, (org.name, [active[i]["Name"] for i in unlinked], _entries(xero_id__in=unlinked), context)
        assert not _duplicates(c["Name"] for c in active.values()), (org.name, context)
        for link in links:  # agreement through the mapping, for pairs that exist and are active on both sides
            contact, account = active.get(link.xero_id), zoho.get(link.zoho_id)
            if contact is None or account is None:
                continue
            assert SUFFIX.sub("", contact["Name"]) == account["Account_Name"], (org.name, contact, account, context)
            if _linked_to_anothers_record_unchanged(org, link, account):
                continue
            assert _phone(contact) == (account.get("Phone") or ""), (
                org.name, contact["Name"], _phone(contact), account.get("Phone"),
                _entries(zoho_id=link.zoho_id, module="accounts"), context)
    # Zoho: one account per Xero contact, and same-named accounts only as many as the walk itself made in Zoho
    markers = [r.get("Xero_Contact_ID") for r in zoho.values() if r.get("Xero_Contact_ID")]
    assert not _duplicates(markers), context
    made = {name: walk.zoho_names.count(name) for name in set(walk.zoho_names)}
    for name, count in _duplicates(r["Account_Name"] for r in zoho.values()).items():
        assert count <= made.get(name, 0) + 1, (name, count, context)  # + the one a Xero contact may bring


def assert_products_agree(world, context):
    zoho = {r["id"]: r for r in world.zoho.iter_records("Products", ["Product_Name", "Product_Code", "Unit_Price"])}
    assert not _duplicates(r["Product_Name"] for r in zoho.values()), context
    for org in world.orgs:
        items = {i["ItemID"]: i for i in org.xero.get_items()}
        assert not _duplicates(i["Code"] for i in items.values()), (org.name, context)
        assert not _duplicates(i["Name"] for i in items.values()), (org.name, context)
        _all, links = _links(org, "products")
        unlinked = set(items) - {link.xero_id for link in _all}
        assert not unlinked, (org.name, [items[i]["Name"] for i in unlinked], _entries(xero_id__in=unlinked), context)
        for link in links:
            item, product = items.get(link.xero_id), zoho.get(link.zoho_id)
            if item is None or product is None:
                continue
            assert item["Name"] == product["Product_Name"], (org.name, item, product, context)
            price = (item.get("SalesDetails") or {}).get("UnitPrice")
            assert float(price or 0) == float(product.get("Unit_Price") or 0), (
                org.name, item["Name"], price, product.get("Unit_Price"),
                _entries(zoho_id=link.zoho_id, module="products"), context)


def assert_persons_agree(world, context):
    zoho = {r["id"]: r for r in world.zoho.iter_records("Contacts", ["First_Name", "Last_Name", "Email"])}
    for org in world.orgs:
        contacts = {c["ContactID"]: c for c in org.xero.iter_contacts(include_archived=True)}
        _all, links = _links(org, "contacts")
        for link in links:
            person = zoho.get(link.zoho_id)
            contact_id = link.xero_id.split(":", 1)[0]
            contact = contacts.get(contact_id)
            if person is None or contact is None or ":" not in link.xero_id:
                continue  # gone on a side, or a Zoho contact with a Xero contact of its own
            persons = [(p.get("FirstName"), p.get("LastName")) for p in contact.get("ContactPersons") or []]
            assert (person.get("First_Name"), person["Last_Name"]) in persons, (
                org.name, contact["Name"], person, persons, _entries(zoho_id=link.zoho_id, module="contacts"),
                context)


def _date(value) -> str:
    """A Xero date ("/Date(ms+0000)/" or ISO) or a Zoho one, as YYYY-MM-DD."""
    text = str(value or "")
    found = re.match(r"/Date\((-?\d+)", text)
    if found:
        return datetime.fromtimestamp(int(found.group(1)) / 1000, tz=UTC).date().isoformat()
    return text[:10]


def assert_invoices_agree(world, context):
    zoho = {r["id"]: r for r in world.zoho.iter_records("Invoices", ["Subject", "Due_Date", "Xero_Invoice_ID"])}
    markers = [r.get("Xero_Invoice_ID") for r in zoho.values() if r.get("Xero_Invoice_ID")]
    assert not _duplicates(markers), context
    for org in world.orgs:
        invoices = {i["InvoiceID"]: i for i in org.xero.iter_invoices() if i.get("Type") == "ACCREC"}
        assert not _duplicates(i["InvoiceNumber"] for i in invoices.values()), (org.name, context)
        # An invoice of an archived contact is left out: Xero refuses every write to it ("Archived contacts cannot
        # be used on transactions"), which its failure entry tells the admin (the accounts check skips them too).
        active = {c["ContactID"] for c in org.xero.iter_contacts() if c.get("ContactStatus", "ACTIVE") == "ACTIVE"}
        live = {i: inv for i, inv in invoices.items() if inv.get("Status") not in ("DELETED", "VOIDED")
                and (inv.get("Contact") or {}).get("ContactID") in active}
        all_links, links = _links(org, "invoices")  # one-to-one per organisation
        # every live Xero invoice reached Zoho (Xero -> Zoho creates everything, item-less lines included)
        unlinked = set(live) - {link.xero_id for link in all_links}
        assert not unlinked, (org.name, [live[i]["InvoiceNumber"] for i in unlinked], _entries(xero_id__in=unlinked),
                              context)
        for link in links:  # agreement through the mapping
            invoice, header = live.get(link.xero_id), zoho.get(link.zoho_id)
            if invoice is None or header is None:
                continue
            record = world.zoho.get_record("Invoices", link.zoho_id) or {}  # with its lines
            [full] = org.xero.get_invoices_by_ids([link.xero_id])
            reference = full.get("Reference") or full.get("InvoiceNumber")
            assert record.get("Subject") == reference, (org.name, reference, record.get("Subject"), context)
            assert _date(full.get("DueDateString") or full.get("DueDate")) == _date(record.get("Due_Date")), (
                org.name, full.get("InvoiceNumber"), full.get("DueDateString") or full.get("DueDate"),
                record.get("Due_Date"), _entries(zoho_id=link.zoho_id, module="invoices"), context)
            lines = [(float(line.get("Quantity") or 0), line.get("Description") or "") for line in full.get("LineItems") or []]
            zoho_lines = [(float(line.get("Quantity") or 0), line.get("Description") or "")
                          for line in record.get("Invoiced_Items") or []]
            assert sorted(q for q, _d in lines) == sorted(q for q, _d in zoho_lines), (
                org.name, full.get("InvoiceNumber"), lines, zoho_lines, context)


def reconcile(world) -> None:
    """Deliver what is still caught, then the nightly reconciliation (all organisations), then its echoes."""
    deliver(world)
    cron.run_organisation(world.organisation, full=True)
    deliver(world)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_random_walk_across_both_organisations_ends_in_agreement(soak_world, settings, seed):
    world = soak_world
    [freight] = _ok(world.zoho.insert_records("Products", [{"Product_Name": "Freight", "Product_Code": "FREIGHT",
                                                            "Unit_Price": 0}]))
    for org in world.orgs:  # Xero lines without an item become Zoho lines of this product (Mapping)
        mapping_taxes.save_line_products(org.xero_organisation, {"": {"id": freight, "name": "Freight"}})
    route_by_billing_country(world)
    go_live(world, settings)
    walk = Walk(world, random.Random(seed))
    started = time.monotonic()
    for number in range(STEPS):
        walk.step(number)
    reconcile(world)
    context = f"seed {seed}, steps {STEPS}, {time.monotonic() - started:.0f}s:\n" + "\n".join(walk.log[-40:])

    assert_accounts_agree(world, walk, context)
    assert_products_agree(world, context)
    assert_persons_agree(world, context)
    assert_invoices_agree(world, context)
    # conflicts: resolved by the policy, the losing values kept with the entry
    conflicts = AuditEntry.objects.filter(message_key__in=[messages.CONFLICT_SOURCE_WINS, messages.CONFLICT_TARGET_WINS])
    for entry in conflicts:
        assert entry.message_params.get("policy") and (entry.values_written or {}).get("losing_values"), (
            entry.record_name, entry.values_written, context)


def _phones(world, zoho_id: str, contact_ids: dict) -> tuple:
    account = world.zoho.get_record("Accounts", zoho_id) or {}
    return (account.get("Phone"), *(_phone(org.xero.get_contacts_by_ids([contact_ids[org.name]])[0])
                                     for org in world.orgs))


def test_the_reconciliation_brings_one_organisations_conflict_write_to_the_other(soak_world):
    """Found by seed 23: a customer held by both organisations, its phone edited in Zoho and then (later, so Xero
    wins under "most recent change wins") in one organisation's Xero. The organisation reconciled second wrote
    its value to Zoho after the first had already taken Zoho's, so the first disagreed until a notification or
    the next pass. Now every organisation's Xero -> Zoho runs first, then Zoho -> Xero for each: one pass, no
    notification, agreement, whichever organisation the edit was in."""
    world = soak_world
    contact_ids = {org.name: _ok(org.xero.save_contacts([{"Name": "Shared Traders"}], create_only=True))[0]
                   for org in world.orgs}
    cron.run_organisation(world.organisation)
    cron.run_organisation(world.organisation)
    [zoho_id] = {link.zoho_id for link in RecordLink.objects.filter(module="accounts", name="Shared Traders")}
    assert RecordLink.objects.filter(module="accounts", zoho_id=zoho_id, state=LinkState.LINKED).count() == 2
    for number, org in enumerate(reversed(world.orgs)):  # the organisation reconciled last first, then the other
        _ok(world.zoho.update_records("Accounts", [{"id": zoho_id, "Phone": f"+61 2 5550 10{number}0"}]))
        time.sleep(1.1)  # Zoho's times are whole seconds: the Xero edit is unambiguously the more recent one
        wanted = f"+44 20 7946 00{number}0"
        _ok(org.xero.save_contacts([{"ContactID": contact_ids[org.name],
                                     "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": wanted}]}]))
        cron.run_organisation(world.organisation, full=True)
        assert _phones(world, zoho_id, contact_ids) == (wanted, wanted, wanted), (org.name, _entries(zoho_id=zoho_id))
