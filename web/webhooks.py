"""The e-mail provider's webhooks (anymail) are signed or absent.

anymail itself accepts unsigned calls (with a warning) when no ``WEBHOOK_SECRET`` is
configured; here its every webhook answers 404 until a secret is set, and then anymail
refuses any call without the right basic-auth credentials. Events about message ids that
are not ours are ignored by ``notifications.services.tracking_record``."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail import urls as anymail_urls
from anymail.utils import get_anymail_setting
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern


def webhook_secret_configured() -> bool:
    return bool(get_anymail_setting("webhook_secret", default=None, allow_bare=True))


def signed_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)  # keeps anymail's csrf_exempt: the provider signs instead
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not webhook_secret_configured():
            raise Http404("No webhook secret is configured.")
        return view(request, *args, **kwargs)

    return wrapped


def anymail_patterns() -> tuple[list[URLPattern], str]:
    patterns = [URLPattern(p.pattern, signed_only(p.callback), p.default_args, p.name)
                for p in anymail_urls.urlpatterns]
    return patterns, anymail_urls.app_name
