"""`manage.py sandbox seed|reset` against the sandbox store."""

import pytest
from django.core.management import call_command

from sandbox.xero.models import Account, Contact, Invoice, Item, Organisation, TaxRate

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_seed_creates_two_xero_organisations_with_reference_data_and_records():
    call_command("sandbox", "seed", "--xero-contacts", "5", "--xero-items", "4", "--xero-invoices", "6")
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Demo Company (AU)", "Demo Company (UK)"]
    au = Organisation.objects.get(name="Demo Company (AU)")
    uk = Organisation.objects.get(name="Demo Company (UK)")
    assert {"OUTPUT", "INPUT", "EXEMPTOUTPUT", "BASEXCLUDED"} <= set(
        TaxRate.objects.filter(organisation=au).values_list("tax_type", flat=True))
    assert TaxRate.objects.get(organisation=au, tax_type="OUTPUT").data["EffectiveRate"] == 10.0
    assert TaxRate.objects.get(organisation=uk, tax_type="OUTPUT2").data["EffectiveRate"] == 20.0
    assert {"090", "200", "260", "310"} <= set(Account.objects.filter(organisation=au).values_list("code", flat=True))
    assert Contact.objects.filter(organisation=au).count() == 5
    assert Item.objects.filter(organisation=uk).count() == 4
    statuses = set(Invoice.objects.filter(organisation=au).values_list("status", flat=True))
    assert {"DRAFT", "AUTHORISED", "PAID", "VOIDED"} <= statuses


def test_seed_if_empty_leaves_a_seeded_store_alone_and_reset_wipes_it():
    call_command("sandbox", "seed", "--xero-contacts", "2", "--xero-items", "1", "--xero-invoices", "0")
    call_command("sandbox", "seed", "--if-empty", "--xero-contacts", "9")
    assert Contact.objects.count() == 4  # 2 per organisation, not 9 more
    call_command("sandbox", "reset")
    assert Organisation.objects.count() == 0 and Contact.objects.count() == 0


def test_seed_refuses_negative_counts():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sandbox", "seed", "--xero-contacts", "-1")
