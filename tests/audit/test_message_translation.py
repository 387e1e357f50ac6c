import pytest
from django.utils import translation

from audit.models import translate_message

pytestmark = pytest.mark.django_db


def test_label_parameters_are_translated_with_the_message_but_names_are_not():
    with translation.override("de"):
        text = translate_message("%(name)s %(rule)s", {"name": "Dashboard", "rule": "email address"}, "fallback")
    assert text == "Dashboard E-Mail-Adresse"  # "Dashboard" is a record name: it stays as it is


def test_a_message_that_cannot_be_built_falls_back_to_the_stored_text():
    assert translate_message("%(missing)s", {}, "stored English text") == "stored English text"
