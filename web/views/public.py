"""The public record (no sign-in): recognitions, revocations and postings of each province,
and the audit chain's published heads.

The pages read no session and show nothing of the reader, so what they show is cached for
everyone alike: the key holds the trail's head (any change to the data records an event,
so a new head means fresh figures) and the language."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from audit.models import AuditEvent, PublishedHead
from dossiers.models import Province
from dossiers.public import province_record, published_decision

CACHE_SECONDS = 300
HEADS_SHOWN = 31


def _cached(name: str, build: Any) -> Any:
    head = AuditEvent.objects.order_by("-seq").values_list("hash", flat=True).first() or "-"
    key = f"public:{name}:{get_language()}:{head}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _public(view: Any) -> Any:
    return require_GET(cache_control(max_age=CACHE_SECONDS)(
        vary_on_headers("Accept-Language", "Cookie")(view)))


@_public
def public_index(request: HttpRequest) -> HttpResponse:
    data = _cached("index", lambda: {
        "provinces": list(Province.objects.order_by("name").values("code", "name")),
        "heads": list(PublishedHead.objects.order_by("-day").values(
            "day", "seq", "hash")[:HEADS_SHOWN])})
    return render(request, "public/index.html", data)


@_public
def public_province(request: HttpRequest, code: str) -> HttpResponse:
    province = get_object_or_404(Province, code=code)
    data = _cached(f"province:{province.pk}:{province.publish_decisions:d}",
                   lambda: province_record(province))
    return render(request, "public/province.html", data)


@_public
def public_decision_file(request: HttpRequest, code: str, decision_id: int) -> HttpResponse:
    province = get_object_or_404(Province, code=code)
    decision = published_decision(province, decision_id)
    if decision is None:
        raise Http404
    return FileResponse(decision.file.open("rb"), as_attachment=False,
                        filename=f"quyet-dinh-{decision.pk}.pdf"
                        if decision.content_type == "application/pdf" else decision.original_name,
                        content_type=decision.content_type)
