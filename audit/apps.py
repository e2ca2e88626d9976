from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The bottom layer: the append-only trail every other app writes through ``record``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401 - registers the deployment checks

        post_migrate.connect(ensure_sqlite_append_only, sender=self,
                             dispatch_uid="audit_sqlite_append_only")
        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="audit_grant_app_role")


def ensure_sqlite_append_only(using: str = "default", **kwargs: object) -> None:
    """SQLite loses triggers when a migration rebuilds the table: put it back every time."""
    from django.db import connections

    from .sqlite import ALL_TRIGGERS

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in ALL_TRIGGERS:
                cursor.execute(sql)


def grant_app_role(using: str = "default", **kwargs: object) -> None:
    """After every migrate (run as the owner), grant the application's role what it may do:
    INSERT and SELECT on the audit tables, no more (docs/DATABASE_ROLES.md)."""
    from django.conf import settings
    from django.db import connections

    from .roles import grant_sql

    connection = connections[using]
    app_role = getattr(settings, "DATABASE_APP_ROLE", "")
    if connection.vendor != "postgresql" or not app_role:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == app_role:
            return  # migrating as the application's role: nothing it could grant itself
        for sql in grant_sql(app=app_role):
            cursor.execute(sql)
