from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.services.roadmap import central_office_member_set


class Command(BaseCommand):
    help = ("Put a user into the central coordination office of the programme (reads every "
            "province's report figures, opens no dossier), or take them out with --remove.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--as", dest="actor", default=None,
                            help="administrator recorded as the actor (default: first superuser)")

    def handle(self, *args, username, remove, reason, actor, **options):
        users = get_user_model().objects.filter(is_active=True)
        admins = users.filter(is_superuser=True)
        by = admins.filter(username=actor).first() if actor else admins.order_by("pk").first()
        user = users.filter(username=username).first()
        if by is None or user is None:
            raise CommandError("Unknown user, or no active superuser to record as the actor.")
        try:
            central_office_member_set(actor=by, user=user, member=not remove, reason=reason)
        except (NotAllowed, RuleViolation) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{username}: {'removed from' if remove else 'in'} the central office")
