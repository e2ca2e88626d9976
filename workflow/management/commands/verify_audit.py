from django.core.management.base import BaseCommand, CommandError

from workflow.audit import verify_chain


class Command(BaseCommand):
    help = "Check the whole audit hash chain; exit non-zero at the first event that does not match."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Audit chain broken at event #{report.first_bad_seq}: "
                               f"{report.problem}. {report.count} event(s) before it are intact.")
        self.stdout.write(f"OK: {report.count} audit event(s), chain intact.")
