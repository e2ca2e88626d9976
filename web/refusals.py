"""What every page does with a service's refusal."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from dossiers.exceptions import NotAllowed, RuleViolation


@contextmanager
def refusals_shown(request: HttpRequest) -> Iterator[None]:
    """A service's refusal: not allowed → 403 page; a broken rule → its reasons shown."""
    try:
        yield
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except RuleViolation as exc:
        for problem in exc.problems:
            messages.error(request, problem)
