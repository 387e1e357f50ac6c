"""The Zoho field cache (Refresh), export and import of an organisation's mappings."""

import io
import json

import pytest
from django.urls import reverse

from connections.exceptions import AuthRevoked
from mapping import clients, services
from mapping.models import FieldMapping, ZohoFieldCache
from tests.connections.factories import ZohoConnectionFactory

pytestmark = pytest.mark.django_db


def raw(api_name, data_type, label=None, **extra):
    return {
        "api_name": api_name,
        "field_label": label or api_name.replace("_", " "),
        "data_type": data_type,
        "json_type": "string",
        **extra,
    }


ZOHO_FIELDS = {
    "Accounts": [
        raw("Account_Name", "text", system_mandatory=True),
        raw("Phone", "phone"),
        raw(
            "Customer_Tier",
            "picklist",
            custom_field=True,
            pick_list_values=[
                {"display_value": "Gold", "actual_value": "Gold", "type": "used"},
                {"display_value": "Old", "actual_value": "Old", "type": "unused"},
            ],
        ),
        raw(
            "Parent_Account",
            "lookup",
            lookup={"module": {"api_name": "Accounts", "id": "1"}, "api_name": "Parent_Account"},
        ),
    ],
    "Contacts": [raw("Last_Name", "text", system_mandatory=True), raw("Email", "email")],
    "Products": [
        raw("Product_Name", "text", system_mandatory=True),
        raw("Product_Code", "text"),
        raw("Tax", "multiselectpicklist"),
    ],
    "Invoices": [
        raw("Subject", "text", system_mandatory=True),
        raw("Invoiced_Items", "subform", subform={"module": "Invoiced_Items", "id": "9"}),
    ],
    "Invoiced_Items": [
        raw("Quantity", "double"),
        raw("Line_Tax", "jsonarray"),
        raw("Xero_Account", "text", custom_field=True),
    ],
}


class FakeZoho:
    def __init__(self, fields=ZOHO_FIELDS, error=None):
        self.fields, self.error, self.calls = fields, error, []

    def get_fields(self, module):
        self.calls.append(module)
        if self.error:
            raise self.error
        return self.fields[module]


def test_refresh_caches_custom_fields_picklists_lookups_and_subform_fields(organisation):
    client = FakeZoho()
    count = services.refresh_zoho_fields(organisation, client)
    assert count == 4 + 2 + 3 + 2 + 3
    assert client.calls == ["Accounts", "Contacts", "Products", "Invoices", "Invoiced_Items"]
    accounts = {field["api_name"]: field for field in services.zoho_fields(organisation, "accounts")}
    assert accounts["Customer_Tier"]["custom"] is True and accounts["Customer_Tier"]["picklist"] == ["Gold"]
    assert (
        accounts["Parent_Account"]["kind"] == "lookup"
        and accounts["Parent_Account"]["lookup_module"] == "Accounts"
    )
    invoices = {field["api_name"]: field for field in services.zoho_fields(organisation, "invoices")}
    assert invoices["Invoiced_Items[].Line_Tax"]["kind"] == "tax"
    assert invoices["Invoiced_Items[].Xero_Account"]["custom"] is True
    products = {field["api_name"]: field for field in services.zoho_fields(organisation, "products")}
    assert products["Tax"]["kind"] == "tax"


def test_without_a_refresh_the_standard_fields_are_offered(organisation):
    names = {field["api_name"] for field in services.zoho_fields(organisation, "contacts")}
    assert {"First_Name", "Last_Name", "Email", "Phone", "Mobile", "Account_Name"} <= names


def test_the_defaults_leave_out_fields_the_organisation_does_not_have(organisation):
    services.refresh_zoho_fields(organisation, FakeZoho())
    rules = services.get_mapping(organisation, "accounts", "zoho_to_xero")["rules"]
    assert {rule["xero"] for rule in rules} == {"Name", "Phones[DEFAULT].PhoneNumber", "ContactNumber"}


def test_the_refresh_button_reads_the_fields_and_shows_the_custom_field(
    owner_client, organisation, monkeypatch
):
    ZohoConnectionFactory(organisation=organisation)
    monkeypatch.setattr(clients, "zoho_client", lambda connection: FakeZoho())
    editor = reverse("mapping:editor", args=["accounts", "zoho-to-xero"])
    response = owner_client.post(reverse("mapping:refresh_zoho_fields"), {"next": editor}, follow=True)
    html = response.content.decode()
    assert "14 Zoho fields refreshed." in html  # 4 + 2 + 3 + 2 + 3
    assert 'data-testid="zoho-field-Customer_Tier"' in html


def test_a_refresh_without_zoho_or_refused_by_zoho_says_so_and_keeps_the_cache(
    owner_client, organisation, monkeypatch
):
    response = owner_client.post(reverse("mapping:refresh_zoho_fields"), follow=True)
    assert "Connect Zoho CRM first" in response.content.decode()
    services.refresh_zoho_fields(organisation, FakeZoho())
    ZohoConnectionFactory(organisation=organisation)
    monkeypatch.setattr(clients, "zoho_client", lambda connection: FakeZoho(error=AuthRevoked("revoked")))
    response = owner_client.post(reverse("mapping:refresh_zoho_fields"), follow=True)
    assert "Please reconnect." in response.content.decode()
    assert ZohoFieldCache.objects.filter(organisation=organisation).count() == 4


def test_a_read_only_member_cannot_refresh(client, read_only_member):
    client.force_login(read_only_member)
    assert client.post(reverse("mapping:refresh_zoho_fields")).status_code == 403


def test_export_then_import_restores_the_mappings(owner_client, organisation):
    services.save_mapping(
        organisation, "accounts", "zoho_to_xero", [{"xero": "Name", "zoho": "Account_Number"}]
    )
    services.set_tax_mode(organisation, "Inclusive")
    exported = owner_client.get(reverse("mapping:export"))
    assert exported["Content-Disposition"].startswith("attachment;")
    data = json.loads(exported.content)
    assert (
        data["format"] == "syncportal.mappings" and data["version"] == 1 and data["tax_mode"] == "Inclusive"
    )
    assert len(data["mappings"]) == 8

    services.reset_mapping(organisation, "accounts", "zoho_to_xero")
    services.save_mapping(
        organisation, "products", "zoho_to_xero", [{"xero": "Code", "zoho": "Product_Name"}]
    )
    services.set_tax_mode(organisation, "NoTax")
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "mappings.json"
    response = owner_client.post(reverse("mapping:import"), {"file": upload}, follow=True)
    assert "Mappings imported: 1 customised." in response.content.decode()
    assert services.get_mapping(organisation, "accounts", "zoho_to_xero")["rules"] == [
        {"xero": "Name", "zoho": "Account_Number"}
    ]
    assert not services.is_customised(organisation, "products", "zoho_to_xero")
    assert services.tax_mode(organisation) == "Inclusive"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "The file is not JSON."),
        (json.dumps({"format": "other"}).encode(), "not a Sync Portal mapping export"),
        (
            json.dumps({"format": "syncportal.mappings", "version": 99, "mappings": []}).encode(),
            "format version 99",
        ),
        (
            json.dumps(
                {
                    "format": "syncportal.mappings",
                    "version": 1,
                    "mappings": [
                        {"module": "accounts", "direction": "zoho_to_xero", "rules": [{"xero": "Nickname"}]}
                    ],
                }
            ).encode(),
            "Nickname is not a Xero field of this module.",
        ),
    ],
)
def test_a_bad_import_file_is_refused_with_a_reason_and_changes_nothing(
    owner_client, organisation, content, message
):
    services.save_mapping(
        organisation, "accounts", "zoho_to_xero", [{"xero": "Name", "zoho": "Account_Name"}]
    )
    upload = io.BytesIO(content)
    upload.name = "mappings.json"
    response = owner_client.post(reverse("mapping:import"), {"file": upload}, follow=True)
    assert message in response.content.decode()
    assert FieldMapping.objects.get(organisation=organisation).rules == [
        {"xero": "Name", "zoho": "Account_Name"}
    ]


def test_a_read_only_member_can_export_but_not_import(client, read_only_member):
    client.force_login(read_only_member)
    assert client.get(reverse("mapping:export")).status_code == 200
    upload = io.BytesIO(b"{}")
    upload.name = "m.json"
    assert client.post(reverse("mapping:import"), {"file": upload}).status_code == 403


def test_an_outsider_exports_only_their_own_organisation(outsider_client, organisation):
    services.save_mapping(
        organisation, "accounts", "zoho_to_xero", [{"xero": "Name", "zoho": "Account_Number"}]
    )
    data = json.loads(outsider_client.get(reverse("mapping:export")).content)
    accounts = next(
        entry
        for entry in data["mappings"]
        if entry["module"] == "accounts" and entry["direction"] == "zoho_to_xero"
    )
    assert accounts["customised"] is False


def test_one_module_and_direction_can_be_exported_and_imported_alone(owner_client, organisation):
    services.save_mapping(organisation, "accounts", "zoho_to_xero", [{"xero": "Name", "zoho": "Account_Number"}])
    services.save_mapping(organisation, "products", "zoho_to_xero", [{"xero": "Code", "zoho": "Product_Name"}])
    page = owner_client.get(reverse("mapping:index")).content.decode()
    assert 'data-testid="export-accounts-zoho-to-xero"' in page and 'data-testid="export-accounts"' in page

    one = owner_client.get(reverse("mapping:export"), {"module": "accounts", "direction": "zoho-to-xero"})
    assert 'filename="syncportal-mappings-accounts-zoho-to-xero-' in one["Content-Disposition"]
    data = json.loads(one.content)
    assert [(m["module"], m["direction"]) for m in data["mappings"]] == [("accounts", "zoho_to_xero")]
    assert "tax_mode" not in data  # importing one mapping leaves the tax mode alone
    both = json.loads(owner_client.get(reverse("mapping:export"), {"module": "accounts"}).content)
    assert [(m["module"], m["direction"]) for m in both["mappings"]] == [
        ("accounts", "zoho_to_xero"), ("accounts", "xero_to_zoho")]

    services.reset_mapping(organisation, "accounts", "zoho_to_xero")
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "accounts.json"
    owner_client.post(reverse("mapping:import"), {"file": upload})
    assert services.get_mapping(organisation, "accounts", "zoho_to_xero")["rules"] == [
        {"xero": "Name", "zoho": "Account_Number"}]
    assert services.is_customised(organisation, "products", "zoho_to_xero")  # untouched by the module's file


@pytest.mark.parametrize("query", [{"module": "ledgers"}, {"module": "accounts", "direction": "sideways"},
                                   {"direction": "zoho-to-xero"}])
def test_exporting_a_mapping_that_does_not_exist_is_refused_with_a_translated_message(owner_client, owner, query):
    owner.language = "de"
    owner.save()
    response = owner_client.get(reverse("mapping:export"), query, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 400
    assert "Diese Zuordnung gibt es nicht." in response.content.decode()
