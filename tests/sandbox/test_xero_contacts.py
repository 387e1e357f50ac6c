"""Xero contacts over HTTP: PUT/POST semantics, name uniqueness, summarizeErrors, idempotency, archiving,
paging, where/order/IDs and If-Modified-Since."""

import datetime
import email.utils

from .xero_helpers import api_for

NAME_TAKEN = ("The contact name Buzz Lightyear is already assigned to another contact. "
              "The contact name must be unique across all active contacts.")


def _names(response):
    return [c["Name"] for c in response.json()["Contacts"]]


def test_put_creates_a_contact_with_contact_persons_and_a_contact_number(sandbox):
    api = api_for(sandbox)
    response = api.put("Contacts", {"Contacts": [{
        "Name": "Buzz Lightyear", "ContactNumber": "ZOHO-1001", "EmailAddress": "buzz@example.com",
        "ContactPersons": [{"FirstName": "Woody", "LastName": "Pride", "EmailAddress": "woody@example.com",
                            "IncludeInEmails": True}]}]})
    assert response.status_code == 200
    contact = response.json()["Contacts"][0]
    assert contact["ContactID"] and contact["ContactStatus"] == "ACTIVE"
    assert contact["ContactNumber"] == "ZOHO-1001"
    assert contact["ContactPersons"][0]["FirstName"] == "Woody"
    assert contact["UpdatedDateUTC"].startswith("/Date(") and contact["UpdatedDateUTC"].endswith("+0000)/")
    fetched = api.get("Contacts/ZOHO-1001").json()["Contacts"][0]
    assert fetched["ContactID"] == contact["ContactID"]


def test_a_second_active_contact_with_the_same_name_is_refused(sandbox):
    api = api_for(sandbox)
    assert api.put("Contacts", {"Contacts": [{"Name": "Buzz Lightyear"}]}).status_code == 200
    response = api.put("Contacts", {"Contacts": [{"Name": "buzz lightyear"}]})
    assert response.status_code == 400
    body = response.json()
    assert body["Type"] == "ValidationException" and body["ErrorNumber"] == 10
    message = body["Elements"][0]["ValidationErrors"][0]["Message"]
    assert message == NAME_TAKEN.replace("Buzz Lightyear", "buzz lightyear")


def test_an_archived_contact_frees_its_name_and_cannot_be_restored_while_the_name_is_taken(sandbox):
    api = api_for(sandbox)
    first = api.put("Contacts", {"Contacts": [{"Name": "Buzz Lightyear"}]}).json()["Contacts"][0]
    archived = api.post(f"Contacts/{first['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    assert archived.json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"
    assert api.put("Contacts", {"Contacts": [{"Name": "Buzz Lightyear"}]}).status_code == 200
    restore = api.post(f"Contacts/{first['ContactID']}", {"Contacts": [{"ContactStatus": "ACTIVE"}]})
    assert restore.status_code == 400
    assert restore.json()["Elements"][0]["ValidationErrors"][0]["Message"] == NAME_TAKEN
    assert _names(api.get("Contacts")) == ["Buzz Lightyear"]
    assert len(api.get("Contacts", params={"includeArchived": "true"}).json()["Contacts"]) == 2


def test_summarised_errors_create_the_valid_elements_without_returning_their_ids(sandbox):
    api = api_for(sandbox)
    api.put("Contacts", {"Contacts": [{"Name": "Buzz Lightyear"}]})
    response = api.put("Contacts", {"Contacts": [{"Name": "Jessie"}, {"Name": "Buzz Lightyear"}]})
    assert response.status_code == 400
    elements = response.json()["Elements"]
    assert len(elements) == 1 and elements[0]["Name"] == "Buzz Lightyear"
    assert elements[0]["HasValidationErrors"] is True
    assert "ContactID" not in elements[0]
    assert sorted(_names(api.get("Contacts"))) == ["Buzz Lightyear", "Jessie"]


def test_with_summarize_errors_false_every_element_carries_its_own_status(sandbox):
    api = api_for(sandbox)
    api.put("Contacts", {"Contacts": [{"Name": "Buzz Lightyear"}]})
    response = api.put("Contacts", {"Contacts": [{"Name": "Jessie"}, {"Name": "Buzz Lightyear"}]},
                       params={"summarizeErrors": "false"})
    assert response.status_code == 200
    jessie, buzz = response.json()["Contacts"]
    assert jessie["StatusAttributeString"] == "OK" and jessie["ContactID"]
    assert jessie["HasValidationErrors"] is False
    assert buzz["StatusAttributeString"] == "ERROR" and buzz["HasValidationErrors"] is True
    assert buzz["ValidationErrors"] == [{"Message": NAME_TAKEN}]


def test_put_only_creates_and_post_updates_by_id_or_contact_number(sandbox):
    api = api_for(sandbox)
    created = api.put("Contacts", {"Contacts": [{"Name": "Rex", "ContactNumber": "Z-1"}]}).json()["Contacts"][0]
    again = api.put("Contacts", {"Contacts": [{"ContactID": created["ContactID"], "Name": "Rex 2"}]},
                    params={"summarizeErrors": "false"}).json()["Contacts"][0]
    assert again["HasValidationErrors"] is True
    by_number = api.post("Contacts", {"Contacts": [{"ContactNumber": "Z-1", "Name": "Rex the Dinosaur"}]})
    assert by_number.json()["Contacts"][0]["ContactID"] == created["ContactID"]
    by_id = api.post("Contacts", {"Contacts": [{"ContactID": created["ContactID"], "EmailAddress": "rex@example.com"}]})
    updated = by_id.json()["Contacts"][0]
    assert updated["Name"] == "Rex the Dinosaur" and updated["EmailAddress"] == "rex@example.com"
    assert len(api.get("Contacts").json()["Contacts"]) == 1


def test_post_without_an_id_matches_an_existing_contact_by_name(sandbox):
    api = api_for(sandbox)
    created = api.put("Contacts", {"Contacts": [{"Name": "Hamm"}]}).json()["Contacts"][0]
    matched = api.post("Contacts", {"Contacts": [{"Name": "Hamm", "FirstName": "Piggy"}]}).json()["Contacts"][0]
    assert matched["ContactID"] == created["ContactID"] and matched["FirstName"] == "Piggy"


def test_an_invalid_email_and_a_missing_name_are_validation_errors(sandbox):
    api = api_for(sandbox)
    response = api.put("Contacts", {"Contacts": [{"Name": "Slinky", "EmailAddress": "not-an-email"}, {}]},
                       params={"summarizeErrors": "false"})
    first, second = response.json()["Contacts"]
    assert first["ValidationErrors"] == [{"Message": "Email address must be valid."}]
    assert second["ValidationErrors"] == [{"Message": "The contact name must be specified."}]


def test_a_malformed_body_is_a_post_data_invalid_exception(sandbox):
    api = api_for(sandbox)
    response = api.session.put(api.base + "/Contacts", data="{not json", timeout=5,
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["Type"] == "PostDataInvalidException"
    assert api.put("Contacts", {"Contacts": []}).json()["Type"] == "NoDataProcessedException"


def test_the_same_idempotency_key_returns_the_first_response_and_creates_nothing_new(sandbox):
    api = api_for(sandbox)
    headers = {"Idempotency-Key": "contact-zoho-42-v1"}
    first = api.put("Contacts", {"Contacts": [{"Name": "Bo Peep"}]}, headers=headers)
    second = api.put("Contacts", {"Contacts": [{"Name": "Bo Peep"}]}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.content == first.content and "Idempotent-Replayed" not in second.headers  # Xero documents no marker
    assert _names(api.get("Contacts")) == ["Bo Peep"]
    other = api.put("Contacts", {"Contacts": [{"Name": "Bo Peep"}]}, headers={"Idempotency-Key": "other"})
    assert other.status_code == 400  # a new key is a new request: the name is taken now
    too_long = api.put("Contacts", {"Contacts": [{"Name": "Sarge"}]}, headers={"Idempotency-Key": "k" * 129})
    assert too_long.status_code == 400


def test_contacts_are_paged_by_one_hundred_with_page_size_and_pagination(sandbox):
    api = api_for(sandbox, contacts=105)
    first = api.get("Contacts").json()
    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 105}
    assert len(first["Contacts"]) == 100
    second = api.get("Contacts", params={"page": 2}).json()
    assert len(second["Contacts"]) == 5
    assert not {c["ContactID"] for c in first["Contacts"]} & {c["ContactID"] for c in second["Contacts"]}
    small = api.get("Contacts", params={"page": 3, "pageSize": 10}).json()
    assert small["pagination"] == {"page": 3, "pageSize": 10, "pageCount": 11, "itemCount": 105}
    assert len(small["Contacts"]) == 10
    assert api.get("Contacts", params={"page": 12, "pageSize": 10}).json()["Contacts"] == []


def test_where_order_and_ids_filter_the_list(sandbox):
    api = api_for(sandbox)
    made = api.put("Contacts", {"Contacts": [{"Name": "Alpha", "ContactNumber": "A1", "EmailAddress": "a@x.io"},
                                             {"Name": "Beta", "ContactNumber": "B2"},
                                             {"Name": "Gamma"}]}).json()["Contacts"]
    assert _names(api.get("Contacts", params={"where": 'Name=="Beta"'})) == ["Beta"]
    assert _names(api.get("Contacts", params={"where": 'ContactNumber=="A1" OR Name=="Gamma"',
                                              "order": "Name DESC"})) == ["Gamma", "Alpha"]
    assert _names(api.get("Contacts", params={"where": 'EmailAddress=="a@x.io" && ContactStatus=="ACTIVE"'})) == ["Alpha"]
    assert _names(api.get("Contacts", params={"where": 'Name.StartsWith("G")'})) == ["Gamma"]
    ids = ",".join(c["ContactID"] for c in made[:2])
    assert sorted(_names(api.get("Contacts", params={"IDs": ids}))) == ["Alpha", "Beta"]
    assert _names(api.get("Contacts", params={"order": "Name DESC"})) == ["Gamma", "Beta", "Alpha"]


def test_an_unsupported_where_is_a_400(sandbox):
    api = api_for(sandbox)
    for clause in ('Name=="unterminated', 'Shoe=="x"', "Name ==", 'Name=="a" AND'):
        response = api.get("Contacts", params={"where": clause})
        assert response.status_code == 400, clause
    assert api.get("Contacts", params={"order": "Shoe ASC"}).status_code == 400


def test_if_modified_since_returns_only_contacts_changed_after_it(sandbox):
    api = api_for(sandbox)
    api.put("Contacts", {"Contacts": [{"Name": "Old"}, {"Name": "Changed"}]})
    sandbox.advance_clock(120)
    clock_now = datetime.datetime.fromisoformat(api.session.get(
        api.base.replace("/xero/api.xro/2.0", "/_sandbox/clock"), timeout=5).json()["now"])
    since = clock_now - datetime.timedelta(seconds=30)
    sandbox.advance_clock(5)
    api.post("Contacts", {"Contacts": [{"Name": "Changed", "FirstName": "New"}]})
    http_date = email.utils.format_datetime(since.astimezone(datetime.UTC), usegmt=True)
    assert _names(api.get("Contacts", headers={"If-Modified-Since": http_date})) == ["Changed"]
    iso = since.strftime("%Y-%m-%dT%H:%M:%S")
    assert _names(api.get("Contacts", headers={"If-Modified-Since": iso})) == ["Changed"]
    assert len(api.get("Contacts").json()["Contacts"]) == 2


def test_an_unknown_contact_is_a_404(sandbox):
    api = api_for(sandbox)
    assert api.get("Contacts/00000000-0000-0000-0000-000000000000").status_code == 404
