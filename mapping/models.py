"""What an organisation keeps about mapping: saved field mappings, the Zoho field cache, taxes and accounts.

Field mappings are per portal organisation, module and direction (no row = the defaults apply). Tax mapping,
the Xero tax rates and the chart of accounts are per Xero organisation (FK with CASCADE, as
connections.models.XeroOrganisation asks).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned

from .registry import DIRECTION_LABELS, MODULES


class TaxMode(models.TextChoices):
    EXCLUSIVE = "Exclusive", _("Tax exclusive")
    INCLUSIVE = "Inclusive", _("Tax inclusive")
    NO_TAX = "NoTax", _("No tax")


MODULE_CHOICES = [(key, module.label) for key, module in MODULES.items()]
DIRECTION_CHOICES = list(DIRECTION_LABELS.items())


class FieldMapping(TenantOwned):
    """A saved mapping: ``rules`` in the shape mapping.transform documents."""

    module = models.CharField(_("module"), max_length=32, choices=MODULE_CHOICES)
    direction = models.CharField(_("direction"), max_length=16, choices=DIRECTION_CHOICES)
    rules = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("field mapping")
        verbose_name_plural = _("field mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "module", "direction"], name="unique_mapping_per_direction"
            )
        ]

    def __str__(self):
        return f"{self.module} {self.direction}"


class ZohoFieldCache(TenantOwned):
    """The organisation's Zoho fields of one module (normalised, see mapping.zoho_fields), from the last Refresh."""

    module = models.CharField(max_length=64)
    fields = models.JSONField(default=list)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "module"], name="unique_zoho_field_cache")
        ]

    def __str__(self):
        return self.module


class MappingSettings(TenantOwned):
    """Organisation-wide mapping settings: how invoice amounts treat tax."""

    tax_mode = models.CharField(
        _("invoice amounts are"), max_length=16, choices=TaxMode.choices, default=TaxMode.EXCLUSIVE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="one_mapping_settings_per_organisation")
        ]


class ZohoTax(TenantOwned):
    """A tax of the organisation's Zoho CRM (GET /org/taxes): a name and a percentage."""

    zoho_id = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(_("name"), max_length=255)
    percentage = models.DecimalField(_("percentage"), max_digits=9, decimal_places=4, null=True, blank=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_zoho_tax_name")]

    def __str__(self):
        return self.name


class XeroTaxRate(TenantOwned):
    """A tax rate of a Xero organisation (GET /TaxRates)."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="mapping_tax_rates"
    )
    tax_type = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    rate = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    status = models.CharField(max_length=16, blank=True, default="ACTIVE")
    can_apply_to_revenue = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "tax_type"], name="unique_xero_tax_type")
        ]

    def __str__(self):
        return f"{self.name} ({self.tax_type})"


class XeroAccount(TenantOwned):
    """An account of a Xero organisation's chart of accounts (GET /Accounts), imported read-only."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="mapping_accounts"
    )
    account_id = models.CharField(max_length=64)
    code = models.CharField(_("code"), max_length=16, blank=True, default="")
    name = models.CharField(_("name"), max_length=150)
    type = models.CharField(_("type"), max_length=32, blank=True, default="")
    account_class = models.CharField(_("class"), max_length=16, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, blank=True, default="ACTIVE")
    tax_type = models.CharField(_("tax rate"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "account_id"], name="unique_xero_account")
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class TaxMapping(TenantOwned):
    """Which Xero tax rate (TaxType) a Zoho tax becomes in one Xero organisation."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="mapping_tax_mappings"
    )
    zoho_tax_name = models.CharField(max_length=255)
    xero_tax_type = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "zoho_tax_name"], name="unique_tax_mapping")
        ]

    def __str__(self):
        return f"{self.zoho_tax_name} -> {self.xero_tax_type}"


class DefaultAccount(TenantOwned):
    """The default sales account (code) of a module in one Xero organisation."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="mapping_default_accounts"
    )
    module = models.CharField(max_length=32, choices=MODULE_CHOICES)
    account_code = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "module"], name="unique_default_account")
        ]

    def __str__(self):
        return f"{self.module}: {self.account_code}"


class XeroCurrency(TenantOwned):
    """A currency a Xero organisation works in: its base currency (GET /Organisation) and, when the client can
    read GET /Currencies, the other enabled ones."""

    BASE = "base"
    ENABLED = "enabled"

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="mapping_currencies"
    )
    code = models.CharField(max_length=3)
    source = models.CharField(max_length=8, choices=[(BASE, BASE), (ENABLED, ENABLED)], default=BASE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "code"], name="unique_xero_currency")
        ]

    def __str__(self):
        return self.code


class ItemlessLineProduct(TenantOwned):
    """The Zoho product a Xero invoice line without an item becomes (Zoho requires a product on every line), in
    one Xero organisation: one default (empty account code) and optionally one per Xero account code. On the way
    back to Xero a line with this product has no item again, and the account code of the row it came from."""

    xero_organisation = models.ForeignKey(
        "connections.XeroOrganisation", on_delete=models.CASCADE, related_name="mapping_itemless_line_products"
    )
    account_code = models.CharField(max_length=16, blank=True, default="")  # "" = lines of any other account
    zoho_product_id = models.CharField(max_length=64)
    zoho_product_name = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["xero_organisation", "account_code"], name="unique_itemless_line_product")
        ]

    def __str__(self):
        return f"{self.account_code or '*'}: {self.zoho_product_name}"
