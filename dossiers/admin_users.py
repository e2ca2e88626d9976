"""People and groups in the admin, through the audited services.

Every change of an account (making someone an administrator, deactivating, the groups and
permissions it holds, its password) is an audit event with before and after. Agencies'
groups are not offered: a person enters or leaves one only through a membership
(``dossiers.services.agencies``), and an agency's group itself is read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .services.admin_changes import admin_delete, admin_password_set, admin_save, m2m_names

User = get_user_model()
USER_M2M = ("groups", "user_permissions")


def _agency_groups() -> Any:
    return Group.objects.filter(agency__isnull=False)


class AgencyGroupsKept:
    """The groups field offers only groups that are not an agency's; the person's agency
    groups are kept as they are (memberships decide them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].queryset = Group.objects.filter(agency__isnull=True)
            if self.instance.pk:
                self.initial["groups"] = list(self.instance.groups.filter(agency__isnull=True))
            self.fields["groups"].help_text = _(
                "Agencies' groups are not listed: a person joins or leaves an agency through "
                "a membership.")

    def clean_groups(self) -> Any:
        chosen = self.cleaned_data["groups"]
        kept = _agency_groups().filter(user=self.instance) if self.instance.pk else \
            Group.objects.none()
        return Group.objects.filter(pk__in=[g.pk for g in chosen] + [g.pk for g in kept])


class AuditedUserAdmin(UserAdmin):
    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (AgencyGroupsKept, form), {})

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """The password set in the admin: audited (that it changed, never what it is)."""
        with transaction.atomic():
            person = self.get_object(request, unquote(id))
            before = person.password if person else None
            response = super().user_change_password(request, id, form_url)
            if person is not None:
                person.refresh_from_db()
                if person.password != before:
                    admin_password_set(actor=request.user, person=person)
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # saved with its groups and permissions in save_related, as one audited change

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj = form.instance
        old = User.objects.filter(pk=obj.pk).first() if obj.pk else None

        def save() -> None:
            super(AuditedUserAdmin, self).save_model(request, obj, form, change)
            super(AuditedUserAdmin, self).save_related(request, form, formsets, change)

        admin_save(actor=request.user, obj=obj, save=save,
                   extra_before=m2m_names(old, USER_M2M) if old else None,
                   extra_after=lambda: m2m_names(obj, USER_M2M))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_delete(actor=request.user, obj=obj,
                     delete=lambda: super(AuditedUserAdmin, self).delete_model(request, obj))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class AuditedGroupAdmin(GroupAdmin):
    """Groups other than agencies' are edited here, audited with their permissions."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and hasattr(obj, "agency"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and hasattr(obj, "agency"):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # saved with its permissions in save_related, as one audited change

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj = form.instance
        old = Group.objects.filter(pk=obj.pk).first() if obj.pk else None

        def save() -> None:
            obj.save()
            super(AuditedGroupAdmin, self).save_related(request, form, formsets, change)

        admin_save(actor=request.user, obj=obj, save=save,
                   extra_before=m2m_names(old, ("permissions",)) if old else None,
                   extra_after=lambda: m2m_names(obj, ("permissions",)))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_delete(actor=request.user, obj=obj, delete=obj.delete)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


for model, model_admin in ((User, AuditedUserAdmin), (Group, AuditedGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
