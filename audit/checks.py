"""Deployment checks (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("ntm", deploy=True)
def admins_are_told(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Server errors and the nightly verification's alert of a broken chain are e-mailed to
    ADMINS: with nobody there, they go nowhere."""
    if settings.ADMINS:
        return []
    return [Warning("ADMINS is empty: server errors and a broken audit chain alert no one.",
                    hint="Set DJANGO_ADMINS, e.g. 'Ops <ops@example.gov.vn>'.",
                    id="audit.W001")]
