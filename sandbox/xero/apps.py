from django.apps import AppConfig


def _tenant(request):
    return request.headers.get("xero-tenant-id", "").strip()


def _failure(request, status):
    from . import formats

    if status == 429:
        return formats.rate_limited("minute", 1)
    return formats.json_response({"Title": "An error occurred", "Status": status,
                                  "Detail": "An unhandled error occurred in Xero (injected by the sandbox)"},
                                 status=status)


def _in_flight(environ):
    """Accounting calls count in flight per tenant header from their arrival (see sandbox.server)."""
    import uuid

    if not environ.get("PATH_INFO", "").lower().startswith("/xero/api.xro/"):
        return None
    try:
        tenant = str(uuid.UUID(environ.get("HTTP_XERO_TENANT_ID", "").strip()))
    except ValueError:
        return None
    from .limits import in_flight

    return in_flight, tenant


def _tenant_names():
    from .models import Organisation

    return {str(pk): name for pk, name in Organisation.objects.values_list("pk", "name")}


def _reset():
    from . import webhooks

    webhooks.deliveries.clear()


class SandboxXeroConfig(AppConfig):
    name = "sandbox.xero"
    label = "sandbox_xero"
    verbose_name = "Sandbox: Xero emulator"

    def ready(self):
        from sandbox import providers

        providers.register("xero", tenant=_tenant, failure_response=_failure, on_reset=_reset,
                           tenant_names=_tenant_names, in_flight=_in_flight)
