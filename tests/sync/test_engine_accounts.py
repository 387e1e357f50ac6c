"""The planner and executor on accounts <-> contacts, with in-memory providers (no database, no HTTP)."""

from sync.engine import messages
from sync.engine.fingerprint import fingerprint
from sync.engine.modules import XERO_TO_ZOHO, ZOHO_TO_XERO
from sync.engine.operations import MOST_RECENT, XERO_WINS, ZOHO_WINS

from .engine_world import World


def _contacts(world):
    return list(world.xero.records.get("accounts", {}).values())


def test_it_creates_a_xero_contact_carrying_the_zoho_id_in_contact_number():
    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "ap@acme.example"})
    operations = world.sync("accounts", ZOHO_TO_XERO)
    [contact] = _contacts(world)
    assert contact["Name"] == "Acme" and contact["ContactNumber"] == account["id"]
    assert [op.action for op in operations] == ["create"]
    assert world.messages() == [messages.CREATED]
    link = world.store.index_for("accounts").get("zoho", account["id"])
    assert link.xero_id == contact["ContactID"]


def test_a_second_pass_in_either_direction_writes_nothing():
    world = World()
    world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "ap@acme.example"})
    world.sync("accounts", ZOHO_TO_XERO)
    world.sync("accounts", XERO_TO_ZOHO)
    world.sync("accounts", ZOHO_TO_XERO)
    world.sync("accounts", XERO_TO_ZOHO)
    assert len(world.writes()) == 1
    assert len(world.audit.entries) == 1  # unchanged records are not "attempted"


def test_each_real_change_on_either_side_causes_exactly_one_write():
    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "ap@acme.example"})
    for _ in range(2):
        world.sync("accounts", ZOHO_TO_XERO)
        world.sync("accounts", XERO_TO_ZOHO)
    assert len(world.writes()) == 1

    world.zoho.put("accounts", {**world.zoho.records["accounts"][account["id"]], "Email": "billing@acme.example"})
    for _ in range(2):
        world.sync("accounts", ZOHO_TO_XERO)
        world.sync("accounts", XERO_TO_ZOHO)
    assert len(world.writes()) == 2
    [contact] = _contacts(world)
    assert contact["EmailAddress"] == "billing@acme.example"

    world.xero.put("accounts", {**contact, "AccountNumber": "ACC-7"})
    for _ in range(2):
        world.sync("accounts", XERO_TO_ZOHO)
        world.sync("accounts", ZOHO_TO_XERO)
    assert len(world.writes()) == 3
    assert world.zoho.records["accounts"][account["id"]]["Account_Number"] == "ACC-7"
    assert world.writes()[-1][0] == "update" and world.zoho.writes[-1][2] == account["id"]


def test_a_change_of_unmapped_fields_writes_nothing():
    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Website": "a.example"})
    world.sync("accounts", ZOHO_TO_XERO)
    world.zoho.put("accounts", {**world.zoho.records["accounts"][account["id"]], "Website": "b.example"})
    world.sync("accounts", ZOHO_TO_XERO)
    assert len(world.writes()) == 1


def test_it_matches_an_existing_contact_by_contact_number_then_email_then_name():
    world = World()
    by_number = world.zoho.put("accounts", {"Account_Name": "One"})
    world.zoho.put("accounts", {"Account_Name": "Two", "Email": "two@example.com"})
    world.zoho.put("accounts", {"Account_Name": "Three"})
    world.xero.put("accounts", {"Name": "One renamed in Xero", "ContactNumber": by_number["id"], "ContactStatus": "ACTIVE"})
    world.xero.put("accounts", {"Name": "Deux", "EmailAddress": "TWO@example.com", "ContactStatus": "ACTIVE"})
    world.xero.put("accounts", {"Name": "three", "ContactStatus": "ACTIVE"})
    world.policy("accounts", ZOHO_TO_XERO, update=False)
    operations = world.sync("accounts", ZOHO_TO_XERO)
    assert [(op.action, op.matched_by) for op in operations] == [
        ("match", "contact_number"), ("match", "email"), ("match", "name")
    ]
    assert not world.xero.writes
    assert len(_contacts(world)) == 3
    assert {entry["params"]["rule"] for entry in world.audit.entries} == {"contact number (Zoho id)", "email address", "name"}


def test_a_match_with_different_values_is_linked_then_updated():
    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "ap@acme.example"})
    world.xero.put("accounts", {"Name": "Acme", "ContactStatus": "ACTIVE"})
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.action == "update" and operation.matched_by == "name"
    assert operation.message_key == messages.MATCHED_AND_UPDATED
    [contact] = _contacts(world)
    assert contact["EmailAddress"] == "ap@acme.example" and contact["ContactNumber"] == account["id"]


def test_it_never_matches_a_contact_that_belongs_to_another_account_or_is_archived():
    world = World()
    world.zoho.put("accounts", {"Account_Name": "Acme"})
    # a ContactNumber shaped like a Zoho id names the Zoho account the contact belongs to
    world.xero.put("accounts", {"Name": "Acme", "ContactNumber": "4876876000000000999", "ContactStatus": "ACTIVE"})
    world.xero.put("accounts", {"Name": "Acme", "ContactStatus": "ARCHIVED"})
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.action == "create"


def test_a_contact_numbered_by_the_customer_is_matched_by_email_case_insensitively_then_name():
    world = World()
    world.zoho.put("accounts", {"Account_Name": "Harbour Traders"})
    world.xero.put("accounts", {"Name": "Harbour Traders", "ContactNumber": "C-0042", "ContactStatus": "ACTIVE"})
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.action in ("match", "update") and operation.matched_by == "name"
    assert len(_contacts(world)) == 1


def test_create_and_update_switches_are_honoured_and_reported():
    world = World()
    account = world.zoho.put("accounts", {"Account_Name": "Acme"})
    world.policy("accounts", ZOHO_TO_XERO, create=False)
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.status == "skipped" and operation.message_key == messages.CREATE_OFF
    assert not world.xero.writes

    world.policy("accounts", ZOHO_TO_XERO)
    world.sync("accounts", ZOHO_TO_XERO)
    world.zoho.put("accounts", {**world.zoho.records["accounts"][account["id"]], "Email": "new@acme.example"})
    world.policy("accounts", ZOHO_TO_XERO, update=False)
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.message_key == messages.UPDATE_OFF
    assert len(world.xero.writes) == 1


def _conflict(world):
    account = world.zoho.put("accounts", {"Account_Name": "Acme", "Email": "old@acme.example"})
    world.sync("accounts", ZOHO_TO_XERO)
    [contact] = _contacts(world)
    world.xero.put("accounts", {**contact, "EmailAddress": "xero@acme.example"})
    world.zoho.put("accounts", {**world.zoho.records["accounts"][account["id"]], "Email": "zoho@acme.example"})
    return account


def test_conflict_zoho_wins_overwrites_xero_and_lists_the_replaced_values():
    world = World()
    _conflict(world)
    world.policy("accounts", ZOHO_TO_XERO, conflict=ZOHO_WINS)
    world.policy("accounts", XERO_TO_ZOHO, conflict=ZOHO_WINS)
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.action == "update" and operation.message_key == messages.CONFLICT_SOURCE_WINS
    assert operation.losing_values == {"EmailAddress": "xero@acme.example"}
    world.sync("accounts", XERO_TO_ZOHO)
    assert _contacts(world)[0]["EmailAddress"] == "zoho@acme.example"
    assert not world.zoho.writes  # Xero's value lost: nothing written back


def test_conflict_xero_wins_keeps_xero_and_writes_it_to_zoho():
    world = World()
    account = _conflict(world)
    world.policy("accounts", ZOHO_TO_XERO, conflict=XERO_WINS)
    world.policy("accounts", XERO_TO_ZOHO, conflict=XERO_WINS)
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.status == "skipped" and operation.message_key == messages.CONFLICT_TARGET_WINS
    assert operation.losing_values == {"EmailAddress": "zoho@acme.example"}
    world.sync("accounts", XERO_TO_ZOHO)
    assert world.zoho.records["accounts"][account["id"]]["Email"] == "xero@acme.example"
    world.sync("accounts", ZOHO_TO_XERO)
    assert len(world.xero.writes) == 1 and len(world.zoho.writes) == 1


def test_conflict_most_recent_change_wins():
    world = World()
    account = _conflict(world)  # Zoho was changed last
    world.policy("accounts", XERO_TO_ZOHO, conflict=MOST_RECENT)
    [operation] = world.sync("accounts", XERO_TO_ZOHO)
    assert operation.status == "skipped" and operation.losing_values == {"Email": "xero@acme.example"}
    world.policy("accounts", ZOHO_TO_XERO, conflict=MOST_RECENT)
    world.sync("accounts", ZOHO_TO_XERO)
    assert _contacts(world)[0]["EmailAddress"] == "zoho@acme.example"
    assert world.zoho.records["accounts"][account["id"]]["Email"] == "zoho@acme.example"


def test_two_zoho_accounts_with_one_name_become_two_distinct_xero_contacts():
    world = World()
    first = world.zoho.put("accounts", {"Account_Name": "Acme"})
    second = world.zoho.put("accounts", {"Account_Name": "Acme"})
    operations = world.sync("accounts", ZOHO_TO_XERO)
    names = sorted(contact["Name"] for contact in _contacts(world))
    assert names == ["Acme", f"Acme ({second['id']})"]
    assert {c["ContactNumber"] for c in _contacts(world)} == {first["id"], second["id"]}
    renamed = [op for op in operations if op.source_id == second["id"]][0]
    assert renamed.message_key == messages.CREATED_RENAMED
    assert renamed.params["new_name"] == f"Acme ({second['id']})"
    # Coming back, Zoho keeps the plain name: nothing is written.
    world.sync("accounts", XERO_TO_ZOHO)
    assert not world.zoho.writes
    # An unrelated change in Xero flows back without renaming the Zoho account.
    contact = next(c for c in _contacts(world) if c["ContactNumber"] == second["id"])
    world.xero.put("accounts", {**contact, "EmailAddress": "second@acme.example"})
    world.sync("accounts", XERO_TO_ZOHO)
    assert world.zoho.records["accounts"][second["id"]]["Account_Name"] == "Acme"
    assert world.zoho.records["accounts"][second["id"]]["Email"] == "second@acme.example"


def test_the_name_rule_also_applies_across_runs_and_to_an_existing_xero_contact():
    world = World()
    world.xero.put("accounts", {"Name": "Globex", "ContactNumber": "4876876000000000777", "ContactStatus": "ACTIVE"})
    account = world.zoho.put("accounts", {"Account_Name": "Globex"})
    [operation] = world.sync("accounts", ZOHO_TO_XERO)
    assert operation.payload["Name"] == f"Globex ({account['id']})"


def test_a_new_xero_contact_is_created_in_zoho_with_its_xero_id():
    world = World()
    contact = world.xero.put("accounts", {"Name": "Initech", "EmailAddress": "ap@initech.example", "ContactStatus": "ACTIVE"})
    world.sync("accounts", XERO_TO_ZOHO)
    [account] = world.zoho.records["accounts"].values()
    assert account["Account_Name"] == "Initech" and account["Xero_Contact_ID"] == contact["ContactID"]
    world.sync("accounts", ZOHO_TO_XERO)
    world.sync("accounts", XERO_TO_ZOHO)
    assert len(world.writes()) == 1


def test_one_refused_record_does_not_fail_its_neighbours():
    world = World()
    world.zoho.put("accounts", {"Account_Name": "Good"})
    world.zoho.put("accounts", {"Account_Name": "Bad"})
    world.xero.refuse("accounts", lambda payload: payload["Name"] == "Bad", "The contact name is invalid.")
    operations = world.sync("accounts", ZOHO_TO_XERO)
    assert [(op.name, op.status) for op in operations] == [("Good", "success"), ("Bad", "failed")]
    failed = world.audit.entries[-1]
    # The provider's words go to the entry's details, never into the translated message.
    assert failed["message_key"] == messages.PROVIDER_REFUSED_RECORD and failed["error"] == "The contact name is invalid."
    assert failed["params"]["code"] == "INVALID" and "The contact name" not in str(failed["params"])
    # The failure is retried on the next pass (no link was stored for it).
    world.xero.refusals.clear()
    world.sync("accounts", ZOHO_TO_XERO)
    assert len(_contacts(world)) == 2


def test_fingerprints_ignore_formatting_noise():
    assert fingerprint({"A": 100, "B": " x ", "C": None}) == fingerprint({"B": "x", "A": "100.00"})
    assert fingerprint({"A": [1, 2]}) != fingerprint({"A": [2, 1]})
    assert fingerprint({"A": "1"}) != fingerprint({"A": "2"})
