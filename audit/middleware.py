"""Tags every request with an id, so audit events can name the request they came from."""

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .trail import request_context


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        with request_context(request_id, request.method or "", request.path,
                             request.META.get("REMOTE_ADDR") or None):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
