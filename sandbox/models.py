"""The sandbox core's own store: the moved clock, the configuration and the API call counters."""

from django.db import models


class SandboxState(models.Model):
    """A single row (pk 1): the clock offset and the configuration overrides (see sandbox.config)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    clock_offset = models.FloatField(default=0.0, help_text="Seconds added to the real time.")
    config = models.JSONField(default=dict, blank=True, help_text="Overrides of sandbox.config.DEFAULTS.")

    def __str__(self):
        return f"sandbox state (clock offset {self.clock_offset:+.0f}s)"


class ApiCounter(models.Model):
    """How many API calls one provider endpoint received for one tenant."""

    provider = models.CharField(max_length=10)
    endpoint = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    tenant = models.CharField(max_length=100, blank=True, default="")
    calls = models.PositiveIntegerField(default=0)
    throttled = models.PositiveIntegerField(default=0, help_text="Calls answered with 429.")
    last_call = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "endpoint", "method", "tenant"], name="sandbox_counter_unique"),
        ]
        ordering = ["provider", "endpoint", "method", "tenant"]

    def __str__(self):
        return f"{self.provider} {self.method} {self.endpoint} [{self.tenant}] = {self.calls}"
