from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    label = "ntm_workflow"  # "viewflow" and "workflow" stay free for viewflow itself
    verbose_name = _("Process and audit")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import auth_audit  # noqa: F401 - connects the login receivers

        post_migrate.connect(ensure_sqlite_append_only, sender=self,
                             dispatch_uid="audit_sqlite_append_only")


def ensure_sqlite_append_only(using: str = "default", **kwargs: object) -> None:
    """SQLite loses triggers when a migration rebuilds the table: put it back every time."""
    from django.db import connections

    from .migrations import _sqlite_triggers

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in _sqlite_triggers.TRIGGERS:
                cursor.execute(sql)
