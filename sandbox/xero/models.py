"""The Xero emulator's store. Records keep their Xero JSON shape in `data`; indexed columns mirror what is
looked up or filtered in the database (ids, names, numbers, statuses, UpdatedDateUTC)."""

import uuid

from django.db import models


class Organisation(models.Model):
    """A Xero organisation (a tenant): its id is the xero-tenant-id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=255)
    short_code = models.CharField(max_length=20)
    country_code = models.CharField(max_length=2)
    base_currency = models.CharField(max_length=3)
    version = models.CharField(max_length=10)  # AU, UK, NZ, ...
    timezone = models.CharField(max_length=60, default="UTC")
    created_at = models.DateTimeField()
    invoice_counter = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class XeroUser(models.Model):
    """A person who signs in on the sandbox's Xero login page and can reach some organisations."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    password = models.CharField(max_length=200)  # django.contrib.auth.hashers format
    organisations = models.ManyToManyField(Organisation, related_name="users")

    def __str__(self):
        return self.email


class Grant(models.Model):
    """One consent of a user to the app (the token set); revocation ends it and its connections."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(XeroUser, on_delete=models.CASCADE, related_name="grants")
    client_id = models.CharField(max_length=100)
    scopes = models.TextField()
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"grant {self.pk} of {self.user_id}"


class AuthCode(models.Model):
    code = models.CharField(max_length=100, primary_key=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE)
    redirect_uri = models.TextField()
    code_challenge = models.CharField(max_length=200, blank=True)
    auth_event_id = models.UUIDField()
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"code for grant {self.grant_id}"


class RefreshToken(models.Model):
    token = models.CharField(max_length=100, primary_key=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="refresh_tokens")
    created_at = models.DateTimeField()
    rotated_at = models.DateTimeField(null=True, blank=True)  # when it was exchanged for a successor
    successor = models.CharField(max_length=100, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"refresh token of grant {self.grant_id}"


class AccessToken(models.Model):
    token = models.CharField(max_length=100, primary_key=True)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="access_tokens")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"access token of grant {self.grant_id}"


class Connection(models.Model):
    """An organisation a user connected to the app (GET/DELETE /connections)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(XeroUser, on_delete=models.CASCADE, related_name="connections")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="connections")
    client_id = models.CharField(max_length=100)
    auth_event_id = models.UUIDField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "client_id"], name="xero_connection_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} -> {self.organisation_id}"


class Record(models.Model):
    """Common columns of the accounting records."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True


class Account(Record):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    code = models.CharField(max_length=10)
    status = models.CharField(max_length=20, default="ACTIVE")

    def __str__(self):
        return f"{self.code} {self.data.get('Name', '')}"


class TaxRate(Record):
    id = models.BigAutoField(primary_key=True)
    tax_type = models.CharField(max_length=30)
    status = models.CharField(max_length=20, default="ACTIVE")

    def __str__(self):
        return self.tax_type


class Contact(Record):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=255, db_index=True)
    contact_number = models.CharField(max_length=50, blank=True, db_index=True)
    status = models.CharField(max_length=20, default="ACTIVE")

    def __str__(self):
        return self.name


class Item(Record):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    code = models.CharField(max_length=30)

    def __str__(self):
        return self.code


class Invoice(Record):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    type = models.CharField(max_length=20, default="ACCREC")
    number = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=20, default="DRAFT")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="invoices")
    created_by_app = models.CharField(max_length=100, blank=True, default="")  # client id; "" for UI and seed

    def __str__(self):
        return f"{self.type} {self.number or self.pk} ({self.status})"


class Payment(Record):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    status = models.CharField(max_length=20, default="AUTHORISED")

    def __str__(self):
        return f"payment {self.pk} on {self.invoice_id}"


class RateWindow(models.Model):
    """Calls counted in the current fixed window of one limit ("minute", "day", "app") of one tenant."""

    tenant = models.CharField(max_length=40)
    kind = models.CharField(max_length=10)
    started_at = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind"], name="xero_rate_window_unique")]

    def __str__(self):
        return f"{self.tenant} {self.kind}: {self.calls}"


class IdempotencyRecord(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    completed = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="xero_idempotency_unique")]

    def __str__(self):
        return f"{self.organisation_id} {self.key}"


class WebhookSequence(models.Model):
    """The app's webhook event sequence (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"webhook sequence {self.last}"
