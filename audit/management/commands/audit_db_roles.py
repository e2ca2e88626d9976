from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from audit.roles import grant_sql, setup_sql


class Command(BaseCommand):
    help = ("Print the SQL that sets up least privilege on PostgreSQL (docs/DATABASE_ROLES.md): "
            "once as a superuser, the owner and application roles and the database (--setup); "
            "after every migrate, as the owner, the application role's grants (INSERT and "
            "SELECT only on the audit tables). --apply runs them instead of printing: --setup "
            "through DATABASE_URL (a superuser), the grants through DATABASE_OWNER_URL if set.")

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="ntm_owner", help="the role owning the tables")
        parser.add_argument("--app", default="",
                            help="the application's role (default: DATABASE_APP_ROLE or ntm_app)")
        parser.add_argument("--database", default="ntm", help="the database's name")
        parser.add_argument("--owner-password", default="", help="with --setup")
        parser.add_argument("--app-password", default="", help="with --setup")
        parser.add_argument("--setup", action="store_true",
                            help="only the once-only part (roles and database)")
        parser.add_argument("--grants", action="store_true", help="only the grants")
        parser.add_argument("--apply", action="store_true",
                            help="run the statements now instead of printing them")

    def handle(self, *args, owner, app, database, owner_password, app_password, setup, grants,
               apply, **options):
        app = app or getattr(settings, "DATABASE_APP_ROLE", "") or "ntm_app"
        try:
            setup_statements = setup_sql(owner=owner, app=app, database=database,
                                         owner_password=owner_password,
                                         app_password=app_password)
            grant_statements = grant_sql(app=app)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if apply:
            if setup == grants:
                raise CommandError("--apply runs either --setup or --grants.")
            alias = DEFAULT_DB_ALIAS if setup or "owner" not in settings.DATABASES else "owner"
            connection = connections[alias]
            if connection.vendor != "postgresql":
                raise CommandError("Database roles apply to PostgreSQL only.")
            statements = setup_statements if setup else grant_statements
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
            self.stdout.write(f"Applied {len(statements)} statement(s).")
            return
        if not grants:
            self.stdout.write("-- Once, as a superuser (psql -U postgres):")
            for sql in setup_statements:
                self.stdout.write(sql + ";")
        if not setup:
            if not grants:
                self.stdout.write("")
            self.stdout.write(f"-- After every migrate, as {owner} in {database} "
                              "(manage.py migrate does it when DATABASE_OWNER_URL is set):")
            for sql in grant_statements:
                self.stdout.write(sql + ";")
