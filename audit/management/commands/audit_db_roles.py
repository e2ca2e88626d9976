from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from audit.roles import grant_sql, setup_sql


class Command(BaseCommand):
    help = ("Print the SQL that sets up least privilege on PostgreSQL (docs/DATABASE_ROLES.md): "
            "once as a superuser, the owner and application roles and the database; after every "
            "migrate, as the owner, the application role's grants (INSERT and SELECT only on the "
            "audit tables). --apply runs the grants now, through DATABASE_OWNER_URL if set.")

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="ntm_owner", help="the role owning the tables")
        parser.add_argument("--app", default="",
                            help="the application's role (default: DATABASE_APP_ROLE or ntm_app)")
        parser.add_argument("--database", default="ntm", help="the database's name")
        parser.add_argument("--apply", action="store_true",
                            help="run the grants now (as the owner) instead of printing")

    def handle(self, *args, owner, app, database, apply, **options):
        app = app or getattr(settings, "DATABASE_APP_ROLE", "") or "ntm_app"
        try:
            setup, grants = setup_sql(owner=owner, app=app, database=database), grant_sql(app=app)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if apply:
            alias = "owner" if "owner" in settings.DATABASES else DEFAULT_DB_ALIAS
            connection = connections[alias]
            if connection.vendor != "postgresql":
                raise CommandError("Database roles apply to PostgreSQL only.")
            with connection.cursor() as cursor:
                for sql in grants:
                    cursor.execute(sql)
            self.stdout.write(f"Granted {app} its rights ({len(grants)} statements).")
            return
        self.stdout.write("-- Once, as a superuser (psql -U postgres):")
        for sql in setup:
            self.stdout.write(sql + ";")
        self.stdout.write(f"\n-- After every migrate, as {owner} in {database} "
                          "(manage.py migrate does it when DATABASE_OWNER_URL is set):")
        for sql in grants:
            self.stdout.write(sql + ";")
