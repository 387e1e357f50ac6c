import csv
import io

import pytest
from django.urls import reverse

from audit.export import safe_cell
from audit.models import Module, Status
from tests.audit.factories import days_ago, make_entry

pytestmark = pytest.mark.django_db
URL = reverse("audit:export")


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_streams_the_filtered_rows_as_csv(owner_client, organisation):
    make_entry(organisation, record_name="Failed invoice", module=Module.INVOICES, status=Status.FAILED, xero_id="abc", provider_error_code="ValidationException", provider_error="Account code 999 is not valid", created_at=days_ago(1))
    make_entry(organisation, record_name="Good invoice", module=Module.INVOICES, status=Status.SUCCESS, created_at=days_ago(2))
    make_entry(organisation, record_name="Failed product", module=Module.PRODUCTS, status=Status.FAILED, created_at=days_ago(3))
    response = owner_client.get(URL, {"module": "invoices", "status": "failed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = read_csv(response)
    assert rows[0][:8] == ["Created", "Name", "Module", "Data flow", "Trigger", "Action", "Status", "Message"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Name"] == "Failed invoice"
    assert row["Status"] == "Failed"
    assert row["Xero id"] == "abc"
    assert row["Error code"] == "ValidationException"
    assert row["Error"] == "Account code 999 is not valid"


def test_the_export_ignores_paging_and_contains_every_matching_row(owner_client, organisation):
    for i in range(30):
        make_entry(organisation, record_name=f"Row {i}")
    rows = read_csv(owner_client.get(URL, {"per_page": 10, "after": "whatever"}))
    assert len(rows) == 31


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_prefixed_with_a_quote(owner_client, organisation, dangerous):
    make_entry(organisation, record_name=dangerous, message=dangerous)
    rows = read_csv(owner_client.get(URL))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Name"] == "'" + dangerous
    assert row["Message"] == "'" + dangerous


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("Acme = best") == "Acme = best"
    assert safe_cell("") == ""
    assert safe_cell(None) == ""


def test_html_and_commas_in_names_are_exported_verbatim(owner_client, organisation):
    make_entry(organisation, record_name='<b>Bold</b>, "quoted"')
    rows = read_csv(owner_client.get(URL))
    assert rows[1][1] == '<b>Bold</b>, "quoted"'


def test_the_export_writes_messages_and_labels_in_the_readers_language(owner_client, organisation, owner):
    from django.utils.translation import gettext_noop

    make_entry(
        organisation,
        status=Status.FAILED,
        message_key=gettext_noop("Xero rejected %(name)s."),
        message_params={"name": "Acme"},
        message="Xero rejected Acme.",
    )
    owner.language = "de"
    owner.save(update_fields=["language"])
    rows = read_csv(owner_client.get(URL))
    assert rows[1][7] == "Xero rejected Acme."  # no German msgid yet: the English text, never a crash
    from django.utils import translation

    with translation.override("de"):
        assert rows[1][6] == str(Status.FAILED.label)  # the label in German, not the stored value
        assert rows[0][0] == translation.gettext("Created")
