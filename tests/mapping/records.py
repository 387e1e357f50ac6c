"""Sandbox-shaped records: Zoho v8 records (fields of sandbox/zoho/schema.py) and Xero records (spec schemas)."""

from mapping.transform import DictResolver

ACCOUNT_ID = "4876876000000300001"
CONTACT_ID = "4876876000000300011"
LONE_CONTACT_ID = "4876876000000300012"
PRODUCT_ID = "4876876000000300021"
INVOICE_ID = "4876876000000300031"
XERO_CONTACT_ID = "0f2a6d4e-5b1c-4c1e-9a53-0e6a3b0c9a01"
XERO_LONE_CONTACT_ID = "0f2a6d4e-5b1c-4c1e-9a53-0e6a3b0c9a02"

ZOHO_ACCOUNT = {
    "id": ACCOUNT_ID,
    "Account_Name": "Acme Pty Ltd",
    "Account_Number": "ACME-001",
    "Account_Type": "Customer",
    "Phone": "+61 2 9999 0000",
    "Fax": "+61 2 9999 0001",
    "Website": "https://acme.example",
    "Billing_Street": "PO Box 12",
    "Billing_City": "Sydney",
    "Billing_State": "NSW",
    "Billing_Code": "2000",
    "Billing_Country": "Australia",
    "Shipping_Street": "1 George Street",
    "Shipping_City": "Sydney",
    "Shipping_State": "NSW",
    "Shipping_Code": "2000",
    "Shipping_Country": "Australia",
    "Owner": {"id": "4876876000000100001", "name": "Owner", "email": "owner@acme.example"},
    "Modified_Time": "2026-11-20T10:15:00+00:00",
}

ZOHO_CONTACT = {
    "id": CONTACT_ID,
    "First_Name": "Peter",
    "Last_Name": "Gibbons",
    "Full_Name": "Peter Gibbons",
    "Email": "peter@acme.example",
    "Phone": "+61 2 9999 0100",
    "Mobile": "+61 400 000 000",
    "Account_Name": {"id": ACCOUNT_ID, "name": "Acme Pty Ltd"},
    "Mailing_Street": "1 George Street",
    "Mailing_City": "Sydney",
    "Mailing_State": "NSW",
    "Mailing_Zip": "2000",
    "Mailing_Country": "Australia",
    "Email_Opt_Out": False,
}

ZOHO_LONE_CONTACT = {
    "id": LONE_CONTACT_ID,
    "First_Name": "Milton",
    "Last_Name": "Waddams",
    "Email": "milton@example.org",
    "Account_Name": None,
    "Email_Opt_Out": True,
}

ZOHO_PRODUCT = {
    "id": PRODUCT_ID,
    "Product_Name": "Red Stapler",
    "Product_Code": "STAPLER-RED",
    "Unit_Price": 24.5,
    "Taxable": True,
    "Tax": [{"value": "GST", "id": "4876876000000200001"}],
    "Product_Active": True,
    "Description": "A red Swingline stapler",
}

ZOHO_INVOICE = {
    "id": INVOICE_ID,
    "Subject": "Staplers for the basement",
    "Invoice_Number": "INV-000042",
    "Invoice_Date": "2026-11-20",
    "Due_Date": "2026-12-20",
    "Status": "Approved",
    "Account_Name": {"id": ACCOUNT_ID, "name": "Acme Pty Ltd"},
    "Contact_Name": {"id": CONTACT_ID, "name": "Peter Gibbons"},
    "Currency": "AUD",
    "Invoiced_Items": [
        {
            "id": "4876876000000300041",
            "Product_Name": {"id": PRODUCT_ID, "name": "Red Stapler"},
            "Quantity": 2.0,
            "List_Price": 24.5,
            "Discount": 0.0,
            "Description": "Red stapler",
            "Line_Tax": [{"name": "GST", "percentage": 10.0, "value": 4.9, "id": "4876876000000200001"}],
            "Total": 49.0,
            "Net_Total": 53.9,
        }
    ],
    "Sub_Total": 49.0,
    "Tax": 4.9,
    "Grand_Total": 53.9,
}

ZOHO_TAXES = [
    {"name": "GST", "percentage": 10.0, "id": "4876876000000200001"},
    {"name": "Zero", "percentage": 0.0},
]

XERO_CONTACT = {
    "ContactID": XERO_CONTACT_ID,
    "ContactNumber": ACCOUNT_ID,
    "ContactStatus": "ACTIVE",
    "Name": "Acme Pty Ltd",
    "AccountNumber": "ACME-001",
    "Website": "https://acme.example",
    "Addresses": [
        {
            "AddressType": "POBOX",
            "AddressLine1": "PO Box 12",
            "City": "Sydney",
            "Region": "NSW",
            "PostalCode": "2000",
            "Country": "Australia",
        },
        {
            "AddressType": "STREET",
            "AddressLine1": "1 George Street",
            "City": "Sydney",
            "Region": "NSW",
            "PostalCode": "2000",
            "Country": "Australia",
        },
    ],
    "Phones": [
        {"PhoneType": "DEFAULT", "PhoneNumber": "+61 2 9999 0000"},
        {"PhoneType": "FAX", "PhoneNumber": "+61 2 9999 0001"},
        {"PhoneType": "MOBILE", "PhoneNumber": ""},
    ],
    "ContactPersons": [
        {
            "FirstName": "Peter",
            "LastName": "Gibbons",
            "EmailAddress": "peter@acme.example",
            "IncludeInEmails": True,
        }
    ],
    "UpdatedDateUTC": "/Date(1795169700000+0000)/",
    "IsCustomer": True,
}

XERO_ITEM = {
    "ItemID": "9a1d4c2b-1111-4c1e-9a53-0e6a3b0c9a03",
    "Code": "STAPLER-RED",
    "Name": "Red Stapler",
    "Description": "A red Swingline stapler",
    "IsSold": True,
    "IsPurchased": False,
    "SalesDetails": {"UnitPrice": 24.5, "AccountCode": "200", "TaxType": "OUTPUT"},
    "UpdatedDateUTC": "/Date(1795169700000+0000)/",
}

XERO_INVOICE = {
    "InvoiceID": "5b2e3f4a-2222-4c1e-9a53-0e6a3b0c9a04",
    "Type": "ACCREC",
    "InvoiceNumber": "INV-0007",
    "Reference": "",
    "Contact": {"ContactID": XERO_CONTACT_ID, "Name": "Acme Pty Ltd"},
    "Date": "/Date(1795132800000+0000)/",
    "DateString": "2026-11-20T00:00:00",
    "DueDate": "/Date(1797724800000+0000)/",
    "Status": "PAID",
    "LineAmountTypes": "Exclusive",
    "CurrencyCode": "AUD",
    "LineItems": [
        {
            "LineItemID": "7c3f5a6b-3333-4c1e-9a53-0e6a3b0c9a05",
            "Description": "Red stapler",
            "Quantity": 2.0,
            "UnitAmount": 24.5,
            "ItemCode": "STAPLER-RED",
            "AccountCode": "200",
            "TaxType": "OUTPUT",
            "TaxAmount": 4.9,
            "LineAmount": 49.0,
        }
    ],
    "SubTotal": 49.0,
    "TotalTax": 4.9,
    "Total": 53.9,
}


def resolver(**overrides):
    options = {
        "links": {
            "Accounts": {ACCOUNT_ID: XERO_CONTACT_ID},
            "Contacts": {LONE_CONTACT_ID: XERO_LONE_CONTACT_ID},
            "Products": {PRODUCT_ID: "STAPLER-RED"},
        },
        "tax_types": {"GST": "OUTPUT", "Zero": "EXEMPTOUTPUT"},
        "zoho_taxes": {"GST": {"percentage": 10.0, "id": "4876876000000200001"}, "Zero": {"percentage": 0.0}},
        "default_accounts": {"invoices": "200", "products": "200"},
        "tax_mode": "Exclusive",
    }
    options.update(overrides)
    return DictResolver(**options)
