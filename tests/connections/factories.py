from datetime import timedelta

import factory
from django.utils import timezone

from connections.models import XeroOrganisation, XeroTokenSet, ZohoConnection
from tests.factories import OrganisationFactory


class XeroTokenSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = XeroTokenSet

    organisation = factory.SubFactory(OrganisationFactory)
    access_token = factory.Sequence(lambda n: f"xero-access-token-{n:04d}-secretvalue")
    refresh_token = factory.Sequence(lambda n: f"xero-refresh-token-{n:04d}-secretvalue")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))
    scopes = "offline_access accounting.contacts accounting.settings accounting.invoices accounting.payments"
    last_refreshed_at = factory.LazyFunction(timezone.now)


class XeroOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = XeroOrganisation

    organisation = factory.SubFactory(OrganisationFactory)
    token_set = factory.SubFactory(XeroTokenSetFactory, organisation=factory.SelfAttribute("..organisation"))
    tenant_id = factory.Faker("uuid4")
    tenant_name = factory.Sequence(lambda n: f"Demo Company {n}")
    connection_id = factory.Faker("uuid4")
    selected = True


class ZohoConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZohoConnection

    organisation = factory.SubFactory(OrganisationFactory)
    location = "eu"
    accounts_server = "https://accounts.zoho.eu"
    api_domain = "https://www.zohoapis.eu"
    access_token = factory.Sequence(lambda n: f"1000.zoho-access-{n:04d}.secretvalue")
    refresh_token = factory.Sequence(lambda n: f"1000.zoho-refresh-{n:04d}.secretvalue")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    scopes = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL"
    crm_org_id = "20001234"
    crm_org_name = "Acme CRM"
