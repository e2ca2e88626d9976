"""Sign-in limits (django-axes)."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.http import HttpRequest
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before any password is compared: a locked-out username or address
    is refused. Every sign-in through a page, the admin or the API's forms carries its
    request; an authentication without one (a shell, the test client's ``login``) is no
    attempt from the network and is left to the other backends."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response: Any = None,
                     credentials: Any = None) -> Any:
    """The page shown to a locked-out sign-in (HTTP 429), in the reader's language."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(request, "registration/locked_out.html",
                  {"failure_limit": get_failure_limit(request, credentials),
                   "cooloff_minutes": minutes}, status=429)
