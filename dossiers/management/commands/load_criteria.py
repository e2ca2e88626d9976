from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.services.catalogue import criteria_set_load


class Command(BaseCommand):
    help = ("Load or update criteria sets from YAML files (default: every file in "
            "NTM_CRITERIA_DIR). Never deletes: what a newer file drops is marked retired.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="YAML files; default: all in NTM_CRITERIA_DIR")
        parser.add_argument("--as", dest="username", default=None,
                            help="administrator recorded as the actor (default: first superuser)")

    def handle(self, *args, files, username, **options):
        users = get_user_model().objects.filter(is_superuser=True, is_active=True)
        actor = users.filter(username=username).first() if username else users.order_by("pk").first()
        if actor is None:
            raise CommandError("No active superuser to record as the actor: create one first "
                               "(manage.py createsuperuser) or pass --as.")
        paths = [Path(f) for f in files] or sorted(Path(settings.NTM_CRITERIA_DIR).glob("*.yaml"))
        if not paths:
            raise CommandError(f"No criteria files found in {settings.NTM_CRITERIA_DIR}.")
        for path in paths:
            try:
                report = criteria_set_load(actor=actor, path=path)
            except (RuleViolation, NotAllowed) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self.stdout.write(f"{path.name}: {report.summary()}")
