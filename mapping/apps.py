from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MappingConfig(AppConfig):
    name = "mapping"
    verbose_name = _("Field mapping")

    def ready(self):
        from . import receivers  # noqa: F401  (connects to connections.signals)
