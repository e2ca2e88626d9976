from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The bottom layer: the append-only trail every other app writes through ``record``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(ensure_sqlite_append_only, sender=self,
                             dispatch_uid="audit_sqlite_append_only")


def ensure_sqlite_append_only(using: str = "default", **kwargs: object) -> None:
    """SQLite loses triggers when a migration rebuilds the table: put it back every time."""
    from django.db import connections

    from .sqlite import ALL_TRIGGERS

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in ALL_TRIGGERS:
                cursor.execute(sql)
