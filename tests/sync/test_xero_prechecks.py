"""The planner's checks of Xero-bound payloads (sync.engine.xero_checks, with the mapping catalogue's rules): what
Xero would refuse (a mandatory value missing, a value too long) fails in the planner with one translated reason
naming the field and the record, and nothing is sent. In-memory providers: no database, no HTTP (the same through
every trigger against the sandbox: test_products_over_http)."""

from mapping.record_checks import NO_VALUE, TOO_LONG
from sync.engine.modules import ZOHO_TO_XERO
from sync.engine.operations import CREATE, UPDATE, Operation, Transforms
from sync.engine.xero_checks import check_for_xero

from .engine_world import World, product_to_zoho


def product_to_xero(record):
    """As the mapping does it: an empty Zoho value is left out of the payload (no TransformError)."""
    values = {"Code": record.get("Product_Code"), "Name": record.get("Product_Name")}
    return {key: value for key, value in values.items() if value}


def _world():
    world = World()
    world.transforms = lambda module: Transforms(product_to_xero, product_to_zoho)
    return world


def test_a_product_without_a_code_fails_in_the_planner_naming_field_and_record_and_nothing_is_sent():
    world = _world()
    world.zoho.put("products", {"Product_Name": "Missing product code"})
    world.zoho.put("products", {"Product_Name": "Cable kit", "Product_Code": "CK-48"})
    failed, created = sorted(world.sync("products", ZOHO_TO_XERO), key=lambda op: op.status)
    assert (failed.status, failed.message_key) == ("failed", NO_VALUE)
    assert failed.params["record"] == "Missing product code" and failed.params["field"] == "Item code"
    assert not failed.error_message and failed.response is None  # no provider answer: it was never sent
    assert created.status == "success"
    assert [(kind, module) for kind, module, _id in world.xero.writes] == [("create", "products")]  # the other one
    assert [item["Code"] for item in world.xero.records["products"].values()] == ["CK-48"]
    assert [entry["message_key"] for entry in world.audit.entries if entry["status"] == "failed"] == [NO_VALUE]


def test_a_linked_item_is_updated_without_a_code_which_leaves_xeros_code_as_it_is():
    world = _world()
    product = world.zoho.put("products", {"Product_Name": "Cable kit", "Product_Code": "CK-48"})
    world.sync("products", ZOHO_TO_XERO)
    world.zoho.put("products", {**product, "Product_Code": None, "Product_Name": "Cable kit 48"})
    [operation] = world.sync("products", ZOHO_TO_XERO)
    assert (operation.action, operation.status) == (UPDATE, "success")
    [item] = world.xero.records["products"].values()
    assert (item["Code"], item["Name"]) == ("CK-48", "Cable kit 48")
    # The request itself carries the item's own Code: Xero's schema wants it in every Item element.
    assert operation.payload["Code"] == "CK-48"


def test_a_value_longer_than_xero_takes_is_refused_with_its_length_create_or_update():
    name = "Extra long cable kit for the harbour site, 48 pieces"  # 52 characters; an item Name takes 50
    for action in (CREATE, UPDATE):
        operation = Operation(module="products", direction=ZOHO_TO_XERO, action=action, source_id="1", name=name,
                              payload={"Code": "CK-48", "Name": name})
        failed = check_for_xero(operation)
        assert failed is operation and failed.message_key == TOO_LONG
        assert (failed.params["field"], failed.params["length"], failed.params["max"]) == ("Name", 52, 50)
        assert failed.params["record"] == failed.params["value"] == name
    description = "Cable " * 700  # 4,200 characters; the message shows the start of the value
    failed = check_for_xero(Operation(module="products", direction=ZOHO_TO_XERO, action=UPDATE, source_id="1",
                                      name="Cable kit", payload={"Description": description}))
    assert failed.params["value"] == description[:59].rstrip() + "…" and failed.params["length"] == 4200


def test_a_contact_person_inside_its_xero_contact_and_a_complete_payload_pass():
    person = Operation(module="contacts", direction=ZOHO_TO_XERO, action=CREATE, source_id="1", nested=True,
                       payload={"FirstName": "Ada"})
    assert check_for_xero(person) is None
    item = Operation(module="products", direction=ZOHO_TO_XERO, action=CREATE, source_id="2",
                     payload={"Code": "CK-48", "Name": "Cable kit"})
    assert check_for_xero(item) is None and item.status == "planned"
