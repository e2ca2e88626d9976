from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditCheckpoint, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is read-only everywhere: no add, change or delete, even for superusers."""

    list_display = ("chain", "seq", "at", "actor_name", "agency_name", "action", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_name", "agency_name", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(admin.ModelAdmin):
    """Signed chain heads: read-only, like the events."""

    list_display = ("at", "chain", "seq", "key_id", "hash", "overall")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
