"""Create the demo organisation and admin for `make run`, and print how to sign in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tenancy.services import ensure_demo


class Command(BaseCommand):
    help = "Create (or reset) the demo organisation and its admin, and print the sign-in URL and credentials."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="admin@example.com")
        parser.add_argument("--password", default="syncportal-demo")
        parser.add_argument("--organisation", default="Demo Organisation")

    def handle(self, *args, **options):
        ensure_demo(email=options["email"], password=options["password"], organisation_name=options["organisation"])
        line = "=" * 64
        self.stdout.write(
            f"{line}\n Sync Portal is starting at {settings.PORTAL_BASE_URL}/\n"
            f" Sign in with   {options['email']}  /  {options['password']}\n"
            f" Sandbox (Zoho CRM and Xero emulators): {settings.SANDBOX_URL}/\n{line}"
        )
