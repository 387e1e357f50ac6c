"""Watch notifications of the Zoho emulator: enable/update/disable/list, delivery with the channel token
(from API and UI writes), and channel expiry."""

import datetime

import pytest
import requests

from sandbox.zoho import notify
from tests.sandbox.test_zoho_support import Receiver, connect, seed


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def crm(sandbox):
    seed(sandbox)
    return connect(sandbox)


def _enable(crm, receiver, **extra):
    return crm.post("actions/watch", json={"watch": [{
        "channel_id": "1000000068001", "events": ["Accounts.all", "Contacts.create"],
        "notify_url": receiver.url + "?tenant=acme", "token": "TOKEN_FOR_VERIFICATION_OF_1000000068001", **extra}]})


def test_it_posts_the_documented_body_for_insert_update_and_delete(crm, receiver):
    enabled = _enable(crm, receiver, return_affected_field_values=True)
    assert enabled.status_code == 201, enabled.text
    result = enabled.json()["watch"][0]
    assert result["code"] == "SUCCESS" and result["details"]["events"][0]["channel_id"] == "1000000068001"
    record_id = crm.post("Accounts", json={"data": [{"Account_Name": "Notify Me GmbH"}]}).json()["data"][0][
        "details"]["id"]
    crm.call("PUT", "Accounts", json={"data": [{"id": record_id, "Phone": "+49 89 1234 567"}]})
    crm.call("DELETE", "Accounts", params={"ids": record_id})
    bodies = receiver.wait_for(3)
    assert [body["operation"] for body in bodies] == ["insert", "update", "delete"]
    insert, update, delete = bodies
    assert insert["ids"] == [record_id] and insert["module"] == "Accounts"
    assert insert["channel_id"] == "1000000068001" and insert["token"] == "TOKEN_FOR_VERIFICATION_OF_1000000068001"
    assert insert["query_params"] == {"tenant": "acme"}
    assert insert["resource_uri"] == f"{crm.api_domain}/crm/v8/Accounts"
    assert isinstance(insert["server_time"], int)
    assert update["affected_fields"] == [{record_id: ["Phone"]}]
    assert update["affected_values"] == [{"record_id": record_id, "values": {"Phone": "+49 89 1234 567"}}]
    assert delete["ids"] == [record_id]


def test_it_notifies_only_the_subscribed_operations(crm, receiver):
    _enable(crm, receiver)
    contact = crm.post("Contacts", json={"data": [{"Last_Name": "Watched"}]}).json()["data"][0]["details"]["id"]
    crm.call("PUT", "Contacts", json={"data": [{"id": contact, "First_Name": "Not watched"}]})
    crm.post("Products", json={"data": [{"Product_Name": "Not watched either"}]})
    assert notify.wait_idle()
    assert [(body["module"], body["operation"]) for body in receiver.wait_for(1)] == [("Contacts", "insert")]


def test_edits_in_the_sandbox_ui_fire_notifications(sandbox, crm, receiver):
    _enable(crm, receiver)
    record_id = crm.post("Accounts", json={"data": [{"Account_Name": "UI Edited Ltd"}]}).json()["data"][0][
        "details"]["id"]
    form = requests.post(f"{sandbox.url}/zoho/ui/Accounts/{record_id}/", data={
        "Account_Name": "UI Edited Ltd", "Account_Type": "Customer", "Billing_City": "Wellington"},
        headers={"Origin": sandbox.url}, allow_redirects=False, timeout=10)
    assert form.status_code == 302, form.text
    bodies = receiver.wait_for(2)
    assert bodies[1]["operation"] == "update" and "Billing_City" in bodies[1]["affected_fields"][0][record_id]


def test_channels_can_be_listed_updated_and_disabled(crm, receiver):
    _enable(crm, receiver)
    listed = crm.get("actions/watch").json()["watch"][0]
    assert listed["channel_id"] == "1000000068001" and sorted(listed["events"]) == ["Accounts.all",
                                                                                    "Contacts.create"]
    patched = crm.call("PATCH", "actions/watch", json={"watch": [{"channel_id": "1000000068001",
                                                                   "events": ["Contacts.create"],
                                                                   "_delete_events": True}]})
    assert patched.status_code == 200
    assert crm.get("actions/watch").json()["watch"][0]["events"] == ["Accounts.all"]
    disabled = crm.call("DELETE", "actions/watch", params={"channel_ids": "1000000068001"})
    assert disabled.json()["watch"][0]["code"] == "SUCCESS"
    assert crm.get("actions/watch").status_code == 204
    crm.post("Accounts", json={"data": [{"Account_Name": "Nobody listens"}]})
    assert notify.wait_idle() and receiver.bodies == []


def test_expiry_more_than_a_week_ahead_becomes_one_hour_and_expired_channels_do_not_fire(sandbox, crm, receiver):
    far = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)).replace(microsecond=0).isoformat()
    _enable(crm, receiver, channel_expiry=far)
    expiry = datetime.datetime.fromisoformat(crm.get("actions/watch").json()["watch"][0]["channel_expiry"])
    assert datetime.timedelta(minutes=55) < expiry - datetime.datetime.now(datetime.UTC) <= datetime.timedelta(
        hours=1, minutes=5)
    crm.post("Accounts", json={"data": [{"Account_Name": "Before expiry"}]})
    assert len(receiver.wait_for(1)) == 1
    sandbox.advance_clock(3601)
    fresh = connect(sandbox)
    fresh.post("Accounts", json={"data": [{"Account_Name": "After expiry"}]})
    assert notify.wait_idle() and len(receiver.bodies) == 1
    past = fresh.post("actions/watch", json={"watch": [{"channel_id": "2", "events": ["Accounts.all"],
                                                       "notify_url": receiver.url,
                                                       "channel_expiry": "2001-01-01T00:00:00+00:00"}]})
    assert past.status_code == 202 and past.json()["watch"][0]["details"]["api_name"] == "channel_expiry"


def test_enable_validates_its_input_and_answers_an_all_failed_request_with_per_channel_results(crm, receiver):
    response = crm.post("actions/watch", json={"watch": [{"channel_id": "7", "events": ["Leads.all"],
                                                           "notify_url": receiver.url}]})
    assert response.status_code == 202  # notifications.json: POST answers 201 or 202 (per-channel errors)
    assert response.json()["watch"][0]["code"] == "INVALID_DATA"
    missing = crm.post("actions/watch", json={"watch": [{"channel_id": "7", "events": ["Accounts.all"]}]})
    assert missing.json()["watch"][0]["code"] == "MANDATORY_NOT_FOUND"


def test_a_field_selection_condition_notifies_only_updates_of_the_listed_fields(crm, receiver):
    condition = [{
        "type": "field_selection", "module": {"api_name": "Accounts"},
        "field_selection": {"group_operator": "or", "group": [{"field": {"api_name": "Phone"}},
                                                              {"field": {"api_name": "Account_Name"}}]}}]
    enabled = _enable(crm, receiver, notification_condition=condition)
    fields = {f["api_name"]: f["id"] for f in crm.get("settings/fields", params={"module": "Accounts"}).json()[
        "fields"]}
    modules = {m["api_name"]: m["id"] for m in crm.get("settings/modules").json()["modules"]}
    # The echo names the module and each field by API name and id (notifications.json's Module and Criteria).
    assert enabled.json()["watch"][0]["details"]["events"][0]["notification_condition"] == [{
        "type": "field_selection", "module": {"api_name": "Accounts", "id": modules["Accounts"]},
        "field_selection": {"group_operator": "or", "group": [
            {"field": {"api_name": "Phone", "id": fields["Phone"]}},
            {"field": {"api_name": "Account_Name", "id": fields["Account_Name"]}}]}}]
    unknown = crm.post("actions/watch", json={"watch": [{
        "channel_id": "1000000068002", "events": ["Accounts.edit"], "notify_url": receiver.url,
        "notification_condition": [{**condition[0], "field_selection": {"field": {"api_name": "Nope"}}}]}]})
    assert unknown.status_code == 202 and unknown.json()["watch"][0]["code"] == "INVALID_DATA"
    record_id = crm.post("Accounts", json={"data": [{"Account_Name": "Conditional Ltd"}]}).json()["data"][0][
        "details"]["id"]
    crm.call("PUT", "Accounts", json={"data": [{"id": record_id, "Description": "not watched"}]})
    crm.call("PUT", "Accounts", json={"data": [{"id": record_id, "Phone": "+64 9 555 0101"}]})
    bodies = receiver.wait_for(2)
    assert notify.wait_idle()
    assert [(body["operation"], body.get("affected_fields")) for body in receiver.bodies] == [
        ("insert", None), ("update", [{record_id: ["Phone"]}])]
    assert len(bodies) == 2


def test_the_control_endpoints_show_deliveries_and_workflow_triggers(sandbox, crm, receiver):
    _enable(crm, receiver)
    record_id = crm.post("Accounts", json={"data": [{"Account_Name": "Seen Ltd"}], "trigger": []}).json()[
        "data"][0]["details"]["id"]
    deliveries = requests.get(f"{sandbox.url}/_sandbox/zoho/notifications/deliveries", params={"wait": 1},
                              timeout=15).json()
    assert deliveries["idle"] is True
    assert deliveries["deliveries"][0]["ids"] == [record_id] and deliveries["deliveries"][0]["status"] == 200
    activities = requests.get(f"{sandbox.url}/_sandbox/zoho/activities", params={"record_id": record_id},
                              timeout=10).json()["activities"]
    assert [(a["operation"], a["source"], a["triggers"]) for a in activities] == [("insert", "api", [])]
