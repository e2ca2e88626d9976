"""Tags every request with an id, so audit events can name the request they came from."""

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .trail import request_context

# A request id from the client (a proxy's, or a calling system's) is kept only in this
# strict form: 8 to 64 letters, digits, '-' or '_' (a UUID, hex or a proxy's token).
# Anything else is replaced by a fresh id, so no client writes free text into the trail.
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    if REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``NTM_PROXY_COUNT`` trusted reverse
    proxies the address that the outermost of them put into X-Forwarded-For. Used for the
    audit trail and for django-axes' per-address limit."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "NTM_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in
                     request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        with request_context(request_id, request.method or "", request.path,
                             client_address(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
