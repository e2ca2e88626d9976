from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain
from audit.models import AuditEvent


class Command(BaseCommand):
    help = ("Check the whole audit hash chain; exit non-zero at the first event that does not "
            "match. Keep the head it prints somewhere else: --expect-seq/--expect-hash then prove "
            "that no event up to it was removed from the end of the chain.")

    def add_arguments(self, parser):
        parser.add_argument("--expect-seq", type=int, help="an event number recorded earlier")
        parser.add_argument("--expect-hash", help="the hash recorded with it")

    def handle(self, *args, expect_seq=None, expect_hash=None, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Audit chain broken at event #{report.first_bad_seq}: "
                               f"{report.problem}. {report.count} event(s) before it are intact.")
        if (expect_seq is None) != (expect_hash is None):
            raise CommandError("--expect-seq and --expect-hash go together.")
        if expect_seq is not None:
            anchor = AuditEvent.objects.filter(seq=expect_seq).values_list("hash", flat=True).first()
            if anchor is None:
                raise CommandError(f"Event #{expect_seq} recorded earlier is missing: events were "
                                   f"removed from the end of the chain ({report.count} left).")
            if anchor != expect_hash:
                raise CommandError(f"Event #{expect_seq} does not have the hash recorded earlier.")
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        self.stdout.write(f"OK: {report.count} audit event(s), chain intact.")
        if head:
            self.stdout.write(f"Head: --expect-seq {head[0]} --expect-hash {head[1]}")
