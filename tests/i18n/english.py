"""What English text looks like on a German or French page (used by test_every_page_browser.py).

A page's text, with the names removed (the caller's list plus PRODUCT_NAMES), is English when it contains
* an English sentence of the catalogue (a fragment of two words or more between placeholders) whose translation
  differs from it and that no translation of the language contains, or
* a word of ENGLISH_WORDS (common English words that are neither German nor French words), or
* a text that is nothing but one of LONE_WORDS (English words that German and French spell otherwise).
Identifiers (URLs, dotted or snake_case names, camelCase, ALL CAPS) and email addresses are not words.
"""

import functools
import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]

PRODUCT_NAMES = ["Sync Portal", "Zoho CRM", "Zoho", "Xero", "SortableJS", "htmx", "JSON", "CSV", "OAuth", "URL",
                 "API", "ID", "UUID",
                 # Xero has no German or French screens: its menu paths stay as Xero shows them.
                 "Settings > Currencies"]

# Common English words that are neither German nor French words (so a hit is English).
ENGLISH_WORDS = set("""
the and of your you with from this that these those there their they them is are was were be been being has
have had not no yes for to by on at or an all any each when which what who whom whose where why how will would
should could can cannot must may might here more other new edit delete cancel back next previous search save
saved settings sync synced syncing syncs mapping mappings field fields record records organisation organisations
organization connection connections connect connected disconnect reconnect run runs running failed failure
failures success successful skipped created updated deleted error errors please only also into about after before
between below above again than then just yet still some such own same both few most many much very every
none nothing something anything everything never always today yesterday ago minutes minute hours hour days day
week weeks month months year years last first page pages show showing shown view open close sign signed password
email address enter required optional choose select selected change changes changed add added remove removed
update updates updating refresh download upload import export file files help more less start started stop
stopped pause paused resume resumed cancelled finished done pending queued total left remaining results result
filter filters clear apply reset resync terms accept accepted language dashboard audit log entry entries status
trigger triggers direction module modules item items invoice invoices account accounts product products contact
contacts person persons tax taxes rate rates currency code codes date time dates times from until since
per out off yours our we us my me if else because while though although without within across lookup
""".split())
# English words that are also German or French words, or appear in names: never flagged on their own.
NOT_ONLY_ENGLISH = {
    # German
    "was", "will", "also", "an", "most", "status", "total", "export", "import", "filter", "start", "code", "codes",
    "minute", "minuten", "audit", "module", "organisation", "organisations",
    # French
    "on", "date", "dates", "page", "pages", "contact", "contacts", "invoice", "rate", "rates", "taxes", "direction",
    "pause", "change", "minutes", "modules", "per",
    # names of provider modules and fields that stay as the providers show them, and data types
    "email", "file", "person", "tax", "fields", "items", "item", "mapping", "sync", "accept", "reset", "log",
    "filters",
}
ENGLISH_WORDS -= NOT_ONLY_ENGLISH
# ... which we still flag when they stand alone as a button or label-like text node, where German or French
# would use their own word.
LONE_WORDS = {"Sync", "Mapping", "Save", "Cancel", "Reset", "Delete", "Edit", "Search", "Back", "Next",
              "Previous", "Trigger", "Record", "Time", "Entries", "Settings", "Log", "Items", "Fields", "Accept"}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")
WORD = re.compile(r"[A-Za-zÀ-ÿ’']+")


def english_sentences(language: str) -> list:
    """Fragments of English msgids (between placeholders) of two words or more whose translation differs and
    that no translation of the language contains."""
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    translations = " \n ".join(
        " ".join(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr for entry in catalogue)
    fragments = set()
    for entry in catalogue:
        if not entry.msgid or entry.obsolete:
            continue
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for source in sources:
            if source in targets:
                continue
            for fragment in PLACEHOLDER.split(source):
                fragment = fragment.strip(" \t\n.,:;!?()\"'“”«»→·–-")
                if len(WORD.findall(fragment)) >= 2 and len(fragment) >= 8 and fragment not in translations:
                    fragments.add(fragment)
    return sorted(fragments, key=len, reverse=True)


IDENTIFIER = re.compile(r"\S+://\S+|\S*\w[_.=&${}/]\w\S*|\b[a-z]+[A-Z]\w*|\b[A-Z]{2,}\b")


@functools.lru_cache(maxsize=8)
def _names_pattern(names: tuple):
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in names) + r")(?!\w)")


def _without_names(part: str, names_pattern) -> str:
    part = names_pattern.sub(" ¦ ", part)
    part = re.sub(r"\S+@\S+|%\(\w+\)[sdif]|\{\w+\}", " ¦ ", part)  # email addresses, placeholders
    return IDENTIFIER.sub(" ¦ ", part)


def english_in(parts: list, names: list, sentences: list) -> list:
    """The English found in a page's text `parts`, each with some context, once the `names` are removed."""
    names_pattern = _names_pattern(tuple(sorted(set(names) | set(PRODUCT_NAMES), key=len, reverse=True)))
    found = []
    cleaned = []
    for part in parts:
        part = _without_names(part, names_pattern)
        cleaned.append(part)
        if part.strip() in LONE_WORDS:
            found.append(f"{part.strip()!r} (a lone English word)")
    text = "\n".join(cleaned)
    for sentence in sentences:
        if sentence in text and re.search(r"(?<![\w-])" + re.escape(sentence) + r"(?![\w-])", text):
            found.append(f"{sentence!r} (an English msgid)")
            text = text.replace(sentence, " ¦ ")
    for match in WORD.finditer(text):
        if match.group().lower() in ENGLISH_WORDS:
            start, end = max(0, match.start() - 40), match.end() + 40
            found.append(f"{match.group()!r} in {' '.join(text[start:end].split())!r}")
    return found
