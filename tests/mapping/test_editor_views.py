"""The mapping editor with the Django test client: what the selects post, without JavaScript."""

import pytest
from django.urls import reverse

from mapping import services
from mapping.defaults import default_mapping
from mapping.forms import MappingForm
from mapping.models import FieldMapping
from tenancy.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def editor_url(module="accounts", direction="zoho-to-xero"):
    return reverse("mapping:editor", args=[module, direction])


def form_data(organisation, module="accounts", direction="zoho_to_xero", **changes):
    """What the browser posts for the form as rendered (every select and input), plus changes."""
    form = MappingForm(
        module_key=module,
        direction=direction,
        zoho_fields=services.zoho_fields(organisation, module),
        rules=services.get_mapping(organisation, module, direction)["rules"],
    )
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    data["save"] = "1"
    return data


def test_the_editor_shows_a_box_per_xero_field_and_the_zoho_fields(owner_client):
    html = owner_client.get(editor_url()).content.decode()
    assert 'data-testid="xero-box-Phones[DEFAULT].PhoneNumber"' in html
    assert 'data-testid="xero-box-Addresses[STREET].City"' in html
    assert 'data-testid="zoho-field-Phone"' in html
    assert 'data-testid="save-mapping"' in html
    assert 'data-testid="xero-box-Website"' not in html  # read-only in Xero: not a Zoho -> Xero target


def test_the_invoice_editor_offers_line_item_boxes_and_line_fields(owner_client):
    html = owner_client.get(editor_url("invoices")).content.decode()
    assert 'data-testid="xero-box-LineItems[].Quantity"' in html
    assert 'data-testid="zoho-field-Invoiced_Items[].Quantity"' in html


def test_saving_the_form_unchanged_keeps_the_default_rules(owner_client, organisation):
    for module in ("accounts", "contacts", "products", "invoices"):
        for direction, slug in (("zoho_to_xero", "zoho-to-xero"), ("xero_to_zoho", "xero-to-zoho")):
            response = owner_client.post(editor_url(module, slug), form_data(organisation, module, direction))
            assert response.status_code == 302, (module, direction, response.content.decode()[:3000])
            saved = FieldMapping.objects.get(
                organisation=organisation, module=module, direction=direction
            ).rules
            defaults = default_mapping(module, direction)["rules"]
            key = lambda rule: rule["xero"]  # noqa: E731
            assert sorted(saved, key=key) == sorted(defaults, key=key), (module, direction)


def test_choosing_a_zoho_field_in_the_select_maps_it(owner_client, organisation):
    data = form_data(organisation, **{"zoho:Phones[MOBILE].PhoneNumber": "Phone"})
    response = owner_client.post(editor_url(), data)
    assert response.status_code == 302
    rules = services.get_mapping(organisation, "accounts", "zoho_to_xero")["rules"]
    assert {"xero": "Phones[MOBILE].PhoneNumber", "zoho": "Phone"} in rules
    assert "Mapping saved." in owner_client.get(editor_url()).content.decode()


def test_a_zoho_field_of_the_wrong_type_is_refused_with_a_message(owner_client, organisation):
    data = form_data(
        organisation,
        "products",
        **{"zoho:SalesDetails.UnitPrice": "Product_Name", "transform:SalesDetails.UnitPrice": ""},
    )
    response = owner_client.post(editor_url("products"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot fill the Xero field SalesDetails.UnitPrice" in html
    assert not FieldMapping.objects.filter(organisation=organisation).exists()


def test_leaving_the_contact_name_unmapped_says_xero_requires_it(owner_client, organisation):
    response = owner_client.post(editor_url(), form_data(organisation, **{"zoho:Name": ""}))
    assert response.status_code == 200
    assert "Map a Zoho field or a constant to the Xero field Name" in response.content.decode()


def test_a_constant_and_a_value_table_are_saved(owner_client, organisation):
    data = form_data(
        organisation,
        "invoices",
        **{
            "constant:Url": "https://crm.example/invoices",
            "table:Status": "Created = DRAFT\nApproved = AUTHORISED",
        },
    )
    assert owner_client.post(editor_url("invoices"), data).status_code == 302
    rules = {
        rule["xero"]: rule for rule in services.get_mapping(organisation, "invoices", "zoho_to_xero")["rules"]
    }
    assert rules["Url"] == {"xero": "Url", "constant": "https://crm.example/invoices"}
    assert rules["Status"]["transform"]["table"] == {"Created": "DRAFT", "Approved": "AUTHORISED"}
    assert rules["Status"]["transform"]["default"] == "DRAFT"  # kept from the default rule


def test_a_bad_value_table_line_is_explained(owner_client, organisation):
    data = form_data(organisation, "invoices", **{"table:Status": "Created DRAFT"})
    response = owner_client.post(editor_url("invoices"), data)
    assert response.status_code == 200
    assert "write a pair as Zoho value = Xero value" in response.content.decode()


def test_reset_to_defaults_removes_the_saved_mapping(owner_client, organisation):
    owner_client.post(editor_url(), form_data(organisation, **{"zoho:Phones[MOBILE].PhoneNumber": "Phone"}))
    assert services.is_customised(organisation, "accounts", "zoho_to_xero")
    response = owner_client.post(editor_url(), {"reset": "1"})
    assert response.status_code == 302
    assert not services.is_customised(organisation, "accounts", "zoho_to_xero")
    assert services.get_mapping(organisation, "accounts", "zoho_to_xero") == services.effective_default(
        organisation, "accounts", "zoho_to_xero"
    )


def test_an_unknown_module_or_direction_is_not_found(owner_client):
    assert (
        owner_client.get(reverse("mapping:editor", args=["xero_accounts", "zoho-to-xero"])).status_code == 404
    )
    assert owner_client.get(reverse("mapping:editor", args=["accounts", "sideways"])).status_code == 404


def test_a_read_only_member_sees_the_mapping_but_cannot_save_or_reset(client, organisation):
    member = MembershipFactory(organisation=organisation, role=Role.READ_ONLY).user
    client.force_login(member)
    html = client.get(editor_url()).content.decode()
    assert 'data-testid="read-only-note"' in html
    assert 'data-testid="save-mapping"' not in html
    assert client.post(editor_url(), form_data(organisation, **{"zoho:Name": "Fax"})).status_code == 403
    assert client.post(editor_url(), {"reset": "1"}).status_code == 403
    assert not FieldMapping.objects.exists()


def test_an_outsider_neither_sees_nor_changes_this_organisations_mapping(
    owner_client, organisation, outsider, other_organisation, client
):
    owner_client.post(editor_url(), form_data(organisation, **{"zoho:Phones[MOBILE].PhoneNumber": "Phone"}))
    client.force_login(outsider)
    html = client.get(editor_url()).content.decode()
    assert "customised" not in html.split('data-testid="direction"')[1][:200]
    client.post(editor_url(), {"reset": "1"})
    assert services.is_customised(organisation, "accounts", "zoho_to_xero")
    assert not services.is_customised(other_organisation, "accounts", "zoho_to_xero")


def test_the_mapping_pages_need_sign_in(client):
    for url in (
        reverse("mapping:index"),
        editor_url(),
        reverse("mapping:taxes"),
        reverse("mapping:accounts"),
        reverse("mapping:export"),
    ):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_editor_works_in_german_and_french(owner_client, owner, organisation, language):
    owner.language = language
    owner.save()
    html = owner_client.get(editor_url()).content.decode()
    assert f'<html lang="{language}">' in html
    assert 'data-testid="zoho-field-Phone"' in html and 'data-testid="save-mapping"' in html
    response = owner_client.post(
        editor_url(), form_data(organisation, **{"zoho:Phones[MOBILE].PhoneNumber": "Phone"})
    )
    assert response.status_code == 302
    assert {"xero": "Phones[MOBILE].PhoneNumber", "zoho": "Phone"} in services.get_mapping(
        organisation, "accounts", "zoho_to_xero"
    )["rules"]


def test_the_editor_lists_what_the_check_before_sync_would_say(owner_client, organisation):
    rules = [rule for rule in default_mapping("accounts", "zoho_to_xero")["rules"] if rule["xero"] != "Name"]
    services.save_mapping(organisation, "accounts", "zoho_to_xero", rules)
    html = owner_client.get(editor_url()).content.decode()
    checks = html.split('data-testid="mapping-checks"')[1].split("</section>")[0]
    assert "Map a Zoho field or a constant to the Xero field Name" in checks
    assert 'data-testid="mapping-checks"' not in owner_client.get(editor_url("products")).content.decode()


def test_a_read_only_member_gets_disabled_fields_and_no_drag_and_drop(client, organisation, read_only_member):
    client.force_login(read_only_member)
    html = client.get(editor_url()).content.decode()
    select_tag = html.split('name="zoho:Name"')[1].split(">")[0]
    assert "disabled" in select_tag
    assert 'data-role="mapping-form"' not in html


def test_writing_into_a_field_zoho_sets_itself_is_refused(owner_client, organisation):
    data = form_data(organisation, "invoices", "xero_to_zoho", **{"zoho:InvoiceNumber": "Invoice_Number"})
    assert (
        'value="Invoice_Number"'
        not in owner_client.get(editor_url("invoices", "xero-to-zoho"))
        .content.decode()
        .split('name="zoho:InvoiceNumber"')[1]
        .split("</select>")[0]
    )
    response = owner_client.post(editor_url("invoices", "xero-to-zoho"), data)
    assert response.status_code == 200
    assert not services.is_customised(organisation, "invoices", "xero_to_zoho")


def test_the_refresh_button_only_returns_to_pages_of_this_site(owner_client):
    response = owner_client.post(reverse("mapping:refresh_zoho_fields"), {"next": "/\\evil.example/"})
    assert response["Location"] == reverse("mapping:index")
    response = owner_client.post(reverse("mapping:refresh_zoho_fields"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("mapping:index")


def test_a_constant_for_zoho_needs_the_zoho_field_it_fills(owner_client, organisation):
    data = form_data(organisation, "accounts", "xero_to_zoho", **{"constant:ContactStatus": "Customer"})
    response = owner_client.post(editor_url("accounts", "xero-to-zoho"), data)
    assert response.status_code == 200
    assert "Choose the Zoho field the constant value goes into." in response.content.decode()
    data["zoho:ContactStatus"] = "Account_Type"
    assert owner_client.post(editor_url("accounts", "xero-to-zoho"), data).status_code == 302
    rules = services.get_mapping(organisation, "accounts", "xero_to_zoho")["rules"]
    assert {"xero": "ContactStatus", "zoho": "Account_Type", "constant": "Customer"} in rules


def test_saving_and_resetting_a_mapping_is_recorded_in_the_audit_log(owner_client, organisation, owner):
    from audit.models import AuditEntry

    owner_client.post(editor_url(), form_data(organisation, **{"zoho:Phones[MOBILE].PhoneNumber": "Phone"}))
    owner_client.post(editor_url(), {"reset": "1"})
    entries = list(
        AuditEntry.objects.filter(organisation=organisation)
        .order_by("created_at")
        .values_list("module", "direction", "message")
    )
    assert entries == [
        ("accounts", "zoho_to_xero", f"Field mapping saved by {owner.email}."),
        ("accounts", "zoho_to_xero", f"Field mapping reset to the defaults by {owner.email}."),
    ]
