from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = _("Connections")

    def ready(self):
        from audit.links import set_link_context_lookup

        from .links import link_context

        set_link_context_lookup(link_context)
