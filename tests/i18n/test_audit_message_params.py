"""A module key in an audit message's parameters is shown by its label, in the reader's language."""

from django.utils import translation

from audit.models import translate_message
from sync.triggers.reasons import COPY_NOT_FOUND


def test_a_module_key_is_shown_by_its_translated_label():
    params = {"record_id": "42", "module": "accounts"}
    with translation.override("de"):
        assert translate_message(COPY_NOT_FOUND, params, "stored") == (
            "In Firmen wurde kein Zoho-CRM-Datensatz mit der ID 42 gefunden. Prüfen Sie, ob der Datensatz in Zoho "
            "CRM noch existiert, dann kopieren Sie ihn erneut.")
    with translation.override("fr"):
        assert "accounts" not in translate_message(COPY_NOT_FOUND, params, "stored")
    with translation.override("en"):
        assert translate_message(COPY_NOT_FOUND, params, "stored") == (
            "No Zoho CRM record with the id 42 was found in Accounts. Check that the record still exists in Zoho CRM, "
            "then copy it again.")
