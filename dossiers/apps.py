from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("Recognition dossiers")

    def ready(self) -> None:
        from audit import labels

        from . import auth_audit  # noqa: F401 - connects the login receivers
        from .steps import step_labels

        labels.register(step_labels())
