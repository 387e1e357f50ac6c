from sandbox.traffic import MASK, mask_header


def test_the_authorization_code_in_a_redirect_location_is_masked():
    masked = mask_header("Location", "http://127.0.0.1:8000/connections/zoho/callback/?code=1000.abc&state=xyz&location=eu")
    assert "1000.abc" not in masked
    assert MASK in masked and "state=xyz" in masked and "location=eu" in masked


def test_an_ordinary_location_is_kept():
    assert mask_header("Location", "/xero/ui/contacts/") == "/xero/ui/contacts/"
