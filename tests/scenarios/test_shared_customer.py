"""The same customer in two Xero organisations, with each ledger's own address and contact person, synced by one
cron pass over both (README "Several Xero organisations on one Zoho CRM": linking is not a change).

Clicking through `make run` with the AU and UK demo companies, the first cron cycle wrote UK's values over the Zoho
account and contact AU had created, and then wrote them into AU's ledger: AU's Harbour Traders moved to Leeds
(keeping the region QLD) and AU's person Noah Jones became Jack Brown (UK's person with the same email).
"""

from connections.providers.zoho.client import ZohoClient
from sync.triggers import cron

from .test_messy_world import _ok
from .world import connect_two

EMAIL = "accounts1@harbour.example"


def _contact(name, city, country, first, last):
    return {"Name": name, "Addresses": [{"AddressType": "STREET", "AddressLine1": "1 Main Street", "City": city,
                                         "Country": country}],
            "ContactPersons": [{"FirstName": first, "LastName": last, "EmailAddress": EMAIL,
                                "IncludeInEmails": True}]}


def test_each_ledger_keeps_its_own_values_of_a_customer_both_hold(sandbox, owner_client, organisation, owner,
                                                                  settings):
    zoho, (au, uk) = connect_two(sandbox, owner_client, organisation, owner, settings)
    [au_id] = _ok(au.xero.save_contacts([_contact("Harbour Traders", "Brisbane", "Australia", "Noah", "Jones")],
                                        create_only=True))
    [uk_id] = _ok(uk.xero.save_contacts([_contact("Harbour Traders", "Leeds", "United Kingdom", "Jack", "Brown")],
                                        create_only=True))

    cron.run_organisation(organisation)
    cron.run_organisation(organisation)  # and the next cycle changes nothing either

    for org, contact_id, city, first in ((au, au_id, "Brisbane", "Noah"), (uk, uk_id, "Leeds", "Jack")):
        [contact] = org.xero.get_contacts_by_ids([contact_id])
        street = next(a for a in contact["Addresses"] if a["AddressType"] == "STREET")
        assert street["City"] == city, (org.name, contact["Addresses"])
        assert [p["FirstName"] for p in contact.get("ContactPersons") or []] == [first], org.name
    assert isinstance(zoho, ZohoClient)
    accounts = zoho.coql("select id, Account_Name, Shipping_City from Accounts where Account_Name = 'Harbour Traders'")
    assert [(a["Account_Name"], a["Shipping_City"]) for a in accounts["data"]] == [("Harbour Traders", "Brisbane")]
    persons = zoho.coql(f"select First_Name, Last_Name from Contacts where Email = '{EMAIL}'")
    assert [(p["First_Name"], p["Last_Name"]) for p in persons["data"]] == [("Noah", "Jones")]
