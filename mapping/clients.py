"""Where the mapping views get provider clients (one place, so tests can replace them)."""


def zoho_client(zoho_connection):
    from connections.providers.zoho.client import ZohoClient

    return ZohoClient(zoho_connection)


def xero_client(xero_organisation):
    from connections.providers.xero.client import XeroClient

    return XeroClient(xero_organisation)


def provider_message(error) -> str:
    """The translated, user-facing text of a connections.exceptions.ProviderError."""
    return str(error.message)
