"""Acceptance 1 of issue 14: the real `make run` stack (scripts/run_all.py on SQLite and the filesystem broker)
serves the styled portal: every stylesheet, script and icon a page links answers 200 with its content type and
is applied, and a missing page is the portal's own translated 404, not Django's technical page."""

from urllib.parse import urljoin

import pytest
import requests

pytestmark = pytest.mark.browser

PAGES = ["/", "/connections/", "/mapping/", "/mapping/accounts/zoho-to-xero/", "/sync/settings/",
         "/sync/historical/", "/sync/copy/", "/audit/"]
CONTENT_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

LINKED_ASSETS = """() => [
    ...[...document.querySelectorAll('link[rel~="stylesheet"], link[rel~="icon"]')].map(e => e.href),
    ...[...document.querySelectorAll('script[src]')].map(e => e.src),
]"""


def _sign_in(page, stack):
    page.goto(f"{stack.url}/login/")
    page.fill("#id_username", stack.email.upper())  # sign-in matches the email address in any case
    page.fill("#id_password", stack.password)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=sidebar]")


def test_make_run_serves_every_linked_stylesheet_and_script_and_the_portal_404(run_all_stack, page):
    stack = run_all_stack
    _sign_in(page, stack)
    assets = set()
    for path in PAGES:
        response = page.goto(stack.url + path)
        assert response.status == 200, path
        assets.update(page.evaluate(LINKED_ASSETS))
    assert {urljoin(stack.url, "/static/css/app.css"), urljoin(stack.url, "/static/vendor/htmx.min.js"),
            urljoin(stack.url, "/static/js/mapping.js"), urljoin(stack.url, "/static/favicon.svg")} <= assets
    for url in sorted(assets):
        response = requests.get(url, timeout=10)
        extension = url[url.rfind("."):]
        assert response.status_code == 200, url
        assert response.headers["Content-Type"].split(";")[0] == CONTENT_TYPES[extension], url
        assert len(response.content) > 100, url

    # Applied, not only served: a colour of app.css on the top bar, htmx and SortableJS loaded, and mapping.js
    # showing the drag-and-drop help.
    page.goto(stack.url + "/mapping/accounts/zoho-to-xero/")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") == "rgb(16, 42, 67)"
    assert page.evaluate("typeof window.htmx === 'object' && typeof window.htmx.ajax === 'function'")
    assert page.evaluate("typeof window.Sortable === 'function'")
    assert page.locator("[data-testid=mapping-help-drag]").is_visible()
    assert not page.locator("[data-testid=mapping-help-nojs]").is_visible()

    # A button in a narrow audit table cell (whose text may wrap anywhere) keeps its word whole: "Resynchroniser",
    # not "Resynchronis/er".
    page.goto(stack.url + "/audit/")
    lines = page.evaluate("""() => {
        const table = document.createElement('table');
        table.className = 'audit-table';
        table.style.width = '4rem';
        table.innerHTML = '<tr><td><button type="button" class="secondary">Resynchroniser</button></td></tr>';
        document.querySelector('main').append(table);
        const text = document.createRange();
        text.selectNodeContents(table.querySelector('button'));
        return text.getClientRects().length;  // one rectangle per line the text takes
    }""")
    assert lines == 1

    # A mistyped URL: the portal's 404, styled, with a way back, and no list of URL patterns.
    response = page.goto(stack.url + "/mapping/accounts/")
    assert response.status == 404
    assert page.locator("[data-testid=error-404]").is_visible()
    assert "URLconf" not in page.content() and "Using the URLconf" not in page.content()
    page.click("text=Back to the dashboard")
    page.wait_for_selector("[data-testid=sidebar]")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") == "rgb(16, 42, 67)"

    # In the reader's language.
    german = requests.get(stack.url + "/no-such-page/", headers={"Accept-Language": "de"}, timeout=10)
    assert german.status_code == 404 and "Seite nicht gefunden" in german.text


def test_without_javascript_the_mapping_editor_says_how_to_map_instead_of_drag_and_drop(run_all_stack, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        _sign_in(page, run_all_stack)
        page.goto(run_all_stack.url + "/mapping/accounts/zoho-to-xero/")
        assert page.locator("[data-testid=mapping-help-nojs]").is_visible()
        assert not page.locator("[data-testid=mapping-help-drag]").is_visible()
        assert page.locator("select[name^='zoho:']").count() > 5  # the form itself works without JavaScript
    finally:
        context.close()
