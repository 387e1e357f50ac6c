from django.apps import AppConfig


class SandboxZohoConfig(AppConfig):
    name = "sandbox.zoho"
    label = "sandbox_zoho"
    verbose_name = "Sandbox: Zoho CRM emulator"
