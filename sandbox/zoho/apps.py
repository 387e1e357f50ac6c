from django.apps import AppConfig


class SandboxZohoConfig(AppConfig):
    name = "sandbox.zoho"
    label = "sandbox_zoho"
    verbose_name = "Sandbox: Zoho CRM emulator"

    def ready(self):
        from sandbox import config, providers

        from . import hooks

        config.register_defaults("zoho", hooks.CONFIG_DEFAULTS)
        providers.register("zoho", tenant=hooks.tenant_of, failure_response=hooks.failure_response,
                           on_reset=hooks.on_reset)
