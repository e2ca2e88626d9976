"""The audit review workspace: own province only, exact filters, side-by-side values,
a dossier's story, and exports that open with the chain's verification result."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from dossiers.models import Dossier
from tests.conftest import PASSWORD, queries_of
from web.views.audit import PAGE_SIZE


@pytest.fixture
def two_provinces(journey, other_kit):
    """Events in both provinces: a dossier of each, somewhat advanced."""
    from demo.journey import Journey

    journey.self_assess()
    journey.post()
    other = Journey.register(other_kit, other_kit.communes[0], "NTM")
    other.self_assess()
    return journey, other


def seqs(events):
    return [e.seq for e in events]


def listed(response):
    return [event.seq for event, _label in response.context["rows"]]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_auditor_sees_only_their_province(client, two_provinces, kit):
    here, there = two_provinces
    login(client, kit.users["thanh_tra"])
    response = client.get(reverse("audit:list"), {"page": 1})
    assert response.status_code == 200
    visible = AuditEvent.objects.filter(province_id=kit.province.pk).order_by("seq")
    assert response.context["page"].paginator.count == visible.count()
    assert listed(response) == seqs(visible[:PAGE_SIZE])
    foreign = AuditEvent.objects.filter(dossier_id=there.dossier.pk).first()
    assert client.get(reverse("audit:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("audit:dossier", args=[there.dossier.pk])).status_code == 404


def test_other_roles_cannot_review(client, two_provinces, kit):
    for name in ("so_xd", "ubnd_42001", "hoi_dong_1", "chu_tich"):
        login(client, kit.users[name])
        assert client.get(reverse("audit:list")).status_code == 403
        assert client.get(reverse("audit:export_csv")).status_code == 403
    client.logout()
    assert client.get(reverse("audit:list")).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("case", ["dossier", "commune", "agency", "actor", "action", "dates"])
def test_filters_return_exactly_the_matching_events(client, two_provinces, kit, case):
    here, _there = two_provinces
    login(client, kit.users["vpdp"])
    mine = AuditEvent.objects.filter(province_id=kit.province.pk).order_by("seq")
    commune_agency = kit.commune_agency(here.commune, "commune_committee")
    params, expected = {
        "dossier": ({"dossier": here.dossier.pk}, mine.filter(dossier_id=here.dossier.pk)),
        "commune": ({"commune": here.commune.pk}, mine.filter(dossier_id=here.dossier.pk)),
        "agency": ({"agency": commune_agency.pk}, mine.filter(agency_id=commune_agency.pk)),
        "actor": ({"actor": here.commune_officer.username},
                  mine.filter(actor=here.commune_officer)),
        "action": ({"action": "self_assessment.set"}, mine.filter(action="self_assessment.set")),
        "dates": ({"date_from": timezone.localdate().strftime("%d/%m/%Y"),
                   "date_to": timezone.localdate().strftime("%d/%m/%Y")}, mine),
    }[case]
    assert expected.exists()
    response = client.get(reverse("audit:list"), params)
    assert response.context["form"].is_valid(), response.context["form"].errors
    assert response.context["page"].paginator.count == expected.count()
    assert listed(response) == seqs(expected[:PAGE_SIZE])
    export = client.get(reverse("audit:export_csv"), params)
    assert csv_seqs(export) == seqs(expected)


def test_a_date_range_outside_the_events_and_a_bad_range(client, two_provinces, kit):
    login(client, kit.users["vpdp"])
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.get(reverse("audit:list"), {"date_to": yesterday})
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("audit:list"), {"date_from": "02/01/2026",
                                                  "date_to": "01/01/2026"})
    assert response.context["page"].paginator.count == 0
    assert response.context["form"].errors == {"__all__": ["Ngày bắt đầu sau ngày kết thúc."]}
    assert response.content.decode().count("Ngày bắt đầu sau ngày kết thúc.") == 1
    response = client.get(reverse("audit:list"), {"date_from": "2026-13-45"})
    assert response.status_code == 200 and response.context["form"].errors


def test_event_shows_before_and_after_side_by_side(client, journey, kit):
    journey.self_assess()
    journey.post()
    event = AuditEvent.objects.get(action="dossier.publish_for_comments")
    login(client, kit.users["thanh_tra"])
    response = client.get(reverse("audit:detail", args=[event.pk]))
    assert response.status_code == 200
    lines = {line.key: (line.label, line.before, line.after, line.changed)
             for line in response.context["lines"]}
    assert lines["status"] == ("trạng thái", "tự đánh giá", "công khai, lấy ý kiến", True)
    assert lines["round"] == ("vòng", "1", "1", False)
    started = journey.dossier.posting_started_on.strftime("%d/%m/%Y")
    assert lines["posting_started_on"] == ("ngày bắt đầu công khai", "—", started, True)
    page = response.content.decode()
    # People read labels and values; the stored form is folded away below them.
    assert "<td>Trạng thái</td><td>tự đánh giá</td><td>công khai, lấy ý kiến</td>" in page
    assert page.index("công khai, lấy ý kiến") < page.index("<details") < page.index(event.hash)
    assert "dossiers.dossier" not in page[:page.index("<details")]


def test_dossier_story_is_complete_and_in_order(client, journey, kit):
    journey.self_assess()
    journey.post()
    login(client, kit.users["thanh_tra"])
    response = client.get(reverse("audit:dossier", args=[journey.dossier.pk]))
    assert response.status_code == 200
    shown = [event.seq for event, _label, _lines in response.context["rows"]]
    assert shown == seqs(AuditEvent.objects.filter(dossier_id=journey.dossier.pk).order_by("seq"))
    assert shown == sorted(shown)
    assert response.context["rows"][0][0].action == "dossier.register"


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def data_rows(rows):
    """The rows after the preamble and the header: those that start with an event number."""
    start = next((i for i, row in enumerate(rows) if row and str(row[0]).isdigit()), len(rows))
    return rows[start:]


def csv_seqs(response):
    return [int(row[0]) for row in data_rows(csv_rows(response))]


def test_csv_export_opens_with_the_verification(client, journey, kit):
    journey.self_assess()
    login(client, kit.users["thanh_tra"])
    response = client.get(reverse("audit:export_csv"), {"dossier": journey.dossier.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    total = AuditEvent.objects.count()
    assert rows[0] == ["Chuỗi nhật ký nguyên vẹn", f"Đã xác minh chuỗi nhật ký kiểm tra: {total} sự kiện, "
                       "không có sự kiện nào bị sửa đổi, xóa hoặc thay đổi thứ tự."]
    assert [int(r[0]) for r in data_rows(rows)] == seqs(AuditEvent.objects.filter(
        dossier_id=journey.dossier.pk).order_by("seq"))


def test_xlsx_export_matches_the_filter(client, journey, kit):
    journey.self_assess()
    login(client, kit.users["thanh_tra"])
    response = client.get(reverse("audit:export_xlsx"), {"action": "self_assessment.set"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Chuỗi nhật ký nguyên vẹn"
    data = data_rows(rows)
    expected = AuditEvent.objects.filter(action="self_assessment.set").order_by("seq")
    assert [r[0] for r in data] == seqs(expected)
    assert all(r[5] == "self_assessment.set" for r in data)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses the DELETE")
def test_export_reports_a_broken_chain(client, journey, kit):
    journey.self_assess()
    victim = AuditEvent.objects.filter(action="self_assessment.set").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ntm_workflow_auditevent WHERE id = %s", [victim.pk])
    login(client, kit.users["thanh_tra"])
    rows = csv_rows(client.get(reverse("audit:export_csv")))
    assert rows[0][0] == "Chuỗi nhật ký BỊ PHÁ VỠ" and f"#{victim.seq + 1}" in rows[0][1]


def test_list_runs_the_same_queries_for_more_events(client, journey, kit):
    login(client, kit.users["thanh_tra"])
    url = reverse("audit:list")
    # The dossier's events: fewer than a page, then more of them (still under a page).
    params = {"dossier": journey.dossier.pk}
    client.get(url, params)  # warm caches (content types, session)
    few, response = queries_of(lambda: client.get(url, params))
    before = len(response.context["rows"])
    journey.self_assess()
    journey.post()
    many, response = queries_of(lambda: client.get(url, params))
    after = len(response.context["rows"])
    assert after == AuditEvent.objects.filter(dossier_id=journey.dossier.pk).count() < PAGE_SIZE
    assert after - before == 11  # ten self-assessment lines and the publication
    assert many == few


def test_nobody_can_change_the_trail_through_the_pages(client, journey, kit):
    login(client, kit.users["thanh_tra"])
    event = AuditEvent.objects.first()
    before = (event.hash, AuditEvent.objects.count())
    for url in (reverse("audit:list"), reverse("audit:detail", args=[event.pk]),
                reverse("audit:export_csv")):
        assert client.post(url, {"reason": "x"}).status_code == 405
    event.refresh_from_db()
    assert (event.hash, AuditEvent.objects.count()) == before


def test_logins_and_failed_logins_are_recorded(client, kit):
    """A failed sign-in is kept by django-axes, outside the chained trail (whose lock anyone
    guessing passwords would otherwise take); a successful one is in the trail."""
    from axes.models import AccessAttempt, AccessFailureLog

    officer = kit.users["vpdp"]
    events = AuditEvent.objects.count()
    response = client.post(reverse("login"), {"username": "vpdp", "password": "wrong"},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == events
    failed = AccessFailureLog.objects.get()
    assert (failed.username, failed.ip_address, failed.path_info) == (
        "vpdp", "10.1.2.3", reverse("login"))
    assert AccessAttempt.objects.get().failures_since_start == 1
    response = client.post(reverse("login"), {"username": "vpdp", "password": PASSWORD},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    login_event = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert login_event.actor == officer and login_event.agency_id == kit.agencies["coordination"].pk
    assert login_event.request_id
    assert login_event.remote_addr == "10.1.2.3"
    # A success resets the count of that username and address.
    assert not AccessAttempt.objects.exists()


def test_pages_are_in_vietnamese_by_default(client, kit):
    login(client, kit.users["thanh_tra"])
    page = client.get(reverse("audit:list")).content.decode()
    assert 'lang="vi"' in page
    assert Dossier  # the page renders with the project's own stylesheet
    assert "/static/css/app.css" in page


def test_events_are_described_in_words_with_names_not_ids(journey, kit):
    from django.utils import translation

    from dossiers.audit_describe import describe_events

    journey.self_assess()
    grant = AuditEvent.objects.filter(action="permission.grant").first()
    member = AuditEvent.objects.filter(action="agency.member_add").first()
    register = AuditEvent.objects.get(action="dossier.register", dossier_id=journey.dossier.pk)
    with translation.override("vi"):
        described = describe_events([grant, member, register])
    grant_lines = {line.key: line.after for line in described[grant.pk]}
    agency = kit.province.agencies.get(group_id=grant.after["group"])
    assert grant_lines["group"] == agency.name  # not "group 76"
    member_lines = {line.key: line.after for line in described[member.pk]}
    user = get_user_model().objects.get(pk=member.after["user"])
    assert member_lines["user"] == (user.get_full_name() or user.username)
    assert member_lines["is_head"] == "Không"
    register_lines = {line.label: line.after for line in described[register.pk]}
    with translation.override("vi"):
        assert register_lines["xã"] == str(journey.dossier.commune)
        assert register_lines["đợt"] == str(journey.dossier.batch)


def test_describing_a_page_of_events_costs_the_same_queries_for_more_events(journey):
    from dossiers.audit_describe import describe_events

    journey.self_assess()
    events = list(AuditEvent.objects.filter(action="self_assessment.set").order_by("seq"))
    assert len(events) >= 10
    few, _ = queries_of(lambda: describe_events(events[:2]))
    many, described = queries_of(lambda: describe_events(events))
    assert many == few
    assert len(described) == len(events)


def test_xlsx_export_has_widths_a_frozen_header_and_changes_in_words(client, journey, kit):
    journey.self_assess()
    login(client, kit.users["thanh_tra"])
    response = client.get(reverse("audit:export_xlsx"), {"action": "self_assessment.set"},
                          HTTP_ACCEPT_LANGUAGE="vi")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header_row = next(i for i, row in enumerate(rows, start=1) if row[0] == "STT")
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.column_dimensions["I"].width == 48
    assert sheet.cell(header_row, 1).font.bold
    header = rows[header_row - 1]
    assert header[9] == "Thay đổi" and header[6] == "Loại đối tượng"
    first = data_rows(rows)[0]
    assert first[6] == "tự đánh giá"
    assert "giá trị: " in first[9] and "{" not in first[9]
