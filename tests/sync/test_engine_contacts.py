"""Zoho Contacts <-> Xero contact persons in the engine, with the in-memory gateways (no database, no HTTP)."""

import itertools

from sync.engine import messages
from sync.engine.memory import MemoryAudit, MemoryGateway, MemoryLinkStore
from sync.engine.modules import XERO, ZOHO
from sync.engine.operations import Link, Policy
from sync.engine.persons import PERSONS_FULL, PersonsToXero, PersonsToZoho


def to_xero(record):
    return {
        "Name": " ".join(filter(None, (record.get("First_Name"), record.get("Last_Name")))),
        "FirstName": record.get("First_Name"), "LastName": record.get("Last_Name"),
        "EmailAddress": record.get("Email"), "IncludeInEmails": not record.get("Email_Opt_Out"),
        "ContactNumber": record.get("id"),
    }


def to_zoho(person):
    return {"First_Name": person.get("FirstName"), "Last_Name": person.get("LastName"),
            "Email": person.get("EmailAddress"), "Email_Opt_Out": not person.get("IncludeInEmails")}


class Bench:
    def __init__(self, persons=()):
        clock = itertools.count(1)
        self.zoho = MemoryGateway(ZOHO, clock=clock)
        self.xero = MemoryGateway(XERO, clock=clock)
        self.store = MemoryLinkStore()
        self.audit = MemoryAudit()
        self.contact = self.xero.put("accounts", {"ContactID": "c-1", "Name": "Acme", "ContactPersons": list(persons)})
        self.account = self.zoho.put("accounts", {"id": "500", "Account_Name": "Acme"})
        self.store.index_for("accounts").add(Link(zoho_id="500", xero_id="c-1"))

    def person(self, first, last, email, opt_out=False):
        return self.zoho.put("contacts", {"First_Name": first, "Last_Name": last, "Email": email,
                                          "Email_Opt_Out": opt_out, "Account_Name": {"id": "500", "name": "Acme"}})

    def to_xero_run(self, ids=None, deleted=(), **policy):
        records = self.zoho.records.get("contacts", {})
        sources = [dict(r) for i, r in records.items() if ids is None or i in ids]
        self.xero.writes.clear()
        return PersonsToXero(xero=self.xero, links=self.store.index_for("contacts"),
                             account_links=self.store.index_for("accounts"), store=self.store.for_module("contacts"),
                             audit=self.audit, policy=Policy(**policy), to_xero=to_xero).run(sources, deleted)

    def to_zoho_run(self, **policy):
        self.zoho.writes.clear()
        return PersonsToZoho(zoho=self.zoho, links=self.store.index_for("contacts"),
                             account_links=self.store.index_for("accounts"), store=self.store.for_module("contacts"),
                             audit=self.audit, policy=Policy(**policy), to_zoho=to_zoho,
                             to_xero=to_xero).run([dict(c) for c in self.xero.records["accounts"].values()])

    def persons(self):
        return self.xero.records["accounts"]["c-1"]["ContactPersons"]


KEPT = {"FirstName": "Kept", "LastName": "Person", "EmailAddress": "kept@acme.example", "IncludeInEmails": False}


def test_a_zoho_contact_of_a_linked_account_becomes_a_contact_person_and_others_are_kept():
    bench = Bench([KEPT])
    bench.person("Ada", "Lovelace", "ada@acme.example")
    [operation] = bench.to_xero_run()
    assert operation.status == "success" and operation.action == "create"
    assert bench.xero.writes == [("update", "accounts", "c-1")]
    assert bench.persons() == [KEPT, {"FirstName": "Ada", "LastName": "Lovelace", "EmailAddress": "ada@acme.example",
                                      "IncludeInEmails": True}]
    bench.to_xero_run()
    assert bench.xero.writes == []


def test_an_update_in_zoho_is_written_once_and_replaces_only_its_own_person():
    bench = Bench([KEPT])
    ada = bench.person("Ada", "Lovelace", "ada@acme.example")
    bench.to_xero_run()
    bench.zoho.put("contacts", {**ada, "Last_Name": "King"})
    [operation] = bench.to_xero_run()
    assert operation.action == "update" and bench.xero.writes == [("update", "accounts", "c-1")]
    assert [p["LastName"] for p in bench.persons()] == ["Person", "King"]
    bench.to_xero_run()
    assert bench.xero.writes == []


def test_a_sixth_contact_person_is_refused_with_a_clear_message():
    bench = Bench([{**KEPT, "EmailAddress": f"p{i}@acme.example"} for i in range(4)])
    bench.person("Five", "Fits", "five@acme.example")
    bench.person("Six", "Refused", "six@acme.example")
    operations = bench.to_xero_run()
    assert [op.status for op in operations] == ["success", "failed"]
    assert operations[1].message_key == PERSONS_FULL and operations[1].params["limit"] == 5
    assert len(bench.persons()) == 5 and bench.xero.writes == [("update", "accounts", "c-1")]
    entry = bench.audit.entries[-1]
    assert entry["status"] == "failed" and entry["params"]["contact"] == "Acme"


def test_an_existing_person_with_the_same_email_is_matched_not_duplicated():
    same = {"FirstName": "Ada", "LastName": "Lovelace", "EmailAddress": "ada@acme.example", "IncludeInEmails": True}
    bench = Bench([same])
    bench.person("Ada", "Lovelace", "ada@acme.example")
    [operation] = bench.to_xero_run()
    assert operation.action == "match" and operation.matched_by == "email"
    assert bench.xero.writes == [] and len(bench.persons()) == 1


def test_a_contact_whose_account_is_not_linked_fails_with_a_message():
    bench = Bench()
    bench.zoho.put("contacts", {"Last_Name": "Orphan", "Account_Name": {"id": "999"}})
    [operation] = bench.to_xero_run()
    assert operation.status == "failed" and operation.params["zoho_id"] == "999"


def test_a_person_whose_account_was_deleted_in_zoho_still_takes_its_edits_in_the_contact_it_lives_in():
    """Found by the soak (seed 23): an account deleted in Zoho while Delete is off closes the account's link and
    keeps its Xero contact; the account's Zoho contacts stay, and a later First_Name edit failed with "account not
    linked", so Zoho and the Xero person disagreed for good. The person's link says where it lives."""
    bench = Bench([KEPT])
    ben = bench.person("Ben", "Walker", "ben.walker@acme.example")
    bench.to_xero_run()
    bench.store.index_for("accounts").get(ZOHO, "500").state = "deleted"  # the account deleted, Delete off
    bench.zoho.put("contacts", {**ben, "First_Name": "Chloe"})
    [operation] = bench.to_xero_run()
    assert (operation.status, operation.action) == ("success", "update"), operation.message_key
    assert [p["FirstName"] for p in bench.persons()] == ["Kept", "Chloe"]
    assert bench.xero.writes == [("update", "accounts", "c-1")]
    bench.to_xero_run()  # written once
    assert bench.xero.writes == []


def test_a_new_contact_of_a_deleted_account_still_fails_with_a_message():
    bench = Bench()
    bench.store.index_for("accounts").get(ZOHO, "500").state = "deleted"
    bench.person("Ada", "Lovelace", "ada@acme.example")
    [operation] = bench.to_xero_run()
    assert operation.status == "failed" and operation.params["zoho_id"] == "500" and bench.xero.writes == []


def test_persons_added_in_xero_become_zoho_contacts_under_the_account_and_do_not_echo():
    bench = Bench([KEPT])
    existing = bench.zoho.put("contacts", {"Last_Name": "Known", "Email": "new@acme.example"})
    bench.xero.records["accounts"]["c-1"]["ContactPersons"].append(
        {"FirstName": "New", "LastName": "Person", "EmailAddress": "new@acme.example", "IncludeInEmails": True})
    operations = bench.to_zoho_run()
    assert sorted(op.action for op in operations) == ["create", "update"]
    assert sorted(w[0] for w in bench.zoho.writes) == ["create", "update"]
    matched = next(op for op in operations if op.action == "update")
    assert matched.target_id == existing["id"] and matched.matched_by == "email"
    created = bench.zoho.records["contacts"][next(op.target_id for op in operations if op.action == "create")]
    assert created["Last_Name"] == "Person" and created["Account_Name"] == {"id": "500"}
    # Nothing comes back either way.
    bench.to_zoho_run()
    assert bench.zoho.writes == []
    bench.to_xero_run()
    assert bench.xero.writes == []
    # A change in Xero flows once.
    bench.persons()[0]["LastName"] = "Renamed"
    bench.to_zoho_run()
    assert [w[0] for w in bench.zoho.writes] == ["update"]
    bench.to_xero_run()
    assert bench.xero.writes == []


def test_a_deleted_zoho_contact_is_removed_from_the_person_list_when_delete_is_on():
    bench = Bench([KEPT])
    ada = bench.person("Ada", "Lovelace", "ada@acme.example")
    bench.to_xero_run()
    del bench.zoho.records["contacts"][ada["id"]]
    [on] = bench.to_xero_run(deleted=[ada["id"]], delete=True)
    assert on.status == "success" and bench.persons() == [KEPT]
    assert bench.store.index_for("contacts").get(ZOHO, ada["id"]).state == "deleted"


def test_a_zoho_contact_deleted_while_delete_is_off_is_reported_once_and_kept_when_delete_goes_on():
    bench = Bench([KEPT])
    ada = bench.person("Ada", "Lovelace", "ada@acme.example")
    bench.to_xero_run()
    del bench.zoho.records["contacts"][ada["id"]]
    [off] = bench.to_xero_run(deleted=[ada["id"]])
    assert off.message_key == messages.DELETE_OFF and len(bench.persons()) == 2
    later = bench.to_xero_run(deleted=[ada["id"]], delete=True)
    assert not [entry for entry in later if entry.status == "success"] and len(bench.persons()) == 2


def test_a_zoho_contact_another_organisation_brought_to_zoho_is_linked_here_without_being_renamed():
    """Clicking through make run with AU and UK: UK's Bayside Traders has the person Jack Brown with the email of AU's
    Noah Jones; UK matched the Zoho contact AU had created by email and renamed it Jack Brown, and the cycle then
    renamed AU's person. Linking is not a change: the Zoho contact (and AU's person) keep their name."""
    bench = Bench([{"FirstName": "Jack", "LastName": "Brown", "EmailAddress": "accounts1@bayside.example",
                    "IncludeInEmails": True}])
    au = bench.person("Noah", "Jones", "accounts1@bayside.example")
    [operation] = bench.to_zoho_run(owned_elsewhere=lambda ids: set(ids) & {au["id"]})
    assert (operation.action, operation.message_key) == ("match", messages.MATCHED)
    assert bench.zoho.writes == []
    assert bench.zoho.records["contacts"][au["id"]]["First_Name"] == "Noah"

    bench.contact["ContactPersons"][0]["LastName"] = "Brown-Jones"  # a real change in UK's ledger still syncs
    bench.xero.records["accounts"]["c-1"]["ContactPersons"][0]["LastName"] = "Brown-Jones"
    [operation] = bench.to_zoho_run(owned_elsewhere=lambda ids: set(ids) & {au["id"]})
    assert operation.action == "update"
    assert bench.zoho.records["contacts"][au["id"]]["Last_Name"] == "Brown-Jones"
