"""Acceptances 3 and 4 of issue 13 on the messy world (`test_messy_world.seed`, with the README's routing rules): for each
Xero organisation and direction, the Historical Sync dry run's counts per module and action (create, update, and
refuse with its reason) equal what the job then does, and the dry run writes nothing.

The organisations go one after the other (AU, then UK) and each direction in turn, so every dry run meets what the
jobs before it wrote: records of the other organisation to match in Zoho, links of its own to update.

Then the audit log of that world, in German and in French (the list, and the detail page of every failure and of
a sample of the other entries): no English besides names and data, and no provider's words inside a message.
The browser walk over every page (tests/i18n/test_every_page_browser.py) covers the same failure kinds.
"""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from sync.engine import messages
from sync.triggers import historical
from sync.triggers import tasks as trigger_tasks
from tests.i18n.english import english_in, english_sentences
from tests.sync.portal_setup import writes

from .test_messy_world import route_by_billing_country, seed
from .world import World, connect_two

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def world(sandbox, owner_client, organisation, owner, settings, monkeypatch):
    for task in (trigger_tasks.historical_plan_task, trigger_tasks.historical_run_task):
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: None)  # the test runs them itself
    zoho, orgs = connect_two(sandbox, owner_client, organisation, owner, settings)
    return World(organisation, zoho, orgs, sandbox, inbox=None)


def _job_outcomes(xero_organisation, job) -> dict:
    """{module: Counter of create / update / refuse|reason} of the job's audit entries."""
    outcomes = {}
    entries = AuditEntry.objects.filter(xero_tenant_id=xero_organisation.tenant_id, trigger="historical",
                                        direction=job.direction, created_at__gte=job.created_at)
    for entry in entries:
        if entry.status == "failed":
            outcome = f"refuse|{entry.message_key}"
        elif entry.action in ("create", "update"):
            outcome = entry.action
        else:
            continue
        outcomes.setdefault(entry.module, Counter())[outcome] += 1
    return {module: +counts for module, counts in outcomes.items() if +counts}


def _planned(job) -> dict:
    planned = {}
    for module, counts in job.dry_run.items():
        tally = Counter({"create": counts["create"], "update": counts["update"]})
        for key, number in counts["reasons"].items():
            outcome, _, reason = key.partition("|")
            if outcome == "refuse":
                tally[f"refuse|{reason}"] += number
        if +tally:
            planned[module] = +tally
    return planned


def _run(job):
    for _ in range(1_000):
        if historical.work(job.pk, slice_seconds=0) != "more":
            return
    raise AssertionError("the job never finished")


def test_on_the_messy_world_the_dry_run_counts_equal_the_jobs_outcomes_per_module_and_action(world, sandbox):
    seeded = seed(world)
    route_by_billing_country(world)
    compared = []
    for org in world.orgs:
        for direction in ("zoho_to_xero", "xero_to_zoho"):
            sandbox.reset_counters()
            job = historical.create_job(org.xero_organisation, modules=["invoices"], direction=direction)
            job = historical.plan(job.pk)
            assert writes(sandbox, "xero") + writes(sandbox, "zoho") == 0, "the dry run wrote"
            planned = _planned(job)
            historical.start(job)
            _run(job)
            done = _job_outcomes(org.xero_organisation, job)
            assert done == planned, (org.name, direction, job.dry_run, done)
            compared.append((org.name, direction, planned))
    # the world's deliberately unmappable invoices (a currency the organisation has not enabled) were predicted
    refused = [(name, counts) for name, direction, plan in compared if direction == "zoho_to_xero"
               for counts in [plan.get("invoices", Counter())]]
    for name, counts in refused:
        assert counts[f"refuse|{messages.CURRENCY_NOT_ENABLED}"] == 1, (name, counts)
    assert len(seeded["unmappable"]) == 2
    # and something was created in each direction (the comparison is not one of empty counts)
    assert all(plan.get("accounts", Counter())["create"] or plan.get("invoices", Counter())["create"]
               for _name, _direction, plan in compared), compared


class _Text(HTMLParser):
    """The text a reader sees (and the title, aria-label, placeholder and alt attributes), leaving out scripts,
    styles, textareas and elements marked translate="no", as the browser walk does."""

    SKIP = {"script", "style", "textarea", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.parts, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in self.SKIP or attrs.get("translate") == "no" or bool(self.stack and self.stack[-1])
        if not skipped:
            self.parts += [attrs[name] for name in ("title", "aria-label", "placeholder", "alt") if attrs.get(name)]
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.parts.append(data.strip())


def _page_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _audit_pages_in(client, owner, organisation, language) -> dict:
    from tests.i18n.test_every_page_browser import names_in

    owner.language = language
    owner.save(update_fields=["language"])
    entries = list(AuditEntry.objects.filter(organisation=organisation))
    failed = [entry for entry in entries if entry.status == "failed"]
    others = [entry for entry in entries if entry.status != "failed"][:15]
    names = names_in([organisation.pk])
    sentences = english_sentences(language)
    found = {}
    urls = [reverse("audit:index"), reverse("audit:index") + "?status=failed"]
    urls += [reverse("audit:detail", args=[entry.pk]) for entry in failed + others]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'lang="{language}"' in html, url
        if english := english_in(_page_text(html), names, sentences):
            found[url] = english
    for entry in failed:  # the message itself: whole, translated, and without the provider's words
        with translation.override(language):
            shown = entry.translated_message
        assert shown.endswith("."), shown
        assert not entry.provider_error or entry.provider_error not in shown, shown
        data = [name for name in names if name not in (entry.provider_error, entry.provider_error_code)]
        if english := english_in([shown], data, sentences):
            found[f"message of {entry.record_name}"] = english
    return found


def test_the_german_and_french_audit_pages_of_the_messy_world_have_no_english_provider_text(
        world, sandbox, client, owner, organisation):
    seed(world)
    route_by_billing_country(world)
    for org in world.orgs:
        for direction in ("zoho_to_xero", "xero_to_zoho"):
            job = historical.plan(historical.create_job(org.xero_organisation, modules=["invoices"],
                                                        direction=direction).pk)
            historical.start(job)
            _run(job)
    failed = AuditEntry.objects.filter(organisation=organisation, status="failed")
    assert {entry.message_key for entry in failed} >= {messages.CURRENCY_NOT_ENABLED}, [
        (entry.record_name, entry.message_key) for entry in failed]
    client.force_login(owner)
    client.get(reverse("audit:index"))  # shows (and so clears) the connection flow's notices, written in English
    for language in ("de", "fr"):
        assert _audit_pages_in(client, owner, organisation, language) == {}, language
