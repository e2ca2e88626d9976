"""Errors a service raises; each carries messages a person can act on."""

from django.core.exceptions import PermissionDenied


class RuleViolation(Exception):
    """A business rule refuses the action; ``problems`` says every reason in plain words."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class NotAllowed(PermissionDenied):
    """The actor has no right to do this (wrong agency, province, role or object)."""
