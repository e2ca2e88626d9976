from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web layer: pages and the REST API. Reads input, calls one service, shows the
    result; every rule and right is the services'."""

    name = "web"
    verbose_name = _("Pages and API")
