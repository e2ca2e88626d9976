"""The benchmark suite's small version: the read pages' query counts do not grow with the
open tasks, dossiers or audit events (made with the suite's own bulk copies), and on
PostgreSQL each task source is read along its partial index. No timings here: those are the
benchmarks' (``python3 dev.py bench``, docs/PERFORMANCE.md)."""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from bench.data import copy_audit_events, copy_dossier, open_tasks_in
from dossiers.services.setup import batch_create
from tests.conftest import queries_of
from web.views.lists import PAGE, WINDOW
from workflow.nodes import AGENCY_PERMISSION


@pytest.fixture
def template(journey):
    journey.to_appraisal()
    return journey


def _grow_queue(template, kit, size: int) -> None:
    """Copies of the template until the department's queue holds ``size`` tasks."""
    from viewflow.workflow.models import Task

    agency = str(kit.agencies["xd"].pk)
    held = Task.objects.filter(status="NEW", owner_permission_obj_pk=agency).count()
    copy_dossier(template.dossier, copies=size - held)
    assert Task.objects.filter(status="NEW", owner_permission_obj_pk=agency).count() == size


def test_copies_are_whole_dossiers_with_their_tasks_and_rights(template, kit):
    before = open_tasks_in(kit.province.pk)
    per_dossier = len(template.open_tasks())
    copies = copy_dossier(template.dossier, copies=3)
    assert open_tasks_in(kit.province.pk) == before + 3 * per_dossier
    assert copies.open_tasks == 3 * per_dossier
    from dossiers.selectors import visible_dossiers

    visible = set(visible_dossiers(kit.account("so_xd")).values_list("pk", flat=True))
    assert set(copies.dossier_ids) <= visible


def test_inbox_and_task_api_queries_do_not_grow_with_open_tasks(client, template, kit):
    client.force_login(kit.account("so_xd"))

    def measure() -> tuple[int, int, int]:
        inbox, page = queries_of(lambda: client.get(reverse("home")))
        api, answer = queries_of(lambda: client.get("/api/tasks/"))
        assert page.status_code == answer.status_code == 200
        return inbox, api, len(page.context["rows"])

    measure()  # fills the process's caches
    _grow_queue(template, kit, 20)
    at_20 = measure()
    _grow_queue(template, kit, 200)
    at_200 = measure()
    assert at_20[:2] == at_200[:2]
    assert (at_20[2], at_200[2]) == (20, 200)
    # Beyond the window: one page at a time, the count "more than", the same queries.
    _grow_queue(template, kit, WINDOW + 20)
    page = client.get(reverse("home"))
    assert len(page.context["rows"]) == PAGE
    assert page.context["more_open"] is True
    assert page.context["open_page"] == {"number": 1, "has_previous": False, "has_next": True}
    second = client.get(reverse("home") + "?page=2")
    assert not {r.deadline.task.pk for r in second.context["rows"]} & {
        r.deadline.task.pk for r in page.context["rows"]}
    api = client.get("/api/tasks/").json()
    assert (api["count"], len(api["results"])) == (None, 50)
    assert api["next"].endswith("page=2")


def test_batch_board_shows_one_page_in_the_same_queries(client, template, kit, admin_user):
    client.force_login(kit.account("vpdp"))
    counts = []
    for number, size in ((7, 5), (8, 120)):
        batch = batch_create(actor=admin_user, province=kit.province, recognition_year=2099,
                             number=number, deadlines={})
        copy_dossier(template.dossier, copies=size, batch_id=batch.pk)
        url = reverse("batch", args=[batch.pk])
        client.get(url)
        n, page = queries_of(lambda url=url: client.get(url))
        counts.append(n)
        assert len(page.context["rows"]) == min(size, 50)
    assert counts[0] == counts[1]


def test_audit_list_counts_up_to_a_cap_in_the_same_queries(client, template, kit):
    client.force_login(kit.account("thanh_tra"))
    url = reverse("audit:list")
    client.get(url)
    small, page = queries_of(lambda: client.get(url))
    assert page.context["page"].paginator.capped is False
    template_event = AuditEvent.objects.filter(province_id=kit.province.pk).last()
    copy_audit_events(template_event, copies=10_001)
    large, page = queries_of(lambda: client.get(url))
    assert small == large
    assert page.context["page"].paginator.capped is True
    assert page.context["page"].paginator.count == 10_001


@pytest.mark.postgres
def test_each_task_source_is_read_along_its_index(template, kit):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN's plans are PostgreSQL's")
    copy_dossier(template.dossier, copies=2_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE viewflow_task")
        cursor.execute(
            "EXPLAIN SELECT id FROM viewflow_task WHERE flow_task_type = 'HUMAN' AND "
            "status = 'NEW' AND owner_permission = %s AND owner_permission_obj_pk = %s "
            "ORDER BY id LIMIT 51", [AGENCY_PERMISSION, str(kit.agencies["xd"].pk)])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # An ordered index scan that stops after the LIMIT: the partial index, or the primary key
    # filtered, whichever the planner finds cheaper; never a scan of the table or a sort.
    assert "Index Scan using" in plan
    assert "Sort" not in plan
    assert "Seq Scan" not in plan
