"""The inbox: open tasks always with their due date and days left, filterable and sortable;
completed work in its own tab. The dossier list: search and filters within what the reader
may see. Dates are fixed: the province works on Monday 03/08/2026."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.journey import Journey
from dossiers.models import Level
from tests.web.test_pages import act

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 8, 3, 9, 0, tzinfo=HANOI)
# Open tables: number, dossier, step, agency, assigned to, due on, days left (in Vietnamese).
OPEN_HEADERS = ["Số hồ sơ", "Hồ sơ", "Bước", "Cơ quan, đơn vị", "Người được giao", "Hạn hoàn thành",
                "Còn lại"]


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def headers(html: str) -> list[str]:
    head = re.search(r'<table class="tasks">\s*<thead><tr>(.*?)</tr></thead>', html, re.S)
    return re.findall(r"<th>([^<]*)</th>", head.group(1))


def finish_self_assessment(client, journey, started: dt.date) -> None:
    dossier, officer = journey.dossier, journey.commune_officer
    client.force_login(officer)
    page = client.get(reverse("dossier", args=[dossier.pk]))
    lines = {}
    for row in page.context["criteria"]:
        lines.update({f"met_{row.criterion.pk}_0": "yes", f"value_{row.criterion.pk}_0": "đạt"})
    act(client, officer, dossier, "self_assessment",
        {**lines, "finish": "1", "posting_starts_on": started.strftime("%d/%m/%Y")})


def test_open_tasks_keep_due_dates_after_a_completed_task(monday, client, journey):
    finish_self_assessment(client, journey, MONDAY.date())
    page = client.get(reverse("home"))
    html = page.content.decode()
    assert headers(html) == OPEN_HEADERS
    [row] = page.context["rows"]
    assert row.deadline.task.flow_task.name == "public_posting"
    # The posting lasts 15 calendar days from Monday 03/08/2026: due Tuesday 18/08/2026.
    assert row.deadline.due_on == dt.date(2026, 8, 18)
    assert "18/08/2026" in html
    assert "còn 15 ngày" in html

    done = client.get(reverse("home") + "?tab=done")
    assert [d.task.flow_task.name for d in done.context["done"]] == ["self_assessment"]
    assert done.context["done_count"] == 1
    assert "Thời điểm hoàn thành" in done.content.decode()


def test_overdue_tasks_say_by_how_many_days_and_can_be_filtered(monday, client, journey):
    finish_self_assessment(client, journey, MONDAY.date())
    # Thursday 20/08/2026: two days after the posting's last day (18/08).
    monday.move_to(dt.datetime(2026, 8, 20, 9, 0, tzinfo=HANOI))
    client.force_login(journey.commune_officer)  # the session of 03/08 has expired
    page = client.get(reverse("home"))
    html = page.content.decode()
    assert "quá hạn 2 ngày" in html
    assert page.context["overdue_count"] == 1
    assert re.search(rf'<tr class="overdue">\s*<td>#{journey.dossier.pk}</td>', html)

    only_late = client.get(reverse("home") + "?overdue=on")
    assert [r.deadline.dossier.pk for r in only_late.context["rows"]] == [journey.dossier.pk]
    other_step = client.get(reverse("home") + "?step=survey")
    assert other_step.context["rows"] == []
    assert other_step.context["total_open"] == 1


def test_inbox_sorts_by_due_date_and_filters_by_commune(monday, client, kit, journey):
    second = Journey.register(kit, kit.communes[1], Level.NTM)
    finish_self_assessment(client, journey, dt.date(2026, 8, 3))      # due 18/08
    finish_self_assessment(client, second, dt.date(2026, 8, 3))
    # Second officer is another commune's: each commune sees only its own task.
    client.force_login(journey.commune_officer)
    page = client.get(reverse("home") + "?sort=-due")
    assert [r.deadline.dossier.pk for r in page.context["rows"]] == [journey.dossier.pk]
    nothing = client.get(reverse("home") + "?commune=" + second.commune.name)
    assert nothing.context["rows"] == []


def test_dossier_list_searches_within_what_the_reader_may_see(monday, client, kit, other_kit,
                                                              journey):
    mine = journey.dossier
    foreign = Journey.register(other_kit, other_kit.communes[0], Level.NTM).dossier
    client.force_login(kit.account("vpdp"))
    listed = client.get(reverse("dossier_list"))
    pks = [d.pk for d, _due in listed.context["rows"]]
    assert mine.pk in pks
    assert foreign.pk not in pks
    html = listed.content.decode()
    assert f">#{mine.pk}</a>" in html

    by_number = client.get(reverse("dossier_list") + f"?q=%23{mine.pk}")
    assert [d.pk for d, _ in by_number.context["rows"]] == [mine.pk]
    by_code = client.get(reverse("dossier_list") + f"?q={mine.commune.code}")
    assert [d.pk for d, _ in by_code.context["rows"]] == [mine.pk]
    by_name = client.get(reverse("dossier_list") + "?q=" + mine.commune.name[-6:])
    assert mine.pk in [d.pk for d, _ in by_name.context["rows"]]
    other_province = client.get(reverse("dossier_list") + f"?q=%23{foreign.pk}")
    assert other_province.context["rows"] == []
    bad = client.get(reverse("dossier_list") + "?status=khong-co&level=x")
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"status", "level"}


def test_list_and_inbox_queries_do_not_grow_with_dossiers(monday, client, kit, journey):
    client.force_login(kit.account("vpdp"))

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # A first call fills the process's caches (content types, for the object permissions).
    count(reverse("dossier_list"))
    small = (count(reverse("dossier_list")), count(reverse("home")))
    for commune in kit.communes[1:5]:
        Journey.register(kit, commune, Level.NTM)
    assert (count(reverse("dossier_list")), count(reverse("home"))) == small
