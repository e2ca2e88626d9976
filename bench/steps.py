"""P2: a department's appraisal of one criterion through the services (``appraisal_record``:
a step of the process, with its permission check, audit event and, for the department's last
item, the task's completion), in 1, 4 and 8 worker processes; beside it, in the same run, a
raw UPDATE + INSERT per call in the same pools, and pgbench on the same server."""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from django.db import connection, connections, transaction

WORKERS = (1, 4, 8)


def _step(item_pk: int) -> None:
    from dossiers.models import CriterionAppraisal, Membership
    from workflow.services import appraisal_record

    item = CriterionAppraisal.objects.select_related("agency").get(pk=item_pk)
    actor = Membership.objects.filter(agency=item.agency).order_by("pk").first().user
    appraisal_record(actor=actor, item=item, result="met")


def _raw(i: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bench_scratch SET n = n + 1 WHERE id = %s", [i])
        cursor.execute("INSERT INTO bench_log (k, body) VALUES (%s, %s)", [i, "x" * 200])


def _rate(call: Any, args: list[int], *, workers: int) -> float:
    # Forked children must not share the parent's connection: each opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        start = time.perf_counter()
        pool.map(call, args, chunksize=1)
        elapsed = time.perf_counter() - start
    return round(len(args) / elapsed, 1)


def _scratch(count: int) -> None:
    serial = "serial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute("DROP TABLE IF EXISTS bench_log")
        cursor.execute("CREATE TABLE bench_scratch (id integer PRIMARY KEY, n integer)")
        cursor.execute(f"CREATE TABLE bench_log (id {serial} PRIMARY KEY, k integer, "
                       "body text)")
        cursor.execute("INSERT INTO bench_scratch VALUES " +
                       ", ".join(f"({i}, 0)" for i in range(count)))


def measure_steps(bench: Any, *, count: int) -> dict[str, Any]:
    from django.conf import settings

    from bench.data import analyze, copy_dossier
    from bench.measure import Statements, pgbench
    from dossiers.models import CriterionAppraisal

    agency = bench.kit.agencies["xay-dung"]
    copies = copy_dossier(bench.template.dossier, copies=count * (len(WORKERS) + 1))
    analyze()
    # One item per dossier, so that two workers never wait for the same dossier's lock.
    items = []
    for dossier_id in copies.dossier_ids:
        item = CriterionAppraisal.objects.filter(dossier_id=dossier_id, agency=agency,
                                                 status="pending").order_by("pk").first()
        items.append(item.pk)
    with Statements() as captured:
        _step(items.pop())
    out: dict[str, Any] = {"steps_each": count, "statements_per_step": captured.count,
                           "workers": {}}
    _scratch(count * len(WORKERS))
    url = settings.DATABASES["default"]
    dsn = (f"postgresql://{url['USER']}@{url['HOST']}:{url['PORT'] or 5432}/{url['NAME']}"
           if connection.vendor == "postgresql" else None)
    for n, workers in enumerate(WORKERS):
        batch = items[n * count:(n + 1) * count]
        row = {"steps_per_s": _rate(_step, batch, workers=workers),
               "raw_per_s": _rate(_raw, list(range(n * count, (n + 1) * count)),
                                  workers=workers)}
        if dsn:
            row["pgbench_N_tps"] = pgbench(url=dsn, select_only=False, clients=workers,
                                           seconds=5)
            row["pgbench_S_tps"] = pgbench(url=dsn, select_only=True, clients=workers,
                                           seconds=5)
        bench.log(f"P2 {workers} workers: {row}")
        out["workers"][str(workers)] = row
    return out
