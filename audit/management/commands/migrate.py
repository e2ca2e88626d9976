"""``migrate`` as the owner role: with DATABASE_OWNER_URL set, the default database's
migrations run through the owner's credentials (same database), and the post_migrate hook
grants the application's role its rights. Without it, Django's own ``migrate``."""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

OWNER_ALIAS = "owner"
_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


@contextmanager
def connected_as_owner(alias: str):
    """The connection ``alias`` logs in with the owner's credentials inside the block (its
    database name is kept, so a test database stays the test database)."""
    if alias != DEFAULT_DB_ALIAS or OWNER_ALIAS not in settings.DATABASES:
        yield
        return
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    owner = settings.DATABASES[OWNER_ALIAS]
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in _CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as the owner role when DATABASE_OWNER_URL is set."

    def handle(self, *args, **options):
        with connected_as_owner(options["database"]):
            return super().handle(*args, **options)
