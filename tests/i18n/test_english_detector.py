"""The English detector of the every-page browser test finds English, and finds none in the translations."""

import polib
import pytest

from tests.i18n.english import PLACEHOLDER, ROOT, english_in, english_sentences

LANGUAGES = ["de", "fr"]


def _translations(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    for entry in catalogue:
        for text in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]):
            yield PLACEHOLDER.sub(" ¦ ", text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_reads_as_english(language):
    """Also a check of the catalogues: no German or French text uses an English word instead of its own."""
    assert english_in(list(_translations(language)), [], english_sentences(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_untranslated_sentence_a_common_word_and_a_lone_button_are_english(language):
    sentences = english_sentences(language)
    assert english_in(["Abmelden", "Sign out"], [], sentences)
    assert english_in(["The historical sync was not started. Please correct the fields marked below."], [],
                      sentences)
    assert english_in(["Ergebnis: 3 records"], [], sentences)
    assert english_in(["Save"], [], sentences)


def test_names_identifiers_and_addresses_are_not_english():
    names = ["Harbour Foods Trading Ltd", "Shipping Street"]
    parts = ["Harbour Foods Trading Ltd", "Shipping Street (Shipping_Street)", "accounting.settings",
             "peter@initech.example", "https://example.com/the/settings", "Sync Portal", "Zoho CRM", "DRAFT"]
    assert english_in(parts, names, english_sentences("de")) == []
