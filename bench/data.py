"""Data sets for the benchmarks: real rows made through the services, then bulk copies.

A copy of a dossier is what the product itself would have written for another commune
registering the same level in the same batch and reaching the same step: a commune, the
dossier, its pass through the process (viewflow ``Process`` and our ``DossierProcess``), its
open tasks, the agencies' object permissions on it (guardian) and its appraisal items. The
copies are made in the database with one ``INSERT ... SELECT`` per template row (PostgreSQL's
``generate_series``; a recursive CTE on SQLite, for the small version in the tests), with
explicit ids, so no row goes through Python and a million open tasks take minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from guardian.models import GroupObjectPermission
from viewflow.workflow.models import Process, Task

from audit.models import AuditEvent
from demo.province import BatchKit, setup_province
from demo.seed import COUNCIL_SIZE, DEPARTMENTS, PROVINCE_CODE, administrator, calendar
from dossiers.models import Commune, CriterionAppraisal, Dossier
from dossiers.services.catalogue import criteria_set_load
from dossiers.services.geography import province_import
from dossiers.services.setup import batch_create, regulation_profile_publish
from workflow.kernel import OPEN_TASK
from workflow.models import DossierProcess

# One statement copies at most this many rows (PostgreSQL keeps the statement's memory small).
CHUNK = 250_000


def province(*, password: str, communes: int = 8) -> BatchKit:
    """The demo's province (its departments, council, calendar and regulation) with a few
    communes, made through the services; lighter than the whole demo (``seed_demo``)."""
    admin = administrator(password=password)
    for path in sorted(settings.NTM_CRITERIA_DIR.glob("*.yaml")):
        criteria_set_load(actor=admin, path=path)
    row = province_import(actor=admin, code=PROVINCE_CODE)
    chosen = list(Commune.objects.filter(province=row, kind=Commune.Kind.COMMUNE)
                  .order_by("code")[:communes])
    kit = setup_province(actor=admin, province=row, communes=chosen, departments=DEPARTMENTS,
                         password=password, council_size=COUNCIL_SIZE)
    regulation_profile_publish(actor=admin, province=row, valid_from=dt.date(2025, 7, 1),
                               district_verification=False,
                               legal_basis="Quyết định 18/2022/QĐ-TTg", reason="benchmark")
    year = dt.date.today().year
    batch = batch_create(actor=admin, province=row, recognition_year=year, number=1,
                         title=f"Đợt 1 năm {year}", deadlines=calendar(year, (8, 10), (8, 30)))
    return BatchKit.of(kit, batch=batch)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _next_id(model: type[models.Model], column: str = "id") -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({_q(column)}), 0) + 1 FROM {_q(model._meta.db_table)}")
        return int(cursor.fetchone()[0])


def _copy_row(model: type[models.Model], *, pk_column: str, pk: object, copies: int,
              overrides: dict[str, str]) -> None:
    """Insert ``copies`` copies of one row of ``model``; ``overrides`` maps a column to an SQL
    expression of ``i`` (0, 1, ... copies - 1), the other columns are copied as they are."""
    table = _q(model._meta.db_table)
    columns = [f.column for f in model._meta.local_concrete_fields]
    select = ", ".join(overrides.get(c, f"t.{_q(c)}") for c in columns)
    names = ", ".join(_q(c) for c in columns)
    for start in range(0, copies, CHUNK):
        n = min(CHUNK, copies - start)
        if connection.vendor == "postgresql":
            sql = (f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} t "
                   f"CROSS JOIN generate_series({start}, {start + n - 1}) AS s(i) "
                   f"WHERE t.{_q(pk_column)} = %s")
        else:
            sql = (f"WITH RECURSIVE s(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM s "
                   f"WHERE i < {start + n - 1}) "
                   f"INSERT INTO {table} ({names}) SELECT {select} FROM {table} t, s "
                   f"WHERE t.{_q(pk_column)} = %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])


def _text(expr: str) -> str:
    return f"CAST(({expr}) AS TEXT)" if connection.vendor != "postgresql" else f"({expr})::text"


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """Explicit ids were written: move PostgreSQL's sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {_q(table)}))", [table])


@dataclass(frozen=True)
class Copies:
    """What ``copy_dossier`` added: the new dossiers' ids and the open tasks among them."""

    dossier_ids: range
    open_tasks: int


def copy_dossier(template: Dossier, *, copies: int, batch_id: int | None = None) -> Copies:
    """``copies`` copies of ``template`` (a dossier with its running process), each for a new
    commune of the same province, in ``batch_id`` (default: the template's batch)."""
    if copies <= 0:
        return Copies(range(0), 0)
    process = (DossierProcess.objects.filter(dossier=template).order_by("-pk").first())
    tasks = list(Task.objects.filter(process=process, status__in=OPEN_TASK).values_list(
        "pk", flat=True))
    items = list(CriterionAppraisal.objects.filter(dossier=template).order_by("pk").values_list(
        "pk", flat=True))
    with transaction.atomic():
        c0, d0, p0 = _next_id(Commune), _next_id(Dossier), _next_id(Process)
        t0, g0, a0 = _next_id(Task), _next_id(GroupObjectPermission), \
            _next_id(CriterionAppraisal)
        # Commune codes are at most 8 characters: "B" and the commune's id.
        _copy_row(Commune, pk_column="id", pk=template.commune_id, copies=copies, overrides={
            "id": f"{c0} + i", "code": f"'B' || {_text(f'{c0} + i')}",
            "name": f"t.name || ' ' || {_text(f'{c0} + i')}"})
        overrides = {"id": f"{d0} + i", "commune_id": f"{c0} + i"}
        if batch_id is not None:
            overrides["batch_id"] = str(int(batch_id))
        _copy_row(Dossier, pk_column="id", pk=template.pk, copies=copies, overrides=overrides)
        _copy_row(Process, pk_column="id", pk=process.pk, copies=copies,
                  overrides={"id": f"{p0} + i"})
        _copy_row(DossierProcess, pk_column="process_ptr_id", pk=process.pk, copies=copies,
                  overrides={"process_ptr_id": f"{p0} + i", "dossier_id": f"{d0} + i"})
        for j, pk in enumerate(tasks):
            _copy_row(Task, pk_column="id", pk=pk, copies=copies,
                      overrides={"id": f"{t0 + j * copies} + i", "process_id": f"{p0} + i"})
        for j, pk in enumerate(items):
            _copy_row(CriterionAppraisal, pk_column="id", pk=pk, copies=copies,
                      overrides={"id": f"{a0 + j * copies} + i", "dossier_id": f"{d0} + i"})
        # The agencies' object permissions: on the dossier, and on each appraisal item.
        targets = [(Dossier, template.pk, d0)] + [
            (CriterionAppraisal, pk, a0 + j * copies) for j, pk in enumerate(items)]
        for model, pk, first in targets:
            perms = GroupObjectPermission.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_pk=str(pk))
            for perm in perms.values_list("pk", flat=True):
                _copy_row(GroupObjectPermission, pk_column="id", pk=perm, copies=copies,
                          overrides={"id": f"{g0} + i", "object_pk": _text(f"{first} + i")})
                g0 += copies
        _reset_sequences([Commune, Dossier, Process, Task, GroupObjectPermission,
                          CriterionAppraisal])
    return Copies(range(d0, d0 + copies), copies * len(tasks))


def copy_audit_events(template: AuditEvent, *, copies: int) -> None:
    """``copies`` copies of one audit event, appended after the last sequence number. Their
    hashes are marked ``bench-<seq>``: a benchmark database's chain does not verify."""
    s0 = _next_id(AuditEvent, "seq")
    with transaction.atomic():
        i0 = _next_id(AuditEvent)
        _copy_row(AuditEvent, pk_column="id", pk=template.pk, copies=copies, overrides={
            "id": f"{i0} + i", "seq": f"{s0} + i",
            "hash": f"'bench-' || {_text(f'{s0} + i')}",
            "prev_hash": f"'bench-' || {_text(f'{s0} - 1 + i')}"})
        _reset_sequences([AuditEvent])


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def open_tasks_in(province_id: int) -> int:
    return Task.objects.filter(
        status__in=OPEN_TASK, flow_task_type="HUMAN",
        process__in=DossierProcess.objects.filter(
            dossier__commune__province_id=province_id).values("pk")).count()
