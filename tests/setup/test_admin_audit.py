"""The admin is no second write path: every change goes through a service and is audited,
agency groups follow memberships only, a criteria set in use is never edited in place."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from dossiers.models import Criterion, Indicator, Membership, Village


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def form_data(page, **changes):
    """The admin form of ``page`` as it stands, with ``changes``."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def user_form(client, person, **changes):
    url = reverse("admin:auth_user_change", args=[person.pk])
    page = client.get(url)
    data = form_data(page, **changes)
    for name in ("password", "date_joined", "last_login"):
        data.pop(name, None)
    # The split date and time inputs, as the page renders them.
    for name in ("date_joined_0", "date_joined_1"):
        data[name] = re.search(rf'name="{name}" value="([^"]*)"', page.content.decode()).group(1)
    return url, data


def test_making_a_user_an_administrator_is_audited(kit, client):
    client.force_login(kit.admin)
    person = kit.users["so_xd"]
    url, data = user_form(client, person, is_superuser="on", is_staff="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.is_superuser, person.is_staff) == (True, True)
    event = last("admin.change")
    assert (event.actor, event.object_id) == (kit.admin, str(person.pk))
    assert (event.before["is_superuser"], event.after["is_superuser"]) == (False, True)
    assert (event.before["is_staff"], event.after["is_staff"]) == (False, True)
    assert "password" not in event.after
    # The agency group stayed: memberships decide it, not the admin form.
    agency_group = kit.agencies["xd"].group
    assert event.before["groups"] == event.after["groups"] == [agency_group.name]
    assert list(person.groups.all()) == [agency_group]


def test_an_agency_group_is_not_offered_to_a_user(kit, client):
    client.force_login(kit.admin)
    person = kit.users["so_xd"]
    other_group = kit.agencies["nn"].group
    events = AuditEvent.objects.count()
    url, data = user_form(client, person, groups=[str(other_group.pk)])
    response = client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error
    assert "groups" in response.context["adminform"].form.errors
    assert list(person.groups.all()) == [kit.agencies["xd"].group]
    assert AuditEvent.objects.count() == events
    # The agency's group itself is read-only in the group admin.
    assert client.post(reverse("admin:auth_group_change", args=[other_group.pk]),
                       {"name": "x"}).status_code == 403


def test_a_membership_made_in_the_admin_goes_through_the_service(kit, client):
    client.force_login(kit.admin)
    person = get_user_model().objects.create_user("moi", "moi@example.invalid")
    agency = kit.agencies["nn"]
    response = client.post(reverse("admin:dossiers_membership_add"), {
        "agency": agency.pk, "user": person.pk, "title": "Chuyên viên", "phone": "0912345678"})
    assert response.status_code == 302
    assert list(person.groups.all()) == [agency.group]
    event = last("agency.member_add")
    assert event.after == {"agency": agency.pk, "user": person.pk, "title": "Chuyên viên",
                           "phone": "0912345678", "is_head": False, "is_delegate": False}
    membership = Membership.objects.get(agency=agency, user=person)
    response = client.post(reverse("admin:dossiers_membership_delete", args=[membership.pk]),
                           {"post": "yes"})
    assert response.status_code == 302
    assert list(person.groups.all()) == []
    assert last("agency.member_remove").before["user"] == person.pk


def test_the_password_set_in_the_admin_is_audited(kit, client):
    client.force_login(kit.admin)
    person = kit.users["so_xd"]
    response = client.post(reverse("admin:auth_user_password_change", args=[person.pk]), {
        "password1": "Mat-khau-2026-moi", "password2": "Mat-khau-2026-moi",
        "usable_password": "true"})
    assert response.status_code == 302
    event = last("admin.password_set")
    assert (event.object_id, event.before, event.after) == (
        str(person.pk), {"password": "…"}, {"password": "changed"})


def test_inline_rows_are_audited(kit, client):
    client.force_login(kit.admin)
    commune = kit.communes[0]
    url = reverse("admin:dossiers_commune_change", args=[commune.pk])
    page = client.get(url)
    data = form_data(page)
    villages = list(commune.villages.order_by("pk"))
    formset = page.context["inline_admin_formsets"][0].formset
    prefix = formset.prefix
    data.update({f"{prefix}-TOTAL_FORMS": str(len(villages)),
                 f"{prefix}-INITIAL_FORMS": str(len(villages)),
                 f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for n, village in enumerate(villages):
        data.update({f"{prefix}-{n}-id": str(village.pk), f"{prefix}-{n}-commune": str(commune.pk),
                     f"{prefix}-{n}-name": village.name,
                     f"{prefix}-{n}-households": str(village.households)})
    data[f"{prefix}-0-households"] = "999"
    data[f"{prefix}-2-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    event = last("admin.change")
    assert (event.object_type, event.object_id) == ("dossiers.village", str(villages[0].pk))
    assert (event.before["households"], event.after["households"]) == (120, 999)
    event = last("admin.delete")
    assert (event.object_id, event.before["name"]) == (str(villages[2].pk), "Thôn 3")
    assert not Village.objects.filter(pk=villages[2].pk).exists()


def test_a_criteria_set_in_use_is_not_edited_in_place(journey, client):
    client.force_login(journey.kit.admin)
    criterion = Criterion.objects.filter(criteria_set=journey.dossier.criteria_set,
                                         number=1).get()
    url = reverse("admin:dossiers_criterion_change", args=[criterion.pk])
    page = client.get(url)
    assert page.status_code == 200
    with translation.override("vi"):  # the admin speaks Vietnamese
        assert [str(m) for m in page.context["messages"]] == [gettext(
            "Dossiers already use this criteria set: it cannot be edited in place. "
            "Publish a new version of the set instead.")]
    events = AuditEvent.objects.count()
    assert client.post(url, {"name_vi": "Đổi"}).status_code == 403
    criterion.refresh_from_db()
    assert criterion.name_vi != "Đổi"
    assert AuditEvent.objects.count() == events
    # A set no dossier uses is still edited (and audited): see tests/dossiers.
    unused = Indicator.objects.filter(criterion__criteria_set__code="QD318-2022-NTM-XA").first()
    assert client.get(reverse("admin:dossiers_indicator_change",
                              args=[unused.pk])).context["has_change_permission"] is True


def test_guardians_object_permission_screen_is_gone(kit, client):
    client.force_login(kit.admin)
    agency = kit.agencies["xd"]
    page = client.get(reverse("admin:dossiers_agency_change", args=[agency.pk]))
    assert page.status_code == 200
    assert b"/permissions/" not in page.content
    assert client.get(f"/admin/dossiers/agency/{agency.pk}/permissions/").status_code in (302, 404)
    assert Group.objects.filter(agency=agency).count() == 1
