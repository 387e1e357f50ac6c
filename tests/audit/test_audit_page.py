import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Direction, Module, Status, Trigger
from tests.audit.factories import days_ago, make_entry

pytestmark = pytest.mark.django_db
URL = reverse("audit:index")


def names(response):
    return [entry.record_name for entry in response.context["page"].entries]


def test_it_lists_the_entries_newest_first_with_their_columns(owner_client, organisation):
    make_entry(organisation, record_name="Older Ltd", created_at=days_ago(2))
    make_entry(
        organisation,
        record_name="Newer Ltd",
        module=Module.INVOICES,
        direction=Direction.XERO_TO_ZOHO,
        status=Status.FAILED,
        message="Xero rejected the invoice.",
        created_at=days_ago(1),
    )
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Newer Ltd", "Older Ltd"]
    html = response.content.decode()
    for text in ["Name", "Module", "Data flow", "Message", "Status", "Created", "Invoices", "Xero → Zoho", "Xero rejected the invoice.", "Failed"]:
        assert text in html


def test_it_filters_by_module_direction_status_and_trigger(owner_client, organisation):
    make_entry(organisation, record_name="Match", module=Module.PRODUCTS, direction=Direction.XERO_TO_ZOHO, status=Status.FAILED, trigger=Trigger.WEBHOOK)
    make_entry(organisation, record_name="Wrong module", module=Module.INVOICES, direction=Direction.XERO_TO_ZOHO, status=Status.FAILED, trigger=Trigger.WEBHOOK)
    make_entry(organisation, record_name="Wrong direction", module=Module.PRODUCTS, direction=Direction.ZOHO_TO_XERO, status=Status.FAILED, trigger=Trigger.WEBHOOK)
    make_entry(organisation, record_name="Wrong status", module=Module.PRODUCTS, direction=Direction.XERO_TO_ZOHO, status=Status.SUCCESS, trigger=Trigger.WEBHOOK)
    make_entry(organisation, record_name="Wrong trigger", module=Module.PRODUCTS, direction=Direction.XERO_TO_ZOHO, status=Status.FAILED, trigger=Trigger.CRON)
    response = owner_client.get(URL, {"module": "products", "direction": "xero_to_zoho", "status": "failed", "trigger": "webhook"})
    assert names(response) == ["Match"]
    assert len(names(owner_client.get(URL, {"status": "failed"}))) == 4


def test_it_filters_by_whole_days_from_and_to(owner_client, organisation):
    today = timezone.localdate()
    start_of = lambda day: timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))  # noqa: E731
    make_entry(organisation, record_name="Three days ago, last second", created_at=start_of(today - datetime.timedelta(days=2)) - datetime.timedelta(seconds=1))
    make_entry(organisation, record_name="Two days ago, first second", created_at=start_of(today - datetime.timedelta(days=2)))
    make_entry(organisation, record_name="Yesterday, last second", created_at=start_of(today) - datetime.timedelta(seconds=1))
    make_entry(organisation, record_name="Today", created_at=start_of(today) + datetime.timedelta(seconds=1))
    response = owner_client.get(
        URL, {"date_from": (today - datetime.timedelta(days=2)).isoformat(), "date_to": (today - datetime.timedelta(days=1)).isoformat()}
    )
    assert names(response) == ["Yesterday, last second", "Two days ago, first second"]


def test_a_to_date_before_the_from_date_is_explained_and_filters_nothing_out(owner_client, organisation):
    make_entry(organisation, record_name="Kept", created_at=days_ago(5))
    response = owner_client.get(URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert "The To date must be on or after the From date." in response.content.decode()
    assert names(response) == ["Kept"]


def test_an_invalid_date_is_explained_and_the_other_filters_still_apply(owner_client, organisation):
    make_entry(organisation, record_name="Failed one", status=Status.FAILED)
    make_entry(organisation, record_name="Fine one", status=Status.SUCCESS)
    response = owner_client.get(URL, {"date_from": "not-a-date", "status": "failed"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert names(response) == ["Failed one"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("acme", ["ACME Widgets"]),
        ("4000000777", ["By Zoho id"]),
        ("3F776C4B-EA9E-4BB1-96BE-6B0C7A71A37F", ["By Xero id"]),
        ("taxtype", ["By message"]),
    ],
)
def test_the_search_box_matches_names_ids_and_messages(owner_client, organisation, term, expected):
    make_entry(organisation, record_name="ACME Widgets")
    make_entry(organisation, record_name="By Zoho id", zoho_id="4000000777")
    make_entry(organisation, record_name="By Xero id", xero_id="3f776c4b-ea9e-4bb1-96be-6b0c7a71a37f")
    make_entry(organisation, record_name="By message", message="TaxType OUTPUT2 cannot be used with account 200.")
    make_entry(organisation, record_name="Unrelated")
    assert names(owner_client.get(URL, {"q": term})) == expected


def test_a_too_short_search_is_explained_instead_of_scanning_everything(owner_client, organisation):
    make_entry(organisation, record_name="Ab Ltd")
    response = owner_client.get(URL, {"q": "ab"})
    assert response.status_code == 200
    assert "Ensure this value has at least 3 characters" in response.content.decode()


def test_the_search_treats_wildcards_literally(owner_client, organisation):
    make_entry(organisation, record_name="100% Pure")
    make_entry(organisation, record_name="1000 Pure")
    assert names(owner_client.get(URL, {"q": "00%"})) == ["100% Pure"]


def _walk(client, params, direction="after"):
    """Follow Next links from the first page; return the names of every page."""
    pages, cursor = [], ""
    while True:
        response = client.get(URL, {**params, **({"after": cursor} if cursor else {})})
        pages.append(names(response))
        cursor = response.context["page"].next_cursor
        if not cursor:
            return pages, response


@pytest.mark.parametrize("per_page", [10, 25])
def test_paging_visits_every_entry_once_with_the_chosen_page_size(owner_client, organisation, per_page):
    for i in range(37):
        make_entry(organisation, record_name=f"Entry {i:02d}", created_at=days_ago(i / 24))
    pages, _last = _walk(owner_client, {"per_page": per_page})
    assert [len(p) for p in pages] == [per_page] * (37 // per_page) + [37 % per_page]
    seen = [name for page in pages for name in page]
    assert seen == [f"Entry {i:02d}" for i in range(37)]


def test_previous_page_returns_the_rows_before_the_cursor(owner_client, organisation):
    for i in range(25):
        make_entry(organisation, record_name=f"Entry {i:02d}", created_at=days_ago(i / 24))
    first = owner_client.get(URL, {"per_page": 10})
    second = owner_client.get(URL, {"per_page": 10, "after": first.context["page"].next_cursor})
    back = owner_client.get(URL, {"per_page": 10, "before": second.context["page"].previous_cursor})
    assert names(back) == names(first)
    assert back.context["page"].is_first


def test_entries_created_in_the_same_instant_are_neither_skipped_nor_repeated(owner_client, organisation):
    instant = days_ago(1)
    for i in range(23):
        make_entry(organisation, record_name=f"Same {i:02d}", created_at=instant)
    pages, _ = _walk(owner_client, {"per_page": 10})
    seen = [name for page in pages for name in page]
    assert sorted(seen) == [f"Same {i:02d}" for i in range(23)]


def test_results_per_page_offers_10_25_50_100_and_ignores_other_values(owner_client, organisation):
    for _ in range(12):
        make_entry(organisation)
    html = owner_client.get(URL).content.decode()
    assert re.findall(r'<option value="(\d+)"', html[html.index('name="per_page"') :])[:4] == ["10", "25", "50", "100"]
    assert len(names(owner_client.get(URL, {"per_page": 10}))) == 10
    response = owner_client.get(URL, {"per_page": 5000})
    assert response.status_code == 200
    assert len(names(response)) == 12  # the default of 25 applies


def test_a_tampered_cursor_answers_400_with_the_first_page(owner_client, organisation):
    make_entry(organisation, record_name="Only")
    for cursor in ["garbage", "W10", "WyIyMDI2LTAxLTAxIiwgIngiXQ"]:
        response = owner_client.get(URL, {"after": cursor, "before": cursor})
        assert response.status_code == 400
        assert "That page link is not valid; here is the first page." in response.content.decode()
        assert names(response) == ["Only"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha", "Bravo", "Charlie"]),
        ("-name", ["Charlie", "Bravo", "Alpha"]),
        ("created", ["Bravo", "Charlie", "Alpha"]),
        ("-created", ["Alpha", "Charlie", "Bravo"]),
        ("status", ["Charlie", "Alpha", "Bravo"]),
        ("-status", ["Bravo", "Alpha", "Charlie"]),
        ("unknown", ["Alpha", "Charlie", "Bravo"]),
    ],
)
def test_it_sorts_by_the_chosen_column(owner_client, organisation, sort, expected):
    make_entry(organisation, record_name="Bravo", status=Status.SUCCESS, created_at=days_ago(3))
    make_entry(organisation, record_name="Charlie", status=Status.FAILED, created_at=days_ago(2))
    make_entry(organisation, record_name="Alpha", status=Status.SKIPPED, created_at=days_ago(1))
    assert names(owner_client.get(URL, {"sort": sort})) == expected


def test_paging_works_when_sorted_by_a_column_with_ties(owner_client, organisation):
    for i in range(30):
        make_entry(organisation, record_name=f"N{i:02d}", module=[Module.ACCOUNTS, Module.INVOICES][i % 2], created_at=days_ago(i))
    pages, _ = _walk(owner_client, {"sort": "-module", "per_page": 10})
    seen = [name for page in pages for name in page]
    # Descending is the exact reverse of ascending: invoices first, and within a module oldest first.
    expected = [f"N{i:02d}" for i in reversed(range(30)) if i % 2] + [f"N{i:02d}" for i in reversed(range(30)) if not i % 2]
    assert seen == expected
    ascending, _ = _walk(owner_client, {"sort": "module", "per_page": 10})
    assert [name for page in ascending for name in page] == list(reversed(expected))


def test_filters_stay_in_the_url_of_the_form_sort_links_paging_links_and_export(owner_client, organisation):
    for _ in range(12):
        make_entry(organisation, status=Status.FAILED, module=Module.INVOICES)
    response = owner_client.get(URL, {"status": "failed", "module": "invoices", "q": "record", "per_page": 10})
    html = response.content.decode()
    assert '<form method="get"' in html
    assert '<option value="failed" selected>' in html
    assert 'value="record"' in html
    next_link = re.search(r'data-testid="next-page"', html)
    assert next_link
    hrefs = re.findall(r'href="([^"]*)"', html)
    sort_href = next(h for h in hrefs if "sort=name" in h)
    next_href = next(h for h in hrefs if "after=" in h)
    export_href = next(h for h in hrefs if h.startswith(reverse("audit:export")))
    for href in (sort_href, next_href):
        assert "status=failed" in href and "module=invoices" in href and "q=record" in href and "per_page=10" in href
    assert "status=failed" in export_href and "q=record" in export_href


def test_an_htmx_request_gets_only_the_rows_partial(owner_client, organisation):
    make_entry(organisation, record_name="In the partial")
    response = owner_client.get(URL, {"q": "partial"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "In the partial" in html
    assert "<html" not in html and 'id="audit-filters"' not in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]
    full = owner_client.get(URL, {"q": "partial"}).content.decode()
    assert "<html" in full and 'id="audit-rows"' in full and 'hx-get="' in full


def test_the_count_is_exact_below_the_cap_and_bounded_above_it(owner_client, organisation, monkeypatch):
    for _ in range(7):
        make_entry(organisation)
    response = owner_client.get(URL)
    assert "7 entries match." in response.content.decode()
    monkeypatch.setattr("audit.listing.COUNT_CAP", 5)
    response = owner_client.get(URL)
    assert "More than 5 entries match." in response.content.decode()


def test_a_read_only_member_can_read_the_audit_log(client, read_only_member, organisation):
    make_entry(organisation, record_name="Visible to readers")
    client.force_login(read_only_member)
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Visible to readers"]


@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("sort", ["name", "-name"])
def test_paging_a_search_sorted_by_name_visits_every_match_once_in_order(owner_client, organisation, sort, dense, monkeypatch):
    if dense:  # many matches: ordered along the name index instead of sorted from the search's indexes
        monkeypatch.setattr("audit.listing.COUNT_CAP", 3)
        monkeypatch.setattr("audit.listing.NAME_INDEX_THRESHOLD", 5)
    for i in range(27):
        make_entry(organisation, record_name=f"Harbour {i % 4}", created_at=days_ago(i))
    make_entry(organisation, record_name="Unrelated")
    pages, _ = _walk(owner_client, {"q": "harbour", "sort": sort, "per_page": 10})
    seen = [name for page in pages for name in page]
    assert len(seen) == 27
    assert seen == sorted(seen, reverse=sort.startswith("-"))


def test_the_results_per_page_select_shows_the_default_that_applies(owner_client, organisation):
    html = owner_client.get(URL).content.decode()
    select = html[html.index('name="per_page"') : html.index("</select>", html.index('name="per_page"'))]
    assert '<option value="25" selected>' in select


def test_the_count_gives_up_after_its_time_budget_on_postgresql_and_the_page_says_many(owner_client, organisation, monkeypatch):
    from django.db import connection

    from audit.listing import bounded_count
    from audit.models import AuditEntry

    for _ in range(3):
        make_entry(organisation)
    entries = AuditEntry.objects.filter(organisation=organisation)
    if connection.vendor == "postgresql":
        slow = entries.extra(where=["(SELECT 1 FROM pg_sleep(0.3)) = 1"])
        assert bounded_count(slow, 10) is None
        with connection.cursor() as cursor:  # the connection is usable and the budget did not leak
            cursor.execute("SELECT current_setting('statement_timeout')")
            assert cursor.fetchone()[0] == "0"
    assert bounded_count(entries, 10) == 3
    assert bounded_count(entries, 2) == 3  # cap + 1: "more than 2"

    monkeypatch.setattr("audit.listing.bounded_count", lambda queryset, cap: None)
    response = owner_client.get(URL)
    assert "Many entries match." in response.content.decode()
    assert len(names(response)) == 3
