"""Every answer carries the Content-Security-Policy (scripts from the portal only, nothing inline), and every
signed-in page `Cache-Control: private, no-store`; the templates hold no inline script for the policy to block.
(The every-page walk in tests/i18n checks both headers on every page, in a browser that enforces the policy.)"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _script_src(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))


def test_signed_in_pages_are_private_and_carry_the_policy(owner_client):
    for url in [reverse("tenancy:home"), reverse("audit:index"), reverse("audit:export"), reverse("mapping:index")]:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "private, no-store", url
        assert _script_src(response) == "script-src 'self'", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_signed_out_pages_carry_the_policy_and_may_be_cached(client):
    response = client.get(reverse("tenancy:sign_up"))
    assert _script_src(response) == "script-src 'self'"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+\s*=|javascript:",
                        re.IGNORECASE)
    offenders = [str(path.relative_to(ROOT)) for folder in ("templates", "tenancy", "connections", "mapping", "sync",
                                                            "audit")
                 for path in (ROOT / folder).rglob("*.html") if inline.search(path.read_text())]
    assert offenders == []
