"""Items: Code required and unique, no paging, DELETE."""

from decimal import Decimal

from sandbox import clock

from .formats import decimal, money, ms_date
from .models import Account, Item, TaxRate
from .records import Invalid

FIELDS = {"ItemID", "Code", "Name", "Description", "PurchaseDescription", "IsSold", "IsPurchased",
          "IsTrackedAsInventory", "UpdatedDateUTC", "SalesDetails", "PurchaseDetails"}
DETAIL_KEYS = ("UnitPrice", "AccountCode", "COGSAccountCode", "TaxType")


def serialize(item: Item, *, unitdp: int = 2) -> dict:
    data = item.data
    out = {"ItemID": str(item.id), "Code": item.code}
    for field in ("Name", "Description", "PurchaseDescription"):
        if data.get(field) not in (None, ""):
            out[field] = data[field]
    for field in ("SalesDetails", "PurchaseDetails"):
        details = dict(data.get(field) or {})
        if details.get("UnitPrice") is not None:
            details["UnitPrice"] = float(money(Decimal(str(details["UnitPrice"])), unitdp))
        out[field] = details
    out["IsTrackedAsInventory"] = False
    out["IsSold"] = data.get("IsSold", True)
    out["IsPurchased"] = data.get("IsPurchased", True)
    out["UpdatedDateUTC"] = ms_date(item.updated_at)
    return out


def _details(organisation, value, field, errors, *, revenue: bool):
    if not isinstance(value, dict):
        errors.append(f"{field} must be an object.")
        return {}
    details = {}
    price = decimal(value.get("UnitPrice"), f"{field}.UnitPrice")
    if price is not None:
        details["UnitPrice"] = str(money(price, 4))
    code = value.get("AccountCode")
    if code:
        if not Account.objects.filter(organisation=organisation, code=code, status="ACTIVE").exists():
            errors.append(f"Account code '{code}' is not a valid code.")
        details["AccountCode"] = code
    tax_type = value.get("TaxType")
    if tax_type:
        if not TaxRate.objects.filter(organisation=organisation, tax_type=tax_type, status="ACTIVE").exists():
            errors.append(f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of "
                          "transaction.")
        details["TaxType"] = tax_type
    if value.get("COGSAccountCode"):
        details["COGSAccountCode"] = value["COGSAccountCode"]
    return details


def apply(organisation, element: dict, *, mode: str, target: Item | None = None, events: list | None = None,
          unitdp: int = 2) -> dict:
    existing = target
    item_id = element.get("ItemID")
    if existing is None and item_id:
        existing = Item.objects.filter(organisation=organisation, pk=_uuid(item_id)).first()
        if existing is None:
            raise Invalid(f"The item with ItemID {item_id} could not be found.")
        if mode == "put":
            raise Invalid("This item already exists. Use POST to update it.")
    code = element.get("Code")
    if existing is None and mode == "post" and isinstance(code, str) and code.strip():
        existing = Item.objects.filter(organisation=organisation, code__iexact=code.strip()).first()
    errors = []
    data = dict(existing.data) if existing else {"IsSold": True, "IsPurchased": True}
    final_code = existing.code if existing else None
    if "Code" in element or existing is None:
        if not isinstance(code, str) or not code.strip():
            errors.append("Item code must be specified.")
        elif len(code.strip()) > 30:
            errors.append("Item code must not be longer than 30 characters.")
        else:
            final_code = code.strip()
            clash = Item.objects.filter(organisation=organisation, code__iexact=final_code)
            if existing is not None:
                clash = clash.exclude(pk=existing.pk)
            if clash.exists():
                errors.append(f"Price List Item with Code ''{final_code}'' already exists")
    for field, limit in (("Name", 50), ("Description", 4000), ("PurchaseDescription", 4000)):
        if field in element:
            value = element[field]
            if value is not None and not isinstance(value, str):
                errors.append(f"{field} must be text.")
            elif value and len(value) > limit:
                errors.append(f"The {field} must not be longer than {limit} characters.")
            else:
                data[field] = value
    if existing is None and not data.get("Name"):
        data["Name"] = final_code
    for field in ("IsSold", "IsPurchased"):
        if field in element:
            if not isinstance(element[field], bool):
                errors.append(f"{field} must be true or false.")
            else:
                data[field] = element[field]
    if element.get("IsTrackedAsInventory") is True:
        errors.append("Tracked inventory items are not supported by the sandbox: set IsTrackedAsInventory false.")
    if "SalesDetails" in element:
        data["SalesDetails"] = _details(organisation, element["SalesDetails"], "SalesDetails", errors, revenue=True)
    if "PurchaseDetails" in element:
        data["PurchaseDetails"] = _details(organisation, element["PurchaseDetails"], "PurchaseDetails", errors,
                                           revenue=False)
    if data.get("IsSold") is False:  # the spec: setting false nulls the details
        data["Description"], data["SalesDetails"] = None, {}
    if data.get("IsPurchased") is False:
        data["PurchaseDescription"], data["PurchaseDetails"] = None, {}
    if errors:
        raise Invalid(*errors)
    now = clock.now()
    if existing is None:
        item = Item.objects.create(organisation=organisation, code=final_code, data=data, updated_at=now)
    else:
        item = existing
        item.code, item.data, item.updated_at = final_code, data, now
        item.save()
    return serialize(item, unitdp=unitdp)  # the echo honours unitdp=4 as the GET does


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
