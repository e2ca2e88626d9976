import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dossiers.models import Step
from notifications import services


class Command(BaseCommand):
    help = ("Run the deadline reminder sweep now (the same as beat's 07:00 sweep) and send the "
            "e-mails. --dry-run lists what would be sent; --now runs it as of another time.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, record and send nothing")
        parser.add_argument("--now", help="ISO date and time, e.g. 2026-11-27T07:00 (local time)")

    def handle(self, *args, dry_run=False, now=None, **options):
        when = timezone.now()
        if now:
            try:
                when = dt.datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now {now!r} is not an ISO date and time.") from exc
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        def show(item):
            self.stdout.write(
                f"{item.recipient.email:<32} {item.point:<12} {Step(item.deadline.step).label}: "
                f"{item.deadline.dossier} — {item.deadline.due_on:%d/%m/%Y}")

        # Streamed: each batch is printed (and recorded) as it comes, nothing kept.
        result = services.sweep(now=when, dry_run=dry_run, keep_planned=False, on_planned=show)
        if dry_run:
            self.stdout.write(f"Dry run: {result.count} reminder(s) would be considered; "
                              "nothing recorded or sent.")
            return
        sent = failed = 0
        for email_id in result.emails:
            try:
                status = services.deliver(email_id)
            except services.DeliveryError as exc:
                failed += 1
                self.stderr.write(f"e-mail {email_id} not sent (kept for retry): {exc}")
                continue
            sent += status == "sent"
        self.stdout.write(f"{len(result.emails)} e-mail(s) prepared, {sent} sent, "
                          f"{failed} failed (to be retried).")
