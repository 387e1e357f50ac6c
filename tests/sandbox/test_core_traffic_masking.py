from sandbox.traffic import MASK, mask_header


def test_the_authorization_code_in_a_redirect_location_is_masked():
    masked = mask_header("Location", "http://127.0.0.1:8000/connections/zoho/callback/?code=1000.abc&state=xyz&location=eu")
    assert "1000.abc" not in masked
    assert MASK in masked and "state=xyz" in masked and "location=eu" in masked


def test_an_ordinary_location_is_kept():
    assert mask_header("Location", "/xero/ui/contacts/") == "/xero/ui/contacts/"


def test_json_result_codes_stay_readable_while_tokens_and_form_codes_are_masked():
    from sandbox.traffic import mask_body

    json_body = mask_body(b'{"data": [{"code": "SUCCESS", "status": "success"}], "access_token": "1000.secret"}',
                          "application/json")
    assert '"code": "SUCCESS"' in json_body
    assert "1000.secret" not in json_body
    form_body = mask_body(b"grant_type=authorization_code&code=1000.grant&client_secret=s3cr3t",
                          "application/x-www-form-urlencoded")
    assert "1000.grant" not in form_body and "s3cr3t" not in form_body


def test_a_binary_body_is_logged_as_its_size_and_type():
    from sandbox.traffic import mask_body

    assert mask_body(b"PK\x03\x04" + bytes(96), "application/zip") == "<100 bytes of application/zip>"
