"""The error pages speak the reader's language and render without a request (so anywhere, the sandbox too)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

PAGES = {
    "400": {"de": "Ungültige Anfrage", "fr": "Requête incorrecte"},
    "403": {"de": "Zugriff verweigert", "fr": "Accès refusé"},
    "404": {"de": "Seite nicht gefunden", "fr": "Page introuvable"},
    "500": {"de": "Serverfehler", "fr": "Erreur du serveur"},
}


@pytest.mark.parametrize("code", sorted(PAGES))
@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_error_page_is_translated(code, language):
    with translation.override(language):
        html = render_to_string(f"{code}.html")
    assert f'<html lang="{language}">' in html
    assert PAGES[code][language] in html
    assert f'data-testid="error-{code}"' in html
