"""Xero's paths are case-insensitive, and an unknown API path answers Xero's plain-text 404."""

import requests

from .xero_helpers import api_for


def test_api_and_connections_paths_answer_in_any_letter_case(sandbox):
    api = api_for(sandbox, contacts=2)
    spellings = ["Contacts", "contacts", "CONTACTS"]
    counts = {name: len(api.get(name).json()["Contacts"]) for name in spellings}
    assert counts == {"Contacts": 2, "contacts": 2, "CONTACTS": 2}
    contact_id = api.get("contacts").json()["Contacts"][0]["ContactID"]
    assert api.get(f"CONTACTS/{contact_id}").json()["Contacts"][0]["ContactID"] == contact_id
    headers = {"Authorization": api.session.headers["Authorization"]}
    upper = requests.get(sandbox.url + "/xero/Connections", headers=headers, timeout=10)
    lower = requests.get(sandbox.url + "/xero/connections", headers=headers, timeout=10)
    assert upper.status_code == lower.status_code == 200 and upper.json()[0]["tenantId"] == lower.json()[0]["tenantId"]


def test_an_unknown_api_path_answers_xeros_plain_text_404_not_an_html_page(sandbox):
    api = api_for(sandbox)
    for response in (api.get("CreditNotes"), api.get("Contacts/00000000-0000-0000-0000-000000000009")):
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("text/plain")
        assert response.text == "The resource you're looking for cannot be found"
