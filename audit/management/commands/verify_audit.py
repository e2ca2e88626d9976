from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain
from audit.models import AuditEvent
from audit.publication import parse_head


class Command(BaseCommand):
    help = ("Check the whole audit trail: every checkpoint's signature, every event's keyed hash "
            "and link in order, and that no checkpointed head has vanished. Exit non-zero at the "
            "first problem, named: deleted events, an edited event, a changed primary key, "
            "reordered events, a re-chained segment, a forged append, a cut tail, a forged "
            "checkpoint. --expect-seq/--expect-hash check a head kept outside the server (e.g. "
            "from a checkpoint e-mail); --published-head SEQ:HASH one from the public page.")

    def add_arguments(self, parser):
        parser.add_argument("--expect-seq", type=int, help="an event number recorded earlier")
        parser.add_argument("--expect-hash", help="the hash recorded with it")
        parser.add_argument("--published-head", metavar="SEQ:HASH",
                            help="a head published on the public page (same check)")

    def handle(self, *args, expect_seq=None, expect_hash=None, published_head=None, **options):
        if published_head is not None:
            if expect_seq is not None or expect_hash is not None:
                raise CommandError("--published-head replaces --expect-seq/--expect-hash.")
            try:
                expect_seq, expect_hash = parse_head(published_head)
            except ValueError:
                raise CommandError("--published-head takes SEQ:HASH, e.g. 42:<64 hex digits>, "
                                   "as the public page shows it.") from None
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
        self.stdout.write(f"OK: {report.count} audit event(s), chain intact.")
        if report.head:
            self.stdout.write(f"Head: --expect-seq {report.head[0]} --expect-hash {report.head[1]}")
        self.stdout.write(f"Checkpoints: {report.checkpoints} with valid signatures, "
                          "every checkpointed head present.")
        if report.legacy:
            self.stdout.write(f"Legacy: the first {report.legacy} event(s) predate the audit "
                              "keys (plain SHA-256, not keyed).")
