"""The default sales account a Xero organisation's own chart of accounts suggests, the way the tax mapping
suggests a rate of the same percentage: pre-selected, applied only once saved.

Xero's documented chart facts (Account.Type, shared/specs xero_accounting.yaml AccountType): a sales line posts to
an account of Type REVENUE or SALES; Xero's default chart names its revenue account 200 "Sales" (beside 260 "Other
Revenue" and 270 "Interest Income", also REVENUE). So: the only active REVENUE/SALES account with a code, else the
one called "Sales" (the one coded 200 if several are), else no suggestion. Only that organisation's chart is read:
a choice saved for another Xero organisation is never carried over."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

SALES_ACCOUNT_TYPES = ("REVENUE", "SALES")
DEFAULT_CHART_SALES_NAME = "Sales"
DEFAULT_CHART_SALES_CODE = "200"

ONLY = "only"  # the chart has one sales account
NAMED_SALES = "named_sales"  # several; the one Xero's default chart calls "Sales"
AMBIGUOUS = "ambiguous"  # several, none (or no single one) called "Sales": the admin chooses
NO_ACCOUNT = "none"  # no active sales account with a code


@dataclass(frozen=True)
class AccountSuggestion:
    account: object | None  # a XeroAccount
    reason: str
    candidates: int

    @property
    def code(self) -> str:
        return self.account.code if self.account is not None else ""

    def explanation(self, organisation_name: str) -> str:
        """Which account is suggested and why, in the interface language."""
        values = {"account": str(self.account) if self.account is not None else "",
                  "organisation": organisation_name, "count": self.candidates, "name": DEFAULT_CHART_SALES_NAME}
        if self.reason == ONLY:
            return _("Suggested: %(account)s, the only revenue account in the chart of accounts of "
                     "%(organisation)s.") % values
        if self.reason == NAMED_SALES:
            return _("Suggested: %(account)s. %(organisation)s has %(count)s revenue accounts; this is the one "
                     "Xero's default chart of accounts calls \"%(name)s\".") % values
        if self.reason == AMBIGUOUS:
            return _("No suggestion: %(organisation)s has %(count)s revenue accounts and none is called "
                     "\"%(name)s\" as in Xero's default chart of accounts. Choose one.") % values
        return _("No suggestion: %(organisation)s has no active revenue account with a code. Add one in Xero, "
                 "then refresh the chart of accounts.") % values


def _is_sales_account(account) -> bool:
    return account.status == "ACTIVE" and bool(account.code) and account.type.upper() in SALES_ACCOUNT_TYPES


def suggest_sales_account(chart) -> AccountSuggestion:
    """``chart``: one Xero organisation's XeroAccount rows (or objects with code, name, type and status)."""
    candidates = [account for account in chart if _is_sales_account(account)]
    if len(candidates) == 1:
        return AccountSuggestion(candidates[0], ONLY, 1)
    named = [a for a in candidates if a.name.strip().casefold() == DEFAULT_CHART_SALES_NAME.casefold()]
    if len(named) > 1:
        named = [a for a in named if a.code == DEFAULT_CHART_SALES_CODE]
    if len(named) == 1:
        return AccountSuggestion(named[0], NAMED_SALES, len(candidates))
    return AccountSuggestion(None, AMBIGUOUS if candidates else NO_ACCOUNT, len(candidates))
