"""German and French catalogues are complete: nothing untranslated, nothing fuzzy, placeholders kept,
and no translatable string in the code is missing from them."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["de", "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
IGNORED_DIRS = ["data", "staticfiles", "tests", "bench", "node_modules", "sandbox"]


def _catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def _translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{language}: untranslated entries: {untranslated}"
    assert fuzzy == [], f"{language}: fuzzy entries: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_in_a_catalogue_twice(language):
    # The .po files merge by union (.gitattributes), so two branches adding one msgid leave two entries, and which
    # translation wins is then up to the compiler.
    keys = [(e.msgctxt, e.msgid) for e in _catalogue(language) if not e.obsolete]
    twice = sorted({key for key in keys if keys.count(key) > 1}, key=str)
    assert twice == [], f"{language}: entries present twice: {twice}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    broken = []
    for entry in _catalogue(language).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in _translations(entry):
            if sorted(PLACEHOLDER.findall(text)) != expected and not entry.msgid_plural:
                broken.append(entry.msgid)
    assert broken == [], f"{language}: placeholders differ in {broken}"


def test_no_translatable_string_is_missing_from_the_catalogues(tmp_path):
    """Extract the strings afresh (GNU gettext's xgettext) into a copy of the catalogues and look for gaps.

    makemessages writes to the locale folder nearest to each source file, so it runs in a scratch tree:
    symbolic links to the project's source folders beside an empty locale/, and every string found there
    must have a translation in the real catalogues, which are never touched.
    """
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext, msgmerge) is required in CI to check the catalogues.")
        pytest.skip("GNU gettext is not installed (apt-get install gettext): CATALOGUE COMPLETENESS NOT CHECKED.")
    scratch = tmp_path / "project"
    scratch.mkdir()
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in IGNORED_DIRS or entry.name == "locale":
            continue
        (scratch / entry.name).symlink_to(entry)
    for language in LANGUAGES:
        (scratch / "locale" / language / "LC_MESSAGES").mkdir(parents=True)
    before = {language: (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_bytes() for language in LANGUAGES}
    cwd = os.getcwd()
    os.chdir(scratch)
    try:
        with override_settings(LOCALE_PATHS=[scratch / "locale"]):
            call_command(
                "makemessages",
                locale=LANGUAGES,
                ignore_patterns=IGNORED_DIRS,
                no_location=True,
                symlinks=True,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    for language in LANGUAGES:
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_bytes() == before[language]
        in_code = [e for e in polib.pofile(str(scratch / "locale" / language / "LC_MESSAGES" / "django.po")) if e.msgid]
        assert len(in_code) >= 100, "the extraction found next to nothing: is it reading the code?"
        translated = {(e.msgctxt, e.msgid) for e in _catalogue(language).translated_entries() if "fuzzy" not in e.flags}
        missing = [e.msgid for e in in_code if (e.msgctxt, e.msgid) not in translated]
        assert missing == [], f"{language}: strings in the code without a translation: {missing}"
