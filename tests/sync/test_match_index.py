"""The slim match index of a Historical Sync job (sync.match_index): what it keeps, what it finds."""

from sync import match_index
from sync.match_index import MatchIndex


def _contacts(*rows):
    return MatchIndex("ContactID", match_index.xero_keys("accounts"), ("ContactStatus",), rows)


def test_it_keeps_only_the_match_keys_and_the_status_of_a_record():
    index = _contacts({"ContactID": "c1", "Name": "Acme", "ContactStatus": "ARCHIVED", "Addresses": [{"City": "X"}],
                       "Phones": [], "EmailAddress": "a@acme.test", "UpdatedDateUTC": "/Date(1)/"})
    assert index.dump() == [{"ContactID": "c1", "Name": "Acme", "ContactStatus": "ARCHIVED",
                             "EmailAddress": "a@acme.test"}]


def test_it_finds_the_records_sharing_a_key_with_a_batch_whatever_the_case():
    index = _contacts({"ContactID": "c1", "Name": "Acme"}, {"ContactID": "c2", "EmailAddress": "Bo@Example.test"},
                      {"ContactID": "c3", "ContactNumber": "1234567890123456789"}, {"ContactID": "c4", "Name": "Other"})
    lookups = [{"Name": " acme", "__source": {"id": "5"}}, {"EmailAddress": "bo@example.TEST"},
               {"Name": "New", "__source": {"id": "1234567890123456789"}}]  # ContactNumber carrying the Zoho id
    assert index.ids_for(lookups) == ["c1", "c2", "c3"]
    assert index.ids_for([{"Name": "Nobody"}]) == []


def test_a_status_is_kept_but_never_matched_on():
    index = _contacts({"ContactID": "c1", "Name": "Acme", "ContactStatus": "ACTIVE"})
    assert index.ids_for([{"ContactStatus": "ACTIVE", "Name": "Else"}]) == []


def test_it_follows_the_job_s_own_writes_and_deletions():
    index = _contacts({"ContactID": "c1", "Name": "Acme"})
    index.add({"ContactID": "c1", "Name": "Acme Renamed"})  # an update replaces the old keys
    assert index.ids_for([{"Name": "Acme"}]) == [] and index.ids_for([{"Name": "acme renamed"}]) == ["c1"]
    index.remove("c1")
    assert len(index) == 0 and index.by_value == {}


def test_a_stored_index_is_read_back_per_side_and_module():
    stored = {"xero": {"accounts": [{"ContactID": "c1"}]}, "zoho": {"products": [{"id": "9"}]}, "bad": "x"}
    assert match_index.load(stored) == {("xero", "accounts"): [{"ContactID": "c1"}], ("zoho", "products"): [{"id": "9"}]}


def test_contact_persons_are_not_indexed_they_live_inside_xero_contacts():
    assert [m for m in ("accounts", "contacts", "products", "invoices") if match_index.indexed(m)] == [
        "accounts", "products", "invoices"]
    assert match_index.zoho_keys("invoices") == ("id", "Xero_Invoice_ID", "Invoice_Number", "Subject")
