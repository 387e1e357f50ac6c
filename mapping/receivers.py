"""Mapping's answers to what the connections app announces (connections/signals.py): a new connection's Zoho
fields and taxes, or a newly chosen Xero organisation's tax rates, accounts and currencies, are read in the
background at once, so the mapping and tax pages are complete when the user first opens them."""

from django.dispatch import receiver

from connections import signals

from . import tasks


@receiver(signals.zoho_connected, dispatch_uid="mapping.read_zoho_metadata")
def read_zoho_metadata(sender, organisation_id, **kwargs):
    tasks.refresh_zoho_metadata.delay(str(organisation_id))


@receiver(signals.xero_organisation_chosen, dispatch_uid="mapping.read_xero_reference_data")
def read_xero_reference_data(sender, xero_organisation_id, **kwargs):
    tasks.refresh_xero_reference_data.delay(str(xero_organisation_id))
