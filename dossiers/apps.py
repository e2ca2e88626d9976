from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("Recognition dossiers")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from audit import labels

        from . import auth_audit  # noqa: F401 - connects the login receivers
        from .columns import guard_columns
        from .steps import step_labels

        labels.register(step_labels())
        # Every value a service writes fits its column, or the write is refused with a
        # message (dossiers/columns.py): never a database error.
        pre_save.connect(guard_columns, dispatch_uid="dossiers.columns.guard_columns")
