"""Administration: admin edits and set-up changes are audited; legal records are read-only."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import BatchDeadline, Indicator
from dossiers.services.setup import batch_deadline_set


def test_deadline_change_is_audited_with_before_after_and_reason(kit):
    coordinator = kit.users["vpdp"]
    batch_deadline_set(actor=coordinator, batch=kit.batch, step="department_appraisal",
                       due_on=dt.date(2026, 8, 20), reason="Lùi hạn do bão")
    event = AuditEvent.objects.filter(action="batch.deadline_set").order_by("-seq").first()
    assert event.actor == coordinator
    assert event.agency_id == kit.agencies["coordination"].pk
    assert event.before == {"due_on": "2026-08-10"}
    assert event.after == {"step": "department_appraisal", "due_on": "2026-08-20"}
    assert event.reason == "Lùi hạn do bão"
    assert event.province_id == kit.province.pk
    assert BatchDeadline.objects.get(batch=kit.batch, step="department_appraisal").due_on == \
        dt.date(2026, 8, 20)


def test_deadline_change_refusals(kit, other_kit):
    with pytest.raises(RuleViolation, match="Say why"):
        batch_deadline_set(actor=kit.users["vpdp"], batch=kit.batch,
                           step="department_appraisal", due_on=dt.date(2026, 9, 1), reason="")
    with pytest.raises(NotAllowed):
        batch_deadline_set(actor=other_kit.users["na_vpdp"], batch=kit.batch,
                           step="department_appraisal", due_on=dt.date(2026, 9, 1), reason="x")
    with pytest.raises(NotAllowed):
        batch_deadline_set(actor=kit.users["so_xd"], batch=kit.batch,
                           step="department_appraisal", due_on=dt.date(2026, 9, 1), reason="x")


def test_admin_edit_of_the_catalogue_is_audited(kit, client):
    client.force_login(kit.admin)
    indicator = Indicator.objects.filter(criterion__criteria_set__code="QD318-2022-NTM-XA",
                                         code="3.1").get()
    url = reverse("admin:dossiers_indicator_change", args=[indicator.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in page.context["inline_admin_formsets"]:  # its structured thresholds
        formset = inline.formset
        data.update({formset.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for row in formset.forms:
            data.update({row.add_prefix(name): row[name].value() for name in row.fields})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["threshold"] = '"≥85%"'
    data["retired"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    indicator.refresh_from_db()
    assert indicator.threshold == "≥85%"
    event = AuditEvent.objects.filter(action="admin.change").order_by("-seq").first()
    assert event.actor == kit.admin and event.object_id == str(indicator.pk)
    assert event.before["threshold"] == "≥80%" and event.after["threshold"] == "≥85%"


def test_legal_records_and_the_trail_are_read_only_in_the_admin(journey, client):
    client.force_login(journey.kit.admin)
    dossier_url = reverse("admin:dossiers_dossier_change", args=[journey.dossier.pk])
    assert client.get(dossier_url).status_code == 200
    assert client.post(dossier_url, {}).status_code == 403
    event = AuditEvent.objects.first()
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    for name in ("dossiers_criteriaset", "dossiers_criterion", "dossiers_responsibility",
                 "dossiers_regulationprofile", "dossiers_agency", "audit_auditevent"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
