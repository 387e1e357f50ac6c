"""The `where`/`order` subset, unit-tested on Xero-shaped records."""

import pytest

from sandbox.xero.where import WhereError, order_key_parser, parse, sort_records

RECORDS = [
    {"Name": "Alpha", "Status": "AUTHORISED", "Total": 10.5, "IsSold": True, "Contact": {"ContactID": "ABC"},
     "UpdatedDateUTC": "/Date(1704067200000+0000)/"},  # 2024-01-01
    {"Name": "beta", "Status": "DRAFT", "Total": 99, "IsSold": False, "Contact": {"ContactID": "def"},
     "UpdatedDateUTC": "/Date(1717200000000+0000)/"},  # 2024-06-01
]
FIELDS = {"Name", "Status", "Total", "IsSold", "Contact", "UpdatedDateUTC"}


def _names(clause):
    predicate = parse(clause, FIELDS)
    return [r["Name"] for r in RECORDS if predicate(r)]


@pytest.mark.parametrize(("clause", "expected"), [
    ('Name=="alpha"', ["Alpha"]),
    ('Name != "Alpha"', ["beta"]),
    ('Status=="DRAFT" OR Status=="AUTHORISED"', ["Alpha", "beta"]),
    ('Status=="DRAFT" && Total>50', ["beta"]),
    ("Total >= 10.5 AND Total < 99", ["Alpha"]),
    ("IsSold==true", ["Alpha"]),
    ("IsSold", ["Alpha"]),
    ('NOT (Name=="Alpha")', ["beta"]),
    ('Contact.ContactID==Guid("abc")', ["Alpha"]),
    ("UpdatedDateUTC >= DateTime(2024, 03, 01)", ["beta"]),
    ('Name.Contains("ET")', ["beta"]),
    ('Name.ToLower()=="alpha"', ["Alpha"]),
    ('"DRAFT"==Status', ["beta"]),
])
def test_supported_clauses_filter_as_xero_does(clause, expected):
    assert _names(clause) == expected


@pytest.mark.parametrize("clause", ['Name=="x', 'Colour=="red"', "Name==", '(Name=="a"', 'Name.Explode("x")',
                                    'Name=="a" AND', "Total > Guid(1)"])
def test_unsupported_clauses_raise(clause):
    with pytest.raises(WhereError):
        parse(clause, FIELDS)


def test_order_sorts_by_several_keys_and_rejects_unknown_fields():
    ordered = sort_records(RECORDS, order_key_parser("Status ASC, Name DESC", FIELDS))
    assert [r["Name"] for r in ordered] == ["Alpha", "beta"]
    assert [r["Name"] for r in sort_records(RECORDS, order_key_parser("UpdatedDateUTC DESC", FIELDS))] == [
        "beta", "Alpha"]
    with pytest.raises(WhereError):
        order_key_parser("Colour ASC", FIELDS)
    with pytest.raises(WhereError):
        order_key_parser("Name SIDEWAYS", FIELDS)
