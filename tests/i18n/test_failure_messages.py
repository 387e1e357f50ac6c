"""Every failure message the engine writes, in English, German and French: a whole translated sentence that ends
with a full stop, names the field (by its label, in the reader's language) when the failure has one, and carries
no English provider text inside a German or French sentence (the provider's words go to the entry's details).

The keys are found in the source (every `.fail(` of the engine, the mapping's errors and checks, the run and copy
failures), so a new failure kind is covered without editing this test.
"""

import functools
import re
from pathlib import Path

import pytest
from django.utils import translation

from audit.models import translate_message
from mapping import record_checks
from sync import retries, services
from sync.engine import messages, persons
from sync.engine.executor import WriteResult
from sync.engine.operations import Operation
from sync.triggers import reasons
from tests.i18n.english import english_in
from tests.i18n.english import english_sentences as _english_sentences

ROOT = Path(__file__).resolve().parents[2]

# Kept only to show entries written before they were replaced (they put English text inside the sentence).
LEGACY = {messages.TRANSFORM_FAILED, messages.PROVIDER_REFUSED, messages.PROVIDER_UNAVAILABLE}
# Placeholders that would carry a provider's or an exception's own (English) words into the sentence.
PROVIDER_TEXT = {"error", "detail", "provider_message", "message"}


def _engine_failure_keys() -> set[str]:
    """Message constants passed to `.fail(` anywhere in sync/ (engine, persons, contacts)."""
    names = set()
    for path in (ROOT / "sync").rglob("*.py"):
        names.update(re.findall(r"\.fail\(\s*(?:messages\.|persons\.)?([A-Z][A-Z_]+)", path.read_text()))
    found = set()
    for name in names:
        value = getattr(messages, name, None) or getattr(persons, name, None)
        assert isinstance(value, str), f"{name} is passed to .fail() but is not a message constant this test knows"
        found.add(value)
    return found


def _gettext_noop_literals(relative: str) -> set[str]:
    """The gettext_noop("...") sentences of a source file (adjacent literals joined)."""
    source = (ROOT / relative).read_text()
    found = set()
    for match in re.finditer(r"gettext_noop\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)\)", source):
        found.add("".join(eval(part) for part in re.findall(r"\"(?:[^\"\\]|\\.)*\"", match.group(1))))  # noqa: S307
    return {text for text in found if " " in text}


def failure_keys() -> list[str]:
    keys = _engine_failure_keys()
    keys |= {messages.PROVIDER_REFUSED_FIELD, messages.PROVIDER_REFUSED_LINE, messages.PROVIDER_DUPLICATE,
             messages.PROVIDER_REFUSED_RECORD, messages.DEPENDENCY_MISSING, messages.WAITS_FOR_DEPENDENCY,
             messages.CURRENCY_NOT_ENABLED, messages.INVOICE_LOCKED, messages.TARGET_GONE, messages.TARGET_ARCHIVED,
             messages.TRANSFORM_FAILED_DETAIL, persons.ACCOUNT_MISSING, persons.PERSONS_FULL}
    keys |= _gettext_noop_literals("mapping/transform.py")  # the mapping's errors, which become failure messages
    keys |= {record_checks.NO_VALUE, record_checks.TOO_LONG}
    keys |= set(retries.RUN_MESSAGES.values()) | set(retries.UNREADABLE_MESSAGES.values())
    keys |= {services.NOT_READY, reasons.COPY_NOT_READY, reasons.COPY_NO_XERO, reasons.COPY_NOT_FOUND}
    return sorted(keys - LEGACY)


KEYS = failure_keys()
english_sentences = functools.lru_cache(maxsize=4)(_english_sentences)

# A realistic value per placeholder. Labels (field, dependency, kind, status, ...) are stored untranslated and shown
# in the reader's language; names, values and ids are data.
SAMPLE = {
    "target": "Xero", "source": "Zoho CRM", "provider": "Xero", "field": "Line: tax rate", "value": "OUTPUT9",
    "code": "ValidationException", "line": 2, "name": "Harbour Traders", "zoho_id": "4876876000000001463",
    "dependency": messages.PRODUCT, "status": "PAID", "currency": "NZD", "organisation": "Demo Company (UK)",
    "length": 301, "max": 255, "record": "Harbour Traders", "module": "Products", "kind": "number",
    "tax": "GST 10", "taxes": "GST 10, VAT 20", "contact": "Harbour Traders", "limit": 5, "attempts": 5,
    "id": "4876876000000001463", "record_id": "4876876000000001463", "invoice": "INV-0042", "product": "Cable kit 48",
    "percentage": "10", "tax_type": "OUTPUT", "xero_rate": "15", "currencies": "GBP",
}
DATA = [str(value) for key, value in SAMPLE.items()
        if key not in {"field", "dependency", "kind", "module", "status", "target", "source"}] + [
    "Product Name"]  # a Zoho field's own label (Zoho shows it in the Zoho organisation's language)


def _params(key: str) -> dict:
    names = set(re.findall(r"%\((\w+)\)", key))
    params = {name: SAMPLE.get(name, f"sample-{name}") for name in names}
    if "reason" in names:  # the dependency's own failure, a whole message of its own
        params["reason"] = messages.ZOHO_VALUE_TOO_LONG
        params.update({"reason:field": "Product Name", "reason:value": "x" * 12, "reason:length": 301,
                       "reason:max": 255})
    return params


def test_the_failure_kinds_are_found_in_the_source():
    assert len(KEYS) >= 30
    assert messages.ITEMLESS_LINE_NO_PRODUCT in KEYS and messages.INVOICE_HAS_PAYMENTS in KEYS


@pytest.mark.parametrize("key", KEYS, ids=lambda key: key[:60])
def test_no_failure_message_carries_provider_text_in_a_placeholder(key):
    assert not set(re.findall(r"%\((\w+)\)", key)) & PROVIDER_TEXT, key


@pytest.mark.parametrize("language", ["en", "de", "fr"])
@pytest.mark.parametrize("key", KEYS, ids=lambda key: key[:60])
def test_every_failure_message_is_whole_translated_ends_with_a_full_stop_and_names_its_field(key, language):
    params = _params(key)
    with translation.override(language):
        shown = translate_message(key, params, "")
        field_label = translation.gettext(SAMPLE["field"])
    assert shown, f"{key!r} cannot be built with {params}"
    assert shown.rstrip().endswith("."), shown
    if "field" in params:
        assert field_label in shown, (field_label, shown)
    if language == "en":
        return
    with translation.override(language):
        translated = translation.gettext(key)
    assert translated != key, f"{key!r} has no {language} translation"
    assert "%(field)s" in translated or "field" not in params
    english = english_in([shown], DATA, english_sentences(language))
    assert not english, (shown, english)
    assert "Line: tax rate" not in shown


def _refused(module, direction, payload, message, response=None):
    operation = Operation(module=module, direction=direction, action="create", source_id="1", payload=payload,
                          params={"target": "Xero" if direction == "zoho_to_xero" else "Zoho CRM"})
    return operation.refused(WriteResult(ok=False, error_code="ValidationException" if direction == "zoho_to_xero"
                                         else "DUPLICATE_DATA", error_message=message, response=response))


def test_a_xero_refusal_names_the_line_field_by_its_label_never_an_api_path():
    from sync import labels

    payload = {"LineItems": [{"Description": "Cable", "TaxType": "OUTPUT"}, {"Description": "Freight",
                                                                             "TaxType": "OUTPUT9"}]}
    operation = _refused("invoices", "zoho_to_xero", payload,
                         "The TaxType code 'OUTPUT9' does not exist or cannot be used for this type of transaction.")
    assert operation.message_key == messages.PROVIDER_REFUSED_LINE
    assert operation.params["value"] == "OUTPUT9" and operation.params["line"] == 2
    labels.label_params(operation, dict)
    assert operation.params["field"] == "Line: tax rate"
    assert "does not exist" in operation.error_message  # Xero's words: the entry's details
    for language in ("en", "de", "fr"):
        with translation.override(language):
            shown = translate_message(operation.message_key, operation.params, "")
        assert "TaxType" not in shown and "LineItems" not in shown and "does not exist" not in shown
        assert "OUTPUT9" in shown and "2" in shown
    with translation.override("de"):
        assert translation.gettext("Line: tax rate") in translate_message(operation.message_key, operation.params, "")


def test_an_api_path_is_shown_as_the_fields_label():
    from mapping.registry import xero_field_label

    assert xero_field_label("invoices", "Invoices[0].LineItems[1].TaxType") == "Line: tax rate"
    assert xero_field_label("accounts", "Name") == "Name"
    assert xero_field_label("invoices", "Nonsense") == ""


def test_a_zoho_duplicate_names_its_field_value_and_the_conflicting_record():
    from sync import labels

    response = {"code": "DUPLICATE_DATA", "details": {"api_name": "Product_Name", "duplicate_record": {
        "id": "4876876000000009001", "module": {"api_name": "Products"}}}, "message": "duplicate data"}
    operation = _refused("products", "xero_to_zoho", {"Product_Name": "Cable kit 48"}, "duplicate data", response)
    assert operation.message_key == messages.PROVIDER_DUPLICATE
    assert operation.params["conflict_id"] == "4876876000000009001"
    assert operation.params["value"] == "Cable kit 48"
    labels.label_params(operation, lambda: {"Product_Name": {"label": "Product Name"}})
    assert operation.params["field"] == "Product Name"


def test_a_refusal_the_engine_cannot_place_keeps_the_words_out_of_the_sentence():
    operation = _refused("accounts", "zoho_to_xero", {"Name": "Acme"}, "Something unexpected went wrong.")
    assert operation.message_key == messages.PROVIDER_REFUSED_RECORD
    assert "Something" not in translate_message(operation.message_key, operation.params, "")
    assert operation.error_message == "Something unexpected went wrong."
