"""What every page does with a service's refusal."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from dossiers.exceptions import NotAllowed, RuleViolation

logger = logging.getLogger(__name__)


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
    except ValidationError as exc:  # a model's own validation (full_clean) in a service
        for problem in exc.messages:
            messages.error(request, problem)
    except DataError:
        # The last net: forms and services check every column first.
        logger.exception("value refused by the database")
        messages.error(request, _("A value does not fit what can be stored: check lengths "
                                  "and numbers."))
