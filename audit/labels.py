"""What each audit action means, in the reader's language.

The actions of the process's steps are registered by the step table
(``dossiers.steps.step_labels``, at start-up); the others are listed here."""

from typing import Any

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "agency.create": _("Agency created"),
    "agency.member_add": _("Member added to an agency"),
    "agency.member_remove": _("Member removed from an agency"),
    "agency.deactivate": _("Agency deactivated"),
    "agency.activate": _("Agency reactivated"),
    "admin.add": _("Added in the administration"),
    "admin.change": _("Changed in the administration"),
    "admin.delete": _("Deleted in the administration"),
    "audit.verified": _("Audit chain verified"),
    "audit.head_published": _("Audit chain head published"),
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Failed sign-in"),
    "batch.create": _("Batch created"),
    "batch.deadline_set": _("Batch date set or changed"),
    "calendar.create": _("Calendar link created"),
    "calendar.revoke": _("Calendar link revoked"),
    "comment.record": _("Public comment recorded"),
    "commune.create_historic": _("Abolished commune kept as a historic unit"),
    "commune.merge": _("Commune linked to the commune it merged into"),
    "comment.respond": _("Public comment answered"),
    "criteria_set.load": _("Criteria set loaded"),
    "decision.revocation": _("Revocation decision recorded"),
    "decision.signature_check": _("Decision signature checked"),
    "document.add": _("Document attached"),
    "document.generate": _("Official document generated (PDF)"),
    "dossier.register": _("Dossier registered"),
    "dossier.import_historic": _("Historic recognition imported"),
    "evidence.add": _("Evidence added"),
    "evidence.withdraw": _("Evidence withdrawn"),
    "import.members": _("Users and memberships imported from a sheet"),
    "import.mapping": _("Responsibility mapping imported from a sheet"),
    "import.recognitions": _("Historic recognitions imported from a sheet"),
    "import.registrations": _("Registrations imported from a sheet"),
    "meeting.create": _("Council meeting created"),
    "meeting.open": _("Council meeting opened"),
    "meeting.close": _("Council meeting closed"),
    "permission.grant": _("Right granted"),
    "permission.remove": _("Right removed"),
    "province.import": _("Administrative units imported"),
    "regulation.publish": _("Regulation profile published"),
    "responsibility.set": _("Responsibility for a criterion set"),
    "revocation.propose": _("Revocation proposed"),
    "revocation.schedule": _("Revocation put on the council agenda"),
    "revocation.council": _("Council vote on a revocation"),
    "revocation.decide": _("Revocation decided"),
    "self_assessment.set": _("Self-assessment recorded"),
    "survey.result_set": _("Survey result logged"),
    "task.reassign": _("Task reassigned"),
    "user.create": _("Account created"),
}


def register(labels: dict[str, Any]) -> None:
    """Add the labels of actions defined above this app (the steps of the process)."""
    ACTIONS.update(labels)


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))
