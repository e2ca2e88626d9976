from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import ChainBroken, checkpoint_create, checkpoint_text


class Command(BaseCommand):
    help = ("Verify the audit chain, sign its head (Ed25519) as a checkpoint, store it and "
            "e-mail it to the auditors (NTM_AUDIT_CHECKPOINT_RECIPIENTS). Beat does the same "
            "every six hours.")

    def handle(self, *args, **options):
        try:
            checkpoint = checkpoint_create()
        except ChainBroken as exc:
            raise CommandError(f"Not signed: audit chain broken at event "
                               f"#{exc.report.first_bad_seq}: {exc.report.problem}.") from None
        if checkpoint is None:
            self.stdout.write("The audit trail is empty: nothing to sign.")
            return
        self.stdout.write(checkpoint_text(checkpoint))
