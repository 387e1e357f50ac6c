"""LinkIndex.linked_by_code: the item link for a Xero item code, as a scan of the links would find it."""

from sync.engine.operations import Link, LinkIndex


def test_it_finds_the_first_linked_link_with_the_code_and_follows_changes():
    index = LinkIndex([Link(zoho_id="1", xero_id="a", xero_code="OLD", state="deleted"),
                       Link(zoho_id="2", xero_id="b", xero_code="OLD"),
                       Link(zoho_id="3", xero_id="c", xero_code="NEW")])
    assert index.linked_by_code("OLD").zoho_id == "2"  # the deleted link with the same code is passed over
    assert index.linked_by_code("NONE") is None
    index.by_zoho["2"].state = "deleted"  # changed in place (a delete), not through add()
    assert index.linked_by_code("OLD") is None
    index.add(Link(zoho_id="4", xero_id="d", xero_code="OLD"))
    assert index.linked_by_code("OLD").zoho_id == "4"
    assert index.linked_by_code("NEW").zoho_id == "3"
