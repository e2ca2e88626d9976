"""Signing in: limits on failures (django-axes), an optional second factor (django-otp)."""

from collections.abc import Callable
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


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


# --- Second factor (django-otp, TOTP) ------------------------------------------------------
# Optional, for the people whose acts weigh most (the chairman and delegates, council
# members, administrators): the administrator enrols a person's authenticator app in the
# admin ("TOTP devices": the page shows the QR code). From then on that person signs in
# with the password AND the app's six-digit code; a session that did not give the code
# (e.g. through the admin's own sign-in form) is signed out at its next request.
SECOND_FACTOR_SESSION_KEY = "ntm_second_factor"


def second_factor_device(user: Any) -> Any:
    """The person's confirmed TOTP device, if they use a second factor."""
    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class SignInForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=_("Authentication code"), required=False, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "otp_required": _("Enter the six-digit code of your authenticator app."),
        "otp_invalid": _("The authentication code is wrong or has expired."),
    }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.otp_device = None
        user = self.get_user()
        device = second_factor_device(user)
        if device is None:
            return cleaned
        token = (cleaned.get("otp_token") or "").strip()
        if not token:
            raise ValidationError(self.error_messages["otp_required"], code="otp_required")
        allowed, _extra = device.verify_is_allowed()
        if not allowed or not device.verify_token(token):
            # Counted by django-axes like a wrong password: codes cannot be guessed either.
            user_login_failed.send(sender=type(self),
                                   credentials={"username": user.get_username()},
                                   request=self.request)
            raise ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        self.otp_device = device
        return cleaned


class SignInView(LoginView):
    form_class = SignInForm

    def form_valid(self, form: SignInForm) -> HttpResponse:
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


@receiver(user_logged_in, dispatch_uid="ntm_second_factor_flag")
def remember_second_factor(sender: Any, request: HttpRequest | None, user: Any,
                           **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SECOND_FACTOR_SESSION_KEY] = second_factor_device(user) is not None


class SecondFactorMiddleware:
    """Signs out a session of a person who uses a second factor but did not give it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and \
                request.session.get(SECOND_FACTOR_SESSION_KEY) and not user.is_verified():
            logout(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
