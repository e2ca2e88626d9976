"""Secure defaults, sign-in and API abuse, and no side doors (issue 12 items 3, 4, 7)."""

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from audit import trail
from audit.models import AuditEvent
from dossiers.exceptions import RuleViolation
from dossiers.models import CouncilMeeting, DossierDocument, DossierStatus
from dossiers.services import assessment
from dossiers.services.agencies import agency_remove_member, agency_set_active
from notifications.models import BouncedAddress, Notification, ReminderEmail
from tests.conftest import PASSWORD

ROOT = Path(settings.BASE_DIR)

# The production settings the README documents (section "Production").
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "ntm.example.gov.vn",
    "DJANGO_ADMINS": "Quản trị <ops@example.gov.vn>",
    "DJANGO_SERVER_EMAIL": "ntm@example.gov.vn",
    # The audit keys (docs/AUDIT_KEYS.md): an HMAC key and an Ed25519 seed, in hexadecimal.
    "NTM_AUDIT_HMAC_KEYS": f"k1:{secrets.token_hex(32)}",
    "NTM_AUDIT_SIGNING_KEY": secrets.token_hex(32),
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with only the given settings (nothing of the test
    settings, nor DJANGO_DEBUG, leaks in)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "NTM_", "DATABASE_URL", "CELERY_", "ANYMAIL_"))}
    clean.update({"NTM_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "config.settings"},
                 **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=180)


# --- 3. secure by default ------------------------------------------------------------------
def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV,
                    tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_are_on_without_debug(tmp_path):
    code = ("from django.conf import settings as s; import json; print(json.dumps(["
            "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS,"
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
            "s.CSRF_COOKIE_HTTPONLY, s.ADMINS, s.ALLOWED_HOSTS]))")
    result = manage("shell", "-c", code, env=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        False, True, ["HTTP_X_FORWARDED_PROTO", "https"], 31536000, True, True, True, True,
        [["Quản trị", "ops@example.gov.vn"]], ["ntm.example.gov.vn"]]


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_refuses_to_start_without_a_key_or_hosts(tmp_path, missing):
    """The server's entry point (gunicorn loads config.wsgi) refuses to start. manage.py
    without a key is a development checkout's tool and runs with DJANGO_DEBUG=1."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "NTM_", "DATABASE_URL", "CELERY_", "ANYMAIL_"))}
    clean.update({"NTM_VAR_DIR": str(tmp_path / "var")}, **env)
    result = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=clean,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 1
    assert f"ImproperlyConfigured: {missing} must be set" in result.stderr


def test_check_deploy_warns_when_nobody_hears_of_errors(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_ADMINS"}
    result = manage("check", "--deploy", env=env, tmp_path=tmp_path)
    assert "audit.W001" in result.stderr


def test_gunicorn_config_serves_the_wsgi_application():
    namespace: dict = {}
    exec((ROOT / "config" / "gunicorn.py").read_text(), namespace)  # noqa: S102 - our file
    assert namespace["wsgi_app"] == "config.wsgi:application"
    assert namespace["bind"] == "127.0.0.1:8000"
    assert namespace["preload_app"] is True


def test_pages_carry_a_content_security_policy_without_inline_script(client, kit):
    client.force_login(kit.users["vpdp"])
    response = client.get(reverse("home"))
    policy = dict(part.strip().split(" ", 1)
                  for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "<script>" not in response.content.decode()


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or \
                re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- 4. sign-in and API abuse --------------------------------------------------------------
def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_failed_sign_ins_lock_the_username_with_a_clear_message_and_admin_unlocks(client, kit):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for n in range(limit - 1):
        assert _sign_in(client, "vpdp", f"wrong-{n}", address=f"10.0.0.{n + 1}").status_code == 200
    locked = _sign_in(client, "vpdp", "wrong-last", address="10.0.0.99")
    assert locked.status_code == 429
    # Even the right password, from yet another address, is refused while locked.
    locked = _sign_in(client, "vpdp", PASSWORD, address="10.0.1.1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert 'lang="vi"' in page and 'id="locked-out"' in page
    assert AccessFailureLog.objects.filter(username="vpdp").count() == limit + 1
    # The administrator unlocks the account.
    call_command("axes_reset_username", "vpdp")
    assert _sign_in(client, "vpdp", PASSWORD, address="10.0.1.1").status_code == 302


def test_failed_sign_ins_lock_the_address_for_every_username(client, kit):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess-{n}", "x", address="10.9.9.9")
    assert _sign_in(client, "vpdp", PASSWORD, address="10.9.9.9").status_code == 429
    assert _sign_in(client, "vpdp", PASSWORD, address="10.9.9.10").status_code == 302
    call_command("axes_reset_ip", "10.9.9.9")
    assert not AccessAttempt.objects.filter(ip_address="10.9.9.9").exists()


def test_failed_sign_ins_never_take_the_audit_chain_lock(client, kit, monkeypatch):
    events = AuditEvent.objects.count()

    def no_lock():
        raise AssertionError("a failed sign-in took the installation-wide chain lock")

    monkeypatch.setattr(trail, "lock_chain", no_lock)
    for _n in range(3):
        assert _sign_in(client, "vpdp", "wrong").status_code == 200
    assert AuditEvent.objects.count() == events
    assert AccessFailureLog.objects.filter(username="vpdp").count() == 3


def test_the_api_is_throttled(kit, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    cache.clear()
    api = APIClient()
    api.force_authenticate(kit.users["vpdp"])
    assert [api.get("/api/dossiers/").status_code for _n in range(4)] == [200, 200, 200, 429]
    # Another caller has a count of their own.
    api.force_authenticate(kit.users["thanh_tra"])
    assert api.get("/api/dossiers/").status_code == 200
    cache.clear()


# --- 7. no side doors ------------------------------------------------------------------------
def test_schema_and_docs_need_a_signed_in_user(client, kit):
    for url in ("/api/schema/", reverse("api-docs")):
        assert client.get(url).status_code == 403
    client.force_login(kit.users["vpdp"])
    for url in ("/api/schema/", reverse("api-docs")):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("given,kept", [
    ("3f2a9c1e-77b0-4f55-9d0e-1c2b3a4d5e6f", True),
    ("abcdEFGH_1234", True),
    ("short", False),
    ("x" * 65, False),
    ("id with spaces", False),
    ("id\u00a0<script>", False),
    ("'; DROP TABLE--", False),
])
def test_request_ids_from_clients_only_in_a_strict_format(client, kit, given, kept):
    client.force_login(kit.users["vpdp"])
    client.post(reverse("logout"), HTTP_X_REQUEST_ID=given)
    event = AuditEvent.objects.filter(action="auth.logout").latest("seq")
    if kept:
        assert event.request_id == given
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)


def _bounce(email_id: str) -> str:
    return json.dumps({"RecordType": "Bounce", "MessageID": email_id, "Type": "HardBounce",
                       "Email": "vpdp@example.invalid", "BouncedAt": "2026-08-03T07:05:00Z",
                       "Description": "fake", "Details": "550"})


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def test_tracking_webhook_is_off_without_a_secret(client, kit, settings):
    settings.ANYMAIL = {}
    url = "/anymail/postmark/tracking/"
    response = client.post(url, _bounce("<reminder-45@ntm.local>"),
                           content_type="application/json")
    assert response.status_code == 404
    assert not BouncedAddress.objects.exists()
    assert not Notification.objects.exists()


def test_tracking_webhook_refuses_unsigned_and_ignores_unknown_ids(client, kit, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    url = "/anymail/postmark/tracking/"
    body = _bounce("<reminder-45@ntm.local>")
    assert client.post(url, body, content_type="application/json").status_code == 400
    assert client.post(url, body, content_type="application/json",
                       HTTP_AUTHORIZATION=_basic(b"hook:guess")).status_code == 400
    # Signed, but about a message we never sent: accepted by anymail, ignored by us.
    signed = client.post(url, body, content_type="application/json",
                         HTTP_AUTHORIZATION=_basic(b"hook:secret"))
    assert signed.status_code == 200
    assert not ReminderEmail.objects.exists()
    assert not BouncedAddress.objects.exists()
    assert not Notification.objects.exists()


def test_a_meeting_does_not_open_with_unknown_people(journey, kit):
    journey.to_consolidation()
    journey.schedule()
    meeting = journey._meeting()
    api = APIClient()
    api.force_authenticate(kit.users["vpdp"])
    response = api.post(f"/api/meetings/{meeting.pk}/open/", {"present": [999999]},
                        format="json")
    assert response.status_code == 400
    assert "999999" in json.dumps(response.json())
    members = [u.pk for u in kit.council_members]
    response = api.post(f"/api/meetings/{meeting.pk}/open/", {"present": members[:3]},
                        format="json")
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert (meeting.status, meeting.present.count()) == (CouncilMeeting.Status.PLANNED, 0)
    response = api.post(f"/api/meetings/{meeting.pk}/open/", {"present": members[:4]},
                        format="json")
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert (meeting.status, meeting.present.count()) == (CouncilMeeting.Status.IN_SESSION, 4)


def test_deactivating_an_agency_removes_every_right_at_once(client, journey, kit):
    journey.to_appraisal()
    officer, agency = kit.users["so_tc"], kit.agencies["tc"]
    url = reverse("dossier", args=[journey.dossier.pk])
    api = APIClient()
    api.force_authenticate(officer)
    client.force_login(officer)
    assert client.get(url).status_code == 200
    assert [d["id"] for d in api.get("/api/dossiers/").json()["results"]] == [journey.dossier.pk]
    agency_set_active(actor=kit.admin, agency=agency, active=False, reason="merged")
    assert client.get(url).status_code == 404
    assert api.get("/api/dossiers/").json()["results"] == []
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 404
    event = AuditEvent.objects.filter(action="agency.deactivate").latest("seq")
    assert (event.object_id, event.after["active"], event.reason) == (str(agency.pk), False,
                                                                      "merged")
    agency_set_active(actor=kit.admin, agency=agency, active=True, reason="back")
    assert client.get(url).status_code == 200


def test_agency_deactivated_in_the_admin_loses_its_rights(client, journey, kit):
    journey.to_appraisal()
    officer, agency = kit.users["so_tc"], kit.agencies["tc"]
    admin = APIClient()
    admin.force_login(kit.admin)
    page = admin.get(reverse("admin:dossiers_agency_change", args=[agency.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data.pop("active", None)
    response = admin.post(reverse("admin:dossiers_agency_change", args=[agency.pk]), data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.active is False
    assert not officer.groups.filter(pk=agency.group_id).exists()
    client.force_login(officer)
    assert client.get(reverse("dossier", args=[journey.dossier.pk])).status_code == 404


def test_a_removed_or_deactivated_member_loses_every_right(client, journey, kit):
    journey.to_appraisal()
    officer = kit.users["so_tc"]
    token = Token.objects.create(user=officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 200
    client.force_login(officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 403
    response = client.get(reverse("dossier", args=[journey.dossier.pk]))
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302,
                                                                                         True)
    officer.is_active = True
    officer.save(update_fields=["is_active"])
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 200
    agency_remove_member(actor=kit.admin, agency=kit.agencies["tc"], user=officer,
                         reason="left")
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 404


def _pdf():
    from demo.files import pdf

    return pdf()


def test_documents_and_evidence_are_frozen_after_their_step(journey, kit):
    j = journey
    j.to_consolidation()
    criterion = j.dossier.criteria_set.criteria.order_by("number").first()
    documents = DossierDocument.objects.count()
    for kind in (DossierDocument.Kind.OTHER, DossierDocument.Kind.SUBMISSION_LETTER):
        with pytest.raises(RuleViolation, match="consolidation"):
            assessment.document_add(actor=j.commune_officer, dossier=j.dossier, kind=kind,
                                    upload=_pdf(), name="late.pdf")
    with pytest.raises(RuleViolation, match="returned for supplement"):
        assessment.evidence_add(actor=j.commune_officer, dossier=j.dossier,
                                criterion=criterion, upload=_pdf(), name="late.pdf")
    assert DossierDocument.objects.count() == documents


def test_a_recognised_dossier_takes_no_more_documents(journey, kit):
    j = journey
    j.to_awaiting_decision()
    j.decide()
    assert j.refresh().status == DossierStatus.RECOGNISED
    with pytest.raises(RuleViolation, match="recognised"):
        assessment.document_add(actor=j.commune_officer, dossier=j.dossier,
                                kind=DossierDocument.Kind.OTHER, upload=_pdf(), name="x.pdf")


# --- optional second factor (TOTP) ----------------------------------------------------------
def _totp(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1000000:06d}"


def test_second_factor_for_an_enrolled_chairman(client, kit):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    chairman = kit.users["chu_tich"]
    device = TOTPDevice.objects.create(user=chairman, name="phone", confirmed=True)
    # The password alone is not enough.
    response = _sign_in(client, "chu_tich", PASSWORD)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "otp_required"]
    assert "_auth_user_id" not in client.session
    # A wrong code is refused and counted like a wrong password.
    response = client.post(reverse("login"), {"username": "chu_tich", "password": PASSWORD,
                                              "otp_token": _wrong(_totp(device))},
                       REMOTE_ADDR="10.0.0.1")
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "otp_invalid"]
    assert AccessFailureLog.objects.filter(username="chu_tich").count() == 1
    # django-otp then makes the device wait before it tries another code.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert device.verify_is_allowed()[0] is False
    device.throttle_reset()
    # Password and code: signed in, and the session is verified.
    response = client.post(reverse("login"), {"username": "chu_tich", "password": PASSWORD,
                                              "otp_token": _totp(device)}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert int(client.session["_auth_user_id"]) == chairman.pk


def test_a_session_without_the_second_factor_is_signed_out(client, kit):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    chairman = kit.users["chu_tich"]
    TOTPDevice.objects.create(user=chairman, name="phone", confirmed=True)
    client.force_login(chairman)  # as the admin's own sign-in form would: no code given
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    # Without an enrolled device nothing changes for anyone.
    client.force_login(kit.users["vpdp"])
    assert client.get(reverse("home")).status_code == 200
