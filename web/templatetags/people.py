"""People as officials read them: by full name, never by login."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """A user's full name (the login only when no name was recorded); a dash for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def actor(event: Any) -> str:
    """Who wrote an audit event: the person's current full name (select_related("actor")
    in the view), else the login the event recorded; the system's own work says so."""
    if event.actor_id is None:
        return _("the system")
    if event.actor is not None and event.actor.get_full_name():
        return event.actor.get_full_name()
    return event.actor_name
