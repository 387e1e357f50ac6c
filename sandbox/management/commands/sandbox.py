"""`manage.py sandbox seed [...]` and `manage.py sandbox reset`."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from sandbox import services


class Command(BaseCommand):
    help = "Seed or reset the provider sandbox's store."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        seed = sub.add_parser("seed", help="Create realistic data in both emulators.")
        seed.add_argument("--accounts", type=int, default=None, help="Zoho CRM accounts.")
        seed.add_argument("--products", type=int, default=None, help="Zoho CRM products.")
        seed.add_argument("--invoices", type=int, default=None, help="Zoho CRM invoices.")
        seed.add_argument("--xero-contacts", type=int, default=None, help="Xero contacts per organisation.")
        seed.add_argument("--xero-items", type=int, default=None, help="Xero items per organisation.")
        seed.add_argument("--xero-invoices", type=int, default=None, help="Xero invoices per organisation.")
        seed.add_argument("--if-empty", action="store_true", help="Seed a provider only when its store is empty.")
        seed.add_argument("--demo-failures", action=argparse.BooleanOptionalAction, default=True,
                          help="Add the Zoho CRM records that fail on purpose, named for why (default: added).")
        sub.add_parser("reset", help="Wipe every sandbox table, the clock, the configuration and the counters.")

    def handle(self, *args, **options):
        if options["action"] == "reset":
            services.reset_all()
            self.stdout.write("Sandbox reset.")
            return

        def given(**values):
            return {key: value for key, value in values.items() if value is not None}

        for key in ("accounts", "products", "invoices", "xero_contacts", "xero_items", "xero_invoices"):
            if options[key] is not None and options[key] < 0:
                raise CommandError(f"--{key.replace('_', '-')} must not be negative.")
        result = services.seed(
            xero=given(contacts=options["xero_contacts"], items=options["xero_items"],
                       invoices=options["xero_invoices"]),
            zoho=given(accounts=options["accounts"], products=options["products"], invoices=options["invoices"],
                       failing=options["demo_failures"]),
            if_empty=options["if_empty"],
        )
        for provider, outcome in result.items():
            if outcome is None:
                self.stdout.write(f"{provider}: no seed module, nothing seeded.")
            elif outcome == "skipped":
                self.stdout.write(f"{provider}: already has data, not seeded (--if-empty).")
            else:
                self.stdout.write(f"{provider}: seeded {outcome}.")
