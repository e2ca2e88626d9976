"""People appear by their full names in the pages, never by their logins."""

from django.urls import reverse

from audit.models import AuditEvent


def test_history_and_audit_show_full_names(client, kit, journey):
    journey.self_assess()
    officer = journey.commune_officer
    assert officer.get_full_name() != officer.username
    event = AuditEvent.objects.filter(actor=officer).latest("seq")
    assert event.actor_name == officer.username  # what the chain recorded

    client.force_login(officer)
    page = client.get(reverse("dossier", args=[journey.dossier.pk])).content.decode()
    assert f"<td>{officer.get_full_name()} (" in page
    assert f"<td>{officer.username} (" not in page

    client.force_login(kit.account("thanh_tra"))
    story = client.get(reverse("audit:dossier", args=[journey.dossier.pk])).content.decode()
    assert f'<div class="muted">{officer.get_full_name()} (' in story
    assert f'<div class="muted">{officer.username} (' not in story
    detail = client.get(reverse("audit:detail", args=[event.pk])).content.decode()
    assert f"<td>{officer.get_full_name()}</td>" in detail
