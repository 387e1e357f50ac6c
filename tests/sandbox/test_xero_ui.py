"""The Xero emulator's web UI over HTTP: lists, forms through the API rules, the origin check."""

import requests

from .xero_helpers import AU, api_for, seed_reference


def _post(sandbox, path, data):
    return requests.post(sandbox.url + path, data=data, headers={"Origin": sandbox.url}, allow_redirects=False,
                         timeout=5)


def test_the_ui_lists_the_seeded_organisations_and_records(sandbox):
    seed_reference(sandbox, contacts=3, items=2, invoices=3)
    index = requests.get(sandbox.url + "/xero/ui/", timeout=5).text
    assert "Demo Company (AU)" in index and "Demo Company (UK)" in index
    for page in ("contacts", "items", "invoices"):
        response = requests.get(f"{sandbox.url}/xero/ui/{AU}/{page}/", timeout=5)
        assert response.status_code == 200
    assert requests.get(f"{sandbox.url}/xero/ui/{AU}/contacts/", timeout=5).text.count('data-testid="xero-contact-row"') == 3


def test_an_invoice_made_in_the_ui_follows_the_api_rules_and_can_be_voided(sandbox):
    api = api_for(sandbox)
    contact = api.put("Contacts", {"Contacts": [{"Name": "Mr Potato"}]}).json()["Contacts"][0]["ContactID"]
    refused = _post(sandbox, f"/xero/ui/{AU}/invoices/new/", {
        "ContactID": contact, "Status": "AUTHORISED", "LineAmountTypes": "Exclusive", "line_count": "1",
        "line-0-Description": "Ears", "line-0-Quantity": "2", "line-0-UnitAmount": "5", "line-0-AccountCode": "090"})
    assert refused.status_code == 200 and "is not a valid code for this document" in refused.text
    created = _post(sandbox, f"/xero/ui/{AU}/invoices/new/", {
        "ContactID": contact, "Status": "AUTHORISED", "LineAmountTypes": "Exclusive", "line_count": "1",
        "line-0-Description": "Ears", "line-0-Quantity": "2", "line-0-UnitAmount": "5", "line-0-AccountCode": "200",
        "line-0-TaxType": "OUTPUT"})
    assert created.status_code == 302
    invoice = api.get("Invoices").json()["Invoices"][0]
    assert (invoice["Status"], invoice["Total"]) == ("AUTHORISED", 11.0)
    voided = _post(sandbox, f"/xero/ui/{AU}/invoices/{invoice['InvoiceID']}/status/", {"Status": "VOIDED"})
    assert voided.status_code == 302
    assert api.get(f"Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]["Status"] == "VOIDED"


def test_archiving_in_the_ui_archives_the_contact(sandbox):
    api = api_for(sandbox)
    contact = api.put("Contacts", {"Contacts": [{"Name": "Rocky"}]}).json()["Contacts"][0]["ContactID"]
    assert _post(sandbox, f"/xero/ui/{AU}/contacts/{contact}/archive/", {}).status_code == 302
    assert api.get(f"Contacts/{contact}").json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"


def test_a_form_post_from_another_origin_is_refused(sandbox):
    seed_reference(sandbox)
    response = requests.post(f"{sandbox.url}/xero/ui/{AU}/contacts/new/", data={"Name": "Intruder"},
                             headers={"Origin": "http://127.0.0.1:8000"}, allow_redirects=False, timeout=5)
    assert response.status_code == 403
    without = requests.post(f"{sandbox.url}/xero/ui/{AU}/contacts/new/", data={"Name": "Intruder"},
                            allow_redirects=False, timeout=5)
    assert without.status_code == 403
    assert "Intruder" not in requests.get(f"{sandbox.url}/xero/ui/{AU}/contacts/", timeout=5).text


def test_an_unknown_organisation_is_a_404(sandbox):
    seed_reference(sandbox)
    response = requests.get(f"{sandbox.url}/xero/ui/00000000-0000-0000-0000-000000000000/contacts/", timeout=5)
    assert response.status_code == 404
