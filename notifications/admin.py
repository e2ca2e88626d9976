from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dossiers.admin import AuditedAdmin, ReadOnlyAdmin

from . import models as m


@admin.register(m.ReminderPolicy)
class ReminderPolicyAdmin(AuditedAdmin):
    list_display = ("province", "days_before", "overdue_every_days", "escalate_after_days")


@admin.register(m.DayOff)
class DayOffAdmin(AuditedAdmin):
    list_display = ("date", "name", "working")


class ReminderInline(admin.TabularInline):
    model = m.Reminder
    extra = 0
    fields = ("task", "point", "kind", "dossier", "step", "due_on")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.ReminderEmail)
class ReminderEmailAdmin(ReadOnlyAdmin):
    list_display = ("to_address", "sweep_at", "status", "attempts", "delivery_status", "province")
    list_filter = ("status", "delivery_status", "province")
    search_fields = ("to_address",)
    inlines = [ReminderInline]


@admin.register(m.BouncedAddress)
class BouncedAddressAdmin(ReadOnlyAdmin):
    list_display = ("address", "event", "reason", "at")


@admin.register(m.CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("user", "agency", "created_at", "revoked_at")
    exclude = ("token",)
