"""The Zoho CRM emulator's store: the org and its users, OAuth grants and tokens, records, channels."""

import hashlib

from django.db import models, transaction

ID_BASE = 4876876000000000000  # Zoho-style 19-digit ids: a fixed org prefix plus a sequence


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Counter(models.Model):
    """Allocates Zoho-style ids (records, line items, users, taxes) in blocks."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"

    @classmethod
    def allocate(cls, count: int = 1, name: str = "ids") -> list[int]:
        with transaction.atomic(using="sandbox"):
            cls.objects.get_or_create(name=name)
            counter = cls.objects.select_for_update().get(name=name)
            start = counter.value + 1
            counter.value += count
            counter.save(update_fields=["value"])
        return [ID_BASE + start + offset for offset in range(count)]


class Org(models.Model):
    zid = models.BigIntegerField(unique=True)
    company_name = models.CharField(max_length=200)
    dc = models.CharField(max_length=4, default="eu", help_text="The data centre the org lives in.")
    edition = models.CharField(max_length=20, default="Standard")
    currency = models.CharField(max_length=3, default="EUR")
    time_zone = models.CharField(max_length=60, default="Europe/Berlin")
    country = models.CharField(max_length=60, default="Germany")
    country_code = models.CharField(max_length=2, default="DE")
    phone = models.CharField(max_length=30, blank=True, default="")
    website = models.CharField(max_length=200, blank=True, default="")
    created_time = models.DateTimeField()

    def __str__(self):
        return f"{self.company_name} ({self.dc})"


class User(models.Model):
    """A Zoho CRM user; the sandbox sign-in page authenticates against these."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="users")
    zid = models.BigIntegerField(unique=True)
    email = models.EmailField(unique=True)
    password = models.CharField(max_length=200)
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    language = models.CharField(max_length=10, default="en_US")
    locale = models.CharField(max_length=10, default="en_US")
    time_zone = models.CharField(max_length=60, default="Europe/Berlin")
    role = models.CharField(max_length=40, default="CEO")
    profile = models.CharField(max_length=40, default="Administrator")
    status = models.CharField(max_length=20, default="active")
    created_time = models.DateTimeField()

    class Meta:
        ordering = ["zid"]

    def __str__(self):
        return self.email

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def minified(self):
        return {"name": self.full_name, "id": str(self.zid), "email": self.email}


class Tax(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="taxes")
    zid = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=50)
    value = models.DecimalField(max_digits=6, decimal_places=3)
    sequence_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sequence_number"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="sandbox_zoho_tax_unique")]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self):
        return f"{self.name} - {float(self.value):.1f} %"


class GrantCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=500)
    scope = models.TextField()
    offline = models.BooleanField(default=False)
    consent = models.BooleanField(default=False, help_text="prompt=consent: a new refresh token even if one exists.")
    dc = models.CharField(max_length=4)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)

    def __str__(self):
        return f"grant code ({self.dc}, user {self.user_id})"


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    scope = models.TextField()
    dc = models.CharField(max_length=4)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    created_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"refresh token ({self.dc}, user {self.user_id})"


class AccessToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    refresh_token = models.ForeignKey(RefreshToken, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="access_tokens")
    client_id = models.CharField(max_length=100)
    scope = models.TextField()
    dc = models.CharField(max_length=4)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"access token ({self.dc}, user {self.user_id})"


class Record(models.Model):
    """One CRM record. Field values live in `data` (API names as keys, lookups stored as ids);
    the columns hold what the API sorts and filters on."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="records")
    module = models.CharField(max_length=30)
    zid = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=255, blank=True, default="")
    data = models.JSONField(default=dict)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    modified_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_time = models.DateTimeField()
    modified_time = models.DateTimeField(db_index=True)
    deleted_time = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["org", "module", "deleted_time", "zid"])]

    def __str__(self):
        return f"{self.module} {self.zid} {self.name}"


class Activity(models.Model):
    """Every write, with the workflow triggers Zoho would have run (`trigger`)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    module = models.CharField(max_length=30)
    record_zid = models.BigIntegerField(db_index=True)
    operation = models.CharField(max_length=10)  # insert, update, delete
    source = models.CharField(max_length=10)  # api, ui
    triggers = models.JSONField(default=list)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.operation} {self.module} {self.record_zid}"


class PageToken(models.Model):
    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    module = models.CharField(max_length=30)
    binding = models.CharField(max_length=64, help_text="Hash of the parameters the token is bound to.")
    offset = models.PositiveIntegerField()
    page = models.PositiveIntegerField()
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"page token {self.module} @{self.offset}"


class Channel(models.Model):
    """A notification (watch) channel."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="channels")
    channel_id = models.BigIntegerField()
    resource_id = models.BigIntegerField(unique=True)
    events = models.JSONField(default=list)
    notify_url = models.URLField(max_length=1000)
    token = models.CharField(max_length=50, blank=True, default="")
    channel_expiry = models.DateTimeField()
    return_affected_field_values = models.BooleanField(default=False)
    notify_on_related_action = models.BooleanField(default=False)
    notification_condition = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "channel_id"], name="sandbox_zoho_channel_unique")]

    def __str__(self):
        return f"channel {self.channel_id}"


class CreditBucket(models.Model):
    """API credits spent by an org in one minute (summed over a rolling 24 hours)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    minute = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "minute"], name="sandbox_zoho_credit_unique")]

    def __str__(self):
        return f"{self.minute}: {self.used}"


class BulkReadJob(models.Model):
    """A Bulk Read API job (POST /crm/bulk/v8/read): its query, state, and once completed the CSV it exported."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="bulk_read_jobs")
    zid = models.BigIntegerField(unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_time = models.DateTimeField()
    query = models.JSONField(default=dict)  # module, fields, criteria, page as the job was created
    callback = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=20, default="ADDED")  # ADDED, IN PROGRESS, COMPLETED, FAILURE
    polls = models.IntegerField(default=0)
    completed_time = models.DateTimeField(null=True, blank=True)
    csv = models.TextField(blank=True, default="")
    count = models.IntegerField(default=0)
    more_records = models.BooleanField(default=False)

    def __str__(self):
        return f"bulk read {self.zid} ({self.state})"
