import factory

from connections.models import XeroOrganisation, XeroTokenSet
from tests.factories import OrganisationFactory


class XeroTokenSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = XeroTokenSet

    organisation = factory.SubFactory(OrganisationFactory)
    access_token = "access"
    refresh_token = "refresh"


class XeroOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = XeroOrganisation

    organisation = factory.SubFactory(OrganisationFactory)
    token_set = factory.SubFactory(XeroTokenSetFactory, organisation=factory.SelfAttribute("..organisation"))
    tenant_id = factory.Sequence(lambda n: f"tenant-{n}")
    tenant_name = factory.Sequence(lambda n: f"Xero Org {n}")
    selected = True
