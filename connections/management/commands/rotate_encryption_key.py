"""Re-encrypt every stored token with the first key of FIELD_ENCRYPTION_KEY (see connections/README.md)."""

from django.core.management.base import BaseCommand

from connections.fields import rotate
from connections.models import XeroTokenSet, ZohoConnection


class Command(BaseCommand):
    help = "Re-encrypt stored tokens with the newest key (the first in FIELD_ENCRYPTION_KEY)."

    def handle(self, *args, **options):
        total = 0
        for model in (XeroTokenSet, ZohoConnection):
            for instance in model.objects.all().iterator():
                rotate(instance, "access_token", "refresh_token")
                total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the tokens of {total} connection(s)."))
