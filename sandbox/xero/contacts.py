"""Contacts: serialization and the create/update rules (PUT creates only, POST creates or updates)."""

import re

from sandbox import clock

from .formats import ms_date
from .models import Contact, Invoice, TaxRate
from .records import Invalid

FIELDS = {"ContactID", "ContactNumber", "AccountNumber", "ContactStatus", "Name", "FirstName", "LastName",
          "EmailAddress", "CompanyNumber", "TaxNumber", "UpdatedDateUTC", "IsCustomer", "IsSupplier",
          "DefaultCurrency", "Website", "AccountsReceivableTaxType", "AccountsPayableTaxType"}
TEXT_FIELDS = {"FirstName": 255, "LastName": 255, "EmailAddress": 255, "AccountNumber": 50, "CompanyNumber": 50,
               "TaxNumber": 50, "BankAccountDetails": 255, "Website": 255, "DefaultCurrency": 3,
               "SalesDefaultAccountCode": 10, "PurchasesDefaultAccountCode": 10, "SkypeUserName": 255}
LIST_FIELDS = {"Addresses", "Phones", "ContactPersons"}
OBJECT_FIELDS = {"PaymentTerms"}
ADDRESS_TYPES = {"POBOX", "STREET", "DELIVERY"}
PHONE_TYPES = {"DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"}
STATUSES = {"ACTIVE", "ARCHIVED", "GDPRREQUEST"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def customers_of(organisation) -> set:
    """Contacts with sales invoices (Xero sets IsCustomer itself)."""
    return set(Invoice.objects.filter(organisation=organisation, type="ACCREC").exclude(
        status="DELETED").values_list("contact_id", flat=True))


def serialize(contact: Contact, *, customers: set | None = None, summary: bool = False) -> dict:
    data = contact.data
    out = {"ContactID": str(contact.id), "ContactStatus": contact.status, "Name": contact.name}
    if contact.contact_number:
        out["ContactNumber"] = contact.contact_number
    for field in TEXT_FIELDS:
        if data.get(field) not in (None, ""):
            out[field] = data[field]
    for field in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        if data.get(field):
            out[field] = data[field]
    if not summary:
        out["Addresses"] = data.get("Addresses", [])
        out["Phones"] = data.get("Phones", [])
        if data.get("PaymentTerms"):
            out["PaymentTerms"] = data["PaymentTerms"]
    out["UpdatedDateUTC"] = ms_date(contact.updated_at)
    out["ContactGroups"] = []
    out["IsSupplier"] = False
    out["IsCustomer"] = contact.id in customers if customers is not None else False
    out["ContactPersons"] = [] if summary else data.get("ContactPersons", [])
    out["HasAttachments"] = False
    out["HasValidationErrors"] = False
    return out


def _text(element, field, limit, errors):
    value = element.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(f"{field} must be text.")
        return None
    value = value.strip()
    if len(value) > limit:
        errors.append(f"{field} must not be longer than {limit} characters.")
    return value


def _validate_list(element, field, errors):
    value = element.get(field)
    if not isinstance(value, list) or any(not isinstance(v, dict) for v in value):
        errors.append(f"{field} must be an array of objects.")
        return []
    if field == "Addresses":
        for address in value:
            if address.get("AddressType", "POBOX") not in ADDRESS_TYPES:
                errors.append(f"AddressType must be one of {', '.join(sorted(ADDRESS_TYPES))}.")
    if field == "Phones":
        for phone in value:
            if phone.get("PhoneType", "DEFAULT") not in PHONE_TYPES:
                errors.append(f"PhoneType must be one of {', '.join(sorted(PHONE_TYPES))}.")
    if field == "ContactPersons":
        for person in value:
            email = person.get("EmailAddress")
            if email and (not isinstance(email, str) or not EMAIL.match(email)):
                errors.append("The Email Address of a contact person must be a valid email address.")
        if len(value) > 5:
            errors.append("A contact can have at most 5 contact persons.")
    return value


def find_existing(organisation, element: dict, *, mode: str, target: Contact | None):
    if target is not None:
        return target
    contact_id = element.get("ContactID")
    if contact_id:
        existing = Contact.objects.filter(organisation=organisation, pk=_uuid(contact_id)).first()
        if existing is None:
            raise Invalid(f"The contact with ContactID {contact_id} could not be found.")
        if mode == "put":
            raise Invalid("This contact already exists. Use POST to update it.")
        return existing
    if mode == "put":
        return None
    number = element.get("ContactNumber")
    if isinstance(number, str) and number.strip():
        existing = Contact.objects.filter(organisation=organisation, contact_number=number.strip()).first()
        if existing is not None:
            return existing
    name = element.get("Name")
    if isinstance(name, str) and name.strip():
        candidates = Contact.objects.filter(organisation=organisation, name__iexact=name.strip())
        return candidates.filter(status="ACTIVE").first() or candidates.first()
    return None


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def apply(organisation, element: dict, *, mode: str, events: list, target: Contact | None = None) -> dict:
    """Create or update one contact; raises Invalid with Xero's messages. Returns the serialized contact."""
    existing = find_existing(organisation, element, mode=mode, target=target)
    errors = []
    data = dict(existing.data) if existing else {}
    name = existing.name if existing else None
    if "Name" in element:
        value = _text(element, "Name", 255, errors)
        if not value:
            errors.append("The contact name must be specified.")
        name = value
    elif existing is None:
        errors.append("The contact name must be specified.")
    number = existing.contact_number if existing else ""
    if "ContactNumber" in element:
        number = _text(element, "ContactNumber", 50, errors) or ""
    status = existing.status if existing else "ACTIVE"
    if "ContactStatus" in element:
        status = element["ContactStatus"]
        if status not in STATUSES:
            errors.append("ContactStatus must be ACTIVE, ARCHIVED or GDPRREQUEST.")
    for field, limit in TEXT_FIELDS.items():
        if field in element:
            data[field] = _text(element, field, limit, errors)
    email = data.get("EmailAddress")
    if email and not EMAIL.match(email):
        errors.append("Email address must be valid.")
    for field in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
        if element.get(field):
            if not TaxRate.objects.filter(organisation=organisation, tax_type=element[field]).exists():
                errors.append(f"The TaxType code {element[field]} does not exist.")
            data[field] = element[field]
    for field in LIST_FIELDS:
        if field in element:
            data[field] = _validate_list(element, field, errors)
    if isinstance(element.get("PaymentTerms"), dict):
        data["PaymentTerms"] = element["PaymentTerms"]
    if name and status == "ACTIVE":
        clash = Contact.objects.filter(organisation=organisation, status="ACTIVE", name__iexact=name)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            errors.append(f"The contact name {name} is already assigned to another contact. "
                          "The contact name must be unique across all active contacts.")
    if errors:
        raise Invalid(*errors)
    now = clock.now()
    if existing is None:
        contact = Contact.objects.create(organisation=organisation, name=name, contact_number=number, status=status,
                                         data=data, updated_at=now)
        events.append(("CONTACT", "CREATE", contact.pk))
    else:
        contact = existing
        contact.name, contact.contact_number, contact.status, contact.data = name, number, status, data
        contact.updated_at = now
        contact.save()
        events.append(("CONTACT", "UPDATE", contact.pk))
    return serialize(contact, customers=customers_of(organisation))
