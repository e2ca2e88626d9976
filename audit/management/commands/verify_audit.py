from django.core.management.base import BaseCommand, CommandError

from audit.chain import NATIONAL, chain_label, verify_chain
from audit.models import AuditCheckpoint, AuditEvent
from audit.publication import parse_head


class Command(BaseCommand):
    help = ("Check the whole audit trail: every checkpoint's signature, then every chain (one "
            "per province and the national one): every event's keyed hash and link in order, "
            "and that no checkpointed head has vanished. Exit non-zero when a chain is broken, "
            "naming the problem of each broken chain: deleted events, an edited event, a "
            "changed primary key, reordered events, a re-chained segment, a forged append, a "
            "cut tail, a forged checkpoint. --expect-overall checks an overall head kept "
            "outside the server (from a checkpoint e-mail); --expect-seq/--expect-hash (with "
            "--chain) one chain's head; --published-head SEQ:HASH a head from the public page.")

    def add_arguments(self, parser):
        parser.add_argument("--expect-overall", help="an overall head from a checkpoint e-mail")
        parser.add_argument("--chain", type=int, default=NATIONAL,
                            help="the chain of --expect-seq: a province's id (default 0, national)")
        parser.add_argument("--expect-seq", type=int, help="an event number recorded earlier")
        parser.add_argument("--expect-hash", help="the hash recorded with it")
        parser.add_argument("--published-head", metavar="SEQ:HASH",
                            help="a head published on the public page (same check)")

    def handle(self, *args, expect_overall=None, chain=NATIONAL, expect_seq=None,
               expect_hash=None, published_head=None, **options):
        if published_head is not None:
            if expect_seq is not None or expect_hash is not None or expect_overall is not None:
                raise CommandError("--published-head replaces --expect-seq/--expect-hash and "
                                   "--expect-overall.")
            try:
                events, digest = parse_head(published_head)
            except ValueError:
                raise CommandError("--published-head takes SEQ:HASH, e.g. 42:<64 hex digits>, "
                                   "as the public page shows it.") from None
            # A head published before the chains were partitioned is an event of the national
            # chain; since then it is a checkpoint's overall head (SEQ: the events it covers).
            if AuditEvent.objects.filter(chain=NATIONAL, seq=events, hash=digest).exists():
                expect_seq, expect_hash, chain = events, digest, NATIONAL
            else:
                expect_overall = digest
        report = verify_chain()
        if not report.ok:
            raise CommandError("\n".join(
                f"Audit chain broken at event #{broken.first_bad_seq}: {broken.problem}. "
                f"In {broken.where}, {broken.count} event(s) before it are intact."
                for broken in report.broken or [report]))
        if (expect_seq is None) != (expect_hash is None):
            raise CommandError("--expect-seq and --expect-hash go together.")
        if expect_seq is not None:
            anchor = AuditEvent.objects.filter(chain=chain, seq=expect_seq).values_list(
                "hash", flat=True).first()
            if anchor is None:
                raise CommandError(f"Event #{expect_seq} of {chain_label(chain)} recorded earlier "
                                   "is missing: events were removed from the end of the chain "
                                   f"({report.count} left in the trail).")
            if anchor != expect_hash:
                raise CommandError(f"Event #{expect_seq} of {chain_label(chain)} does not have "
                                   "the hash recorded earlier.")
        if expect_overall is not None and not AuditCheckpoint.objects.filter(
                overall=expect_overall).exists():
            # verify_chain() found every stored checkpoint's heads in their chains: only a
            # checkpoint removed from the database is missing.
            raise CommandError("The checkpoint with this overall head is no longer stored: it "
                               "was removed, and the chains may have been cut below it.")
        self.stdout.write(f"OK: {report.count} audit event(s) in {len(report.heads)} chain(s), "
                          "every chain intact.")
        for key, (seq, digest) in sorted(report.heads.items()):
            self.stdout.write(f"Head of {chain_label(key)}: --chain {key} --expect-seq {seq} "
                              f"--expect-hash {digest}")
        self.stdout.write(f"Checkpoints: {report.checkpoints} with valid signatures, "
                          "every checkpointed head present.")
        if report.legacy:
            self.stdout.write(f"Legacy: the first {report.legacy} event(s) of the national "
                              "chain predate the audit keys (plain SHA-256, not keyed).")
