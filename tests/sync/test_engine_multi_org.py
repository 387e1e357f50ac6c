"""Engine rules for several Xero organisations on one Zoho CRM and for concurrent runs (in memory): the order of
matching, the owner's id kept in a shared Zoho record, invoices never shared between ledgers, routing of creates,
and stale snapshots never written back."""

from sync.engine import messages
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.engine.operations import Policy

from .engine_world import TODAY, World


def test_a_xero_item_is_linked_to_the_zoho_product_of_the_same_name_never_created_again():
    world = World()
    world.zoho.put("products", {"Product_Name": "Site survey"})  # no code in Zoho
    world.xero.put("products", {"Code": "SURVEY", "Name": "Site survey"})
    [operation] = world.sync("products", XERO_TO_ZOHO)
    assert operation.matched_by == "name" and operation.action in ("match", "update")
    assert len(world.zoho.records["products"]) == 1


def test_contacts_match_by_account_number_before_email_and_email_in_any_case_before_name():
    world = World()
    world.zoho.put("accounts", {"Account_Name": "Acme", "Account_Number": "A-1", "Email": "AP@Acme.example"})
    world.xero.put("accounts", {"Name": "Acme Pty", "AccountNumber": "A-1", "ContactStatus": "ACTIVE"})
    world.xero.put("accounts", {"Name": "Acme", "EmailAddress": "ap@acme.example", "ContactStatus": "ACTIVE"})
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.matched_by == "account_number"

    other = World()
    other.zoho.put("accounts", {"Account_Name": "Acme", "Email": "AP@Acme.example"})
    other.xero.put("accounts", {"Name": "Acme", "ContactStatus": "ACTIVE"})
    other.xero.put("accounts", {"Name": "Acme Trading", "EmailAddress": "ap@acme.example", "ContactStatus": "ACTIVE"})
    [operation] = other.sync("accounts", ZOHO_TO_XERO)
    assert operation.matched_by == "email" and operation.params["rule"] == "email address"


def test_a_zoho_account_of_another_organisation_is_matched_and_keeps_its_owners_xero_id():
    world = World()
    shared = world.zoho.put("accounts", {"Account_Name": "Harbour Traders", "Xero_Contact_ID": "id-in-the-au-ledger"})
    world.xero.put("accounts", {"Name": "Harbour Traders", "ContactNumber": "H-7", "ContactStatus": "ACTIVE"})
    [operation] = world.sync("accounts", XERO_TO_ZOHO)
    assert operation.target_id == shared["id"] and operation.matched_by == "name"
    assert world.zoho.records["accounts"][shared["id"]]["Xero_Contact_ID"] == "id-in-the-au-ledger"
    assert len(world.zoho.records["accounts"]) == 1


def test_a_customer_another_organisation_brought_to_zoho_is_linked_here_without_being_overwritten():
    """Clicking through make run with AU and UK: UK's "Harbour Traders" (Leeds) matched the Zoho account AU had
    created (Brisbane) and overwrote it, and the cycle then wrote Leeds into AU's ledger; UK's VAT items turned AU's
    GST items into VAT. Linking is not a change: each ledger keeps its values; later real changes still sync."""
    world = World()
    shared = world.zoho.put("accounts", {"Account_Name": "Harbour Traders", "Email": "ap@harbour.example",
                                         "Xero_Contact_ID": "id-in-the-au-ledger"})
    uk = world.xero.put("accounts", {"Name": "Harbour Traders", "EmailAddress": "leeds@harbour.example",
                                     "ContactStatus": "ACTIVE"})
    [operation] = world.sync("accounts", XERO_TO_ZOHO)
    assert (operation.action, operation.message_key) == ("match", messages.MATCHED)
    assert operation.target_id == shared["id"] and world.writes() == []
    assert world.zoho.records["accounts"][shared["id"]]["Email"] == "ap@harbour.example"
    assert world.sync("accounts", ZOHO_TO_XERO)[0].status == "skipped" and world.writes() == []  # nor back into UK

    world.xero.records["accounts"][uk["ContactID"]]["EmailAddress"] = "billing@harbour.example"  # a real change
    world.xero._stamp(world.xero.records["accounts"][uk["ContactID"]])
    [operation] = world.sync("accounts", XERO_TO_ZOHO)
    assert operation.action == "update"
    assert world.zoho.records["accounts"][shared["id"]]["Email"] == "billing@harbour.example"
    assert world.zoho.records["accounts"][shared["id"]]["Xero_Contact_ID"] == "id-in-the-au-ledger"


def test_a_zoho_record_of_this_organisation_s_own_is_still_matched_and_updated():
    world = World()  # a Zoho account nobody linked yet: the Xero values fill it, as before
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "old@acme.example"})
    world.xero.put("accounts", {"Name": "Acme", "EmailAddress": "ap@acme.example", "ContactStatus": "ACTIVE"})
    [operation] = world.sync("accounts", XERO_TO_ZOHO)
    assert (operation.action, operation.message_key) == ("update", messages.MATCHED_AND_UPDATED)
    assert world.zoho.records["accounts"][account["id"]]["Email"] == "ap@acme.example"


def test_a_zoho_invoice_of_another_ledger_is_never_matched():
    world = World()
    world.zoho.put("invoices", {"Invoice_Number": "INV-0001", "Xero_Invoice_ID": "an-au-invoice"})
    world.xero.put("invoices", {"InvoiceNumber": "INV-0001", "Type": "ACCREC", "Status": "DRAFT",
                                "Contact": {"ContactID": "nobody"}})
    [operation] = world.sync("invoices", XERO_TO_ZOHO)
    assert operation.action == "create" and not operation.matched_by


def test_a_record_the_routing_rule_does_not_take_is_skipped_quietly_or_explained_when_asked_for():
    world = World()
    world.zoho.put("accounts", {"Account_Name": "Kiwi Cafe"})
    world.policies[("accounts", ZOHO_TO_XERO)] = Policy(today=TODAY, route=lambda record: False,
                                                        organisation_name="Demo Company (UK)")
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.status == "skipped" and operation.quiet and world.writes() == []
    world.policies[("accounts", ZOHO_TO_XERO)] = Policy(today=TODAY, route=lambda record: False, route_quiet=False,
                                                        organisation_name="Demo Company (UK)")
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.message_key == messages.NOT_ROUTED and not operation.quiet
    assert operation.params["organisation"] == "Demo Company (UK)"


def test_a_snapshot_older_than_the_version_already_synced_is_not_written_back():
    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "old@acme.example"})
    stale = dict(account)
    world.sync("accounts", ZOHO_TO_XERO)
    world.zoho.records["accounts"][account["id"]].update({"Email": "new@acme.example"})
    world.zoho._stamp(world.zoho.records["accounts"][account["id"]])
    world.sync("accounts", ZOHO_TO_XERO)  # the newer version is synced (another run, another trigger)
    [contact] = world.xero.records["accounts"].values()
    assert contact["EmailAddress"] == "new@acme.example"
    writes = len(world.writes())
    # a run that read the record before that sync now plans from its old snapshot
    from sync.engine.batch import run_batch

    [operation] = run_batch("accounts", ZOHO_TO_XERO, sources=[stale], target=world.xero,
                            links=world.store.index_for("accounts"), store=world.store.for_module("accounts"),
                            audit=world.audit, policy=Policy(today=TODAY), transforms=world.transforms("accounts"))
    assert operation.status == "skipped" and operation.quiet and len(world.writes()) == writes
    assert next(iter(world.xero.records["accounts"].values()))["EmailAddress"] == "new@acme.example"


def test_a_xero_snapshot_older_by_milliseconds_within_the_same_second_is_not_written_back():
    """Xero's times have milliseconds: a snapshot read 300 ms before the version already synced is stale, even
    in the same second (the rule used to compare whole seconds, and wrote the old values back)."""
    world = World()
    contact = world.xero.put("accounts", {"Name": "Acme", "EmailAddress": "old@acme.example",
                                          "ContactStatus": "ACTIVE"})
    contact_id = contact["ContactID"]
    contact["UpdatedDateUTC"] = world.xero.records["accounts"][contact_id]["UpdatedDateUTC"] = "/Date(1893456000100+0000)/"
    stale = dict(contact)
    world.sync("accounts", XERO_TO_ZOHO)
    world.xero.records["accounts"][contact_id].update({"EmailAddress": "new@acme.example",
                                                       "UpdatedDateUTC": "/Date(1893456000400+0000)/"})
    world.sync("accounts", XERO_TO_ZOHO)  # the newer version is synced (another run, another trigger)
    [account] = world.zoho.records["accounts"].values()
    assert account["Email"] == "new@acme.example"
    writes = len(world.writes())
    from sync.engine.batch import run_batch

    [operation] = run_batch("accounts", XERO_TO_ZOHO, sources=[stale], target=world.zoho,
                            links=world.store.index_for("accounts"), store=world.store.for_module("accounts"),
                            audit=world.audit, policy=Policy(today=TODAY), transforms=world.transforms("accounts"))
    assert operation.status == "skipped" and operation.quiet and len(world.writes()) == writes
    assert next(iter(world.zoho.records["accounts"].values()))["Email"] == "new@acme.example"


def test_an_older_read_from_the_same_second_is_read_again_under_the_lock_and_never_written():
    """Two edits within one second: modification times cannot tell the older snapshot from the version another run
    synced, so the engine reads the record again (Policy.reread, under the module lock) and plans from that."""
    from sync.engine.batch import run_batch

    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "old@acme.example"})
    world.sync("accounts", ZOHO_TO_XERO)
    record = world.zoho.records["accounts"][account["id"]]
    record.update({"Email": "first@acme.example"})
    world.zoho._stamp(record)
    stale = dict(record)  # this run reads the first edit ...
    record.update({"Email": "second@acme.example"})  # ... a second edit in the same second ...
    world.sync("accounts", ZOHO_TO_XERO)  # ... which another run syncs first
    assert stale["Modified_Time"] == record["Modified_Time"]
    writes = len(world.writes())
    reads = []

    def reread(ids):
        reads.append(list(ids))
        return [dict(world.zoho.records["accounts"][i]) for i in ids]

    [operation] = run_batch("accounts", ZOHO_TO_XERO, sources=[stale], target=world.xero,
                            links=world.store.index_for("accounts"), store=world.store.for_module("accounts"),
                            audit=world.audit, policy=Policy(today=TODAY, reread=reread),
                            transforms=world.transforms("accounts"))
    assert reads == [[account["id"]]]
    assert operation.status == "skipped" and operation.quiet and len(world.writes()) == writes
    assert next(iter(world.xero.records["accounts"].values()))["EmailAddress"] == "second@acme.example"
    # a third edit, read again: the fresh record is what gets written
    record.update({"Email": "third@acme.example"})
    [operation] = run_batch("accounts", ZOHO_TO_XERO, sources=[stale], target=world.xero,
                            links=world.store.index_for("accounts"), store=world.store.for_module("accounts"),
                            audit=world.audit, policy=Policy(today=TODAY, reread=reread),
                            transforms=world.transforms("accounts"))
    assert operation.action == "update" and operation.status == "success"
    assert next(iter(world.xero.records["accounts"].values()))["EmailAddress"] == "third@acme.example"
