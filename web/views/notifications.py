from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dossiers.exceptions import NotAllowed
from dossiers.models import Agency, Step
from notifications import events, services
from notifications.models import BouncedAddress, CalendarFeed, ReminderEmail

from ..refusals import refusals_shown
from ..scoping import in_own_provinces


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = request.user.notifications.all()[:100]
    feeds = CalendarFeed.objects.filter(revoked_at__isnull=True).filter(
        user=request.user) | CalendarFeed.objects.filter(
        revoked_at__isnull=True, agency__memberships__user=request.user)
    return render(request, "notifications/list.html", {
        "preference": events.preference_of(request.user),
        "languages": settings.LANGUAGES,
        "items": items, "feeds": feeds.select_related("agency").distinct(),
        "agencies": Agency.objects.filter(memberships__user=request.user),
        "base_url": settings.NTM_BASE_URL.rstrip("/"),
    })


@require_POST
@login_required
def preference(request: HttpRequest) -> HttpResponse:
    """The person's own choice: e-mails about events, and their language."""
    with refusals_shown(request):
        events.preference_set(actor=request.user,
                              email_on_events=request.POST.get("email_on_events") == "yes",
                              language=request.POST.get("language", "")[:8])
        messages.success(request, _("Your notification preference was saved."))
    return redirect("notifications:list")


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("notifications:list")


@require_POST
@login_required
def feed_create(request: HttpRequest) -> HttpResponse:
    agency = None
    if request.POST.get("agency"):
        agency = get_object_or_404(in_own_provinces(request.user, Agency.objects.all()),
                                   pk=request.POST["agency"])
    with refusals_shown(request):
        services.calendar_feed_create(actor=request.user, agency=agency)
        messages.success(request, _("A private calendar link was created."))
    return redirect("notifications:list")


@require_POST
@login_required
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's calendar is answered like an absent one.
    mine = CalendarFeed.objects.filter(Q(user=request.user)
                                       | Q(agency__memberships__user=request.user))
    feed = get_object_or_404(mine.distinct(), pk=pk)
    with refusals_shown(request):
        services.calendar_feed_revoke(actor=request.user, feed=feed)
        messages.success(request, _("The calendar link was revoked; it no longer works."))
    return redirect("notifications:list")


def _ics_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """iCalendar of the due dates; the unguessable token is the only credential."""
    feed = CalendarFeed.objects.filter(token=token, revoked_at__isnull=True).select_related(
        "user", "agency").first()
    if feed is None:
        raise Http404
    base = settings.NTM_BASE_URL.rstrip("/")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//NTM//Recognition deadlines//VI",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_ics_text(_('NTM due dates'))}",
             "X-WR-TIMEZONE:Asia/Ho_Chi_Minh"]
    for deadline in services.feed_deadlines(feed):
        summary = f"{Step(deadline.step).label}: {deadline.dossier.commune}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:task-{deadline.task.pk}@ntm",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{deadline.due_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{deadline.due_on + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(str(deadline.dossier))}",
            f"URL:{base}{reverse('dossier', args=[deadline.dossier.pk])}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ntm.ics"'
    return response


@require_GET
@login_required
def delivery(request: HttpRequest) -> HttpResponse:
    """For the coordination office: e-mails that failed and addresses that bounce."""
    try:
        province = services.province_of_coordinator(request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    failed = ReminderEmail.objects.filter(province=province, status=ReminderEmail.Status.FAILED)
    troubled = ReminderEmail.objects.filter(province=province,
                                            delivery_status__in=services.BAD_EVENTS)
    addresses = set(ReminderEmail.objects.filter(province=province).values_list(
        "to_address", flat=True))
    return render(request, "notifications/delivery.html", {
        "failed": failed.select_related("recipient")[:200],
        "troubled": troubled.select_related("recipient")[:200],
        "bounced": BouncedAddress.objects.filter(address__in={a.lower() for a in addresses}),
    })
