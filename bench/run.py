"""``python3 dev.py bench [--scale small|full] [--compare var/bench/<old>.json]``.

Builds the data sets in the benchmark database (its name must contain "bench": the schema is
dropped and migrated afresh), takes every measurement beside its baseline in the same run,
prints the table of ratios and writes it to ``var/bench/<UTC time>.json``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-pass-123"
# The secret shared by this process (which writes the sessions) and the production server.
SECRET = "bench-" + secrets.token_hex(16)

SCALES = {
    "small": {"tasks": [1_000, 10_000], "boards": [50, 500], "events": [1_000, 10_000],
              "sweep": [10_000], "steps": 24, "users": 20, "requests_each": 3},
    # What fits in a quarter of an hour on a loaded 2-core machine.
    "medium": {"tasks": [1_000, 10_000, 100_000], "boards": [50, 500, 5_000],
               "events": [1_000, 100_000], "sweep": [10_000], "steps": 24, "users": 50,
               "requests_each": 4},
    "full": {"tasks": [1_000, 10_000, 100_000, 1_000_000], "boards": [50, 500, 5_000],
             "events": [1_000, 1_000_000], "sweep": [10_000, 100_000], "steps": 48,
             "users": 50, "requests_each": 4},
}


def _environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "1"
    os.environ["DJANGO_SECRET_KEY"] = SECRET
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("NTM_VAR_DIR", str(ROOT / "var" / "bench" / "run"))
    # The in-app API rate limit is a production protection, not what is measured here.
    os.environ.setdefault("NTM_API_RATE_USER", "1000000/minute")


def _reset_database() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = str(settings.DATABASES["default"]["NAME"])
    if connection.vendor == "postgresql":
        if "bench" not in name:
            raise SystemExit(f"refusing to drop the schema of {name!r}: the benchmark "
                             "database's name must contain 'bench'")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        print("warning: SQLite - the targets are PostgreSQL's (set DATABASE_URL)", flush=True)
        connection.close()
        Path(name).unlink(missing_ok=True)
    call_command("migrate", "--noinput", verbosity=0)


class Bench:
    def __init__(self, scale: str) -> None:
        self.scale = SCALES[scale]
        self.results: dict[str, Any] = {"scale": scale}

    def log(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    # --- data ----------------------------------------------------------------------------
    def build(self) -> None:
        from bench.data import province
        from demo.journey import Journey
        from dossiers.models import Level

        self.log("a province set up through the services (demo.province, demo.seed's calendar)")
        self.kit = province(password=PASSWORD)
        self.free = list(self.kit.communes)
        self.log("template dossier taken to the department appraisal through the services")
        self.template = Journey.register(self.kit, self.free.pop(), Level.NTM)
        self.template.to_appraisal()
        from bench.data import open_tasks_in

        self.province_id = self.kit.province.pk
        self.per_dossier = len(self.template.open_tasks())
        self.log(f"{open_tasks_in(self.province_id)} open tasks in the province, "
                 f"{self.per_dossier} per dossier at the appraisal")

    def grow_tasks(self, target: int) -> int:
        from bench.data import analyze, copy_dossier, open_tasks_in

        now = open_tasks_in(self.province_id)
        if now < target:
            copies = math.ceil((target - now) / self.per_dossier)
            self.log(f"copying the template dossier {copies} times")
            copy_dossier(self.template.dossier, copies=copies)
            analyze()
        return open_tasks_in(self.province_id)

    # --- P1 ------------------------------------------------------------------------------
    def p1(self) -> None:
        from bench.measure import page, signed_in

        client = signed_in(self.kit.account("so_xay-dung"))
        rows = []
        for target in self.scale["tasks"]:
            actual = self.grow_tasks(target)
            self.log(f"P1 inbox and /api/tasks/ at {actual} open tasks")
            rows.append({"target": target, "open_tasks": actual,
                         "inbox": page(client, "/").__dict__,
                         "api_tasks": page(client, "/api/tasks/").__dict__})
            if target in self.scale["sweep"]:
                self.p3(actual)
        self.results["p1"] = rows

    # --- batch board -----------------------------------------------------------------------
    def boards(self) -> None:
        from django.urls import reverse

        from bench.data import analyze, copy_dossier
        from bench.measure import page, signed_in
        from dossiers.services.setup import batch_create

        client = signed_in(self.kit.account("vpdp"))
        rows = []
        for n, size in enumerate(self.scale["boards"], start=1):
            batch = batch_create(actor=self.kit.admin, province=self.kit.province,
                                 recognition_year=2099, number=n, deadlines={})
            copy_dossier(self.template.dossier, copies=size, batch_id=batch.pk)
            analyze()
            self.log(f"batch board of {size} dossiers")
            rows.append({"dossiers": size,
                         "page": page(client, reverse("batch", args=[batch.pk])).__dict__})
        self.results["boards"] = rows

    # --- audit list ------------------------------------------------------------------------
    def audit(self) -> None:
        from audit.models import AuditEvent
        from bench.data import analyze, copy_audit_events
        from bench.measure import page, signed_in

        client = signed_in(self.kit.account("thanh_tra"))
        events = AuditEvent.objects.filter(province_id=self.province_id)
        template = events.order_by("-seq").first()
        rows = []
        for target in self.scale["events"]:
            now = events.count()
            if now < target:
                copy_audit_events(template, copies=target - now)
                analyze()
            count = events.count()
            self.log(f"audit list at {count} events")
            rows.append({"target": target, "events": count,
                         "list": page(client, "/audit/").__dict__})
        self.results["audit"] = rows

    # --- one dossier end to end --------------------------------------------------------------
    def end_to_end(self) -> None:
        from audit.models import AuditEvent
        from bench.measure import Statements
        from demo.journey import Journey
        from dossiers.models import Level

        self.log("one dossier from registration to decision")
        before = AuditEvent.objects.count()
        start = time.perf_counter()
        with Statements() as captured:
            j = Journey.register(self.kit, self.free.pop(), Level.NTM)
            j.to_awaiting_decision()
            j.decide()
        self.results["end_to_end"] = {
            "ms": round((time.perf_counter() - start) * 1000, 1),
            "statements": captured.count,
            "audit_events": AuditEvent.objects.count() - before, "status": j.dossier.status}

    # --- P2: steps per second ---------------------------------------------------------------
    def p2(self) -> None:
        from bench.steps import measure_steps

        self.log("P2 steps per second")
        self.results["p2"] = measure_steps(self, count=self.scale["steps"])

    # --- P3: the reminder sweep -------------------------------------------------------------
    def p3(self, open_tasks: int) -> None:
        from viewflow.workflow.models import Task

        from bench.measure import Statements, peak_memory
        from notifications.services import sweep
        from workflow.kernel import OPEN_TASK

        self.log(f"P3 sweep at {open_tasks} open tasks")

        def scan() -> int:
            return len(list(Task.objects.filter(status__in=OPEN_TASK, flow_task_type="HUMAN")
                            .values_list("pk", "process_id", "flow_task",
                                         "owner_permission_obj_pk")))

        row: dict[str, Any] = {"open_tasks": open_tasks}
        for name, call in (("scan", scan), ("dry", lambda: len(sweep(dry_run=True).planned)),
                           ("real", lambda: len(sweep().planned))):
            with Statements() as captured:
                ms, mib, result = peak_memory(call)
            row[name] = {"ms": ms, "peak_mib": mib, "rows": result,
                         "statements": captured.count}
        self.results.setdefault("p3", []).append(row)

    # --- P4: 50 users against the production server -----------------------------------------
    def p4(self) -> None:
        from django.conf import settings

        from bench.measure import concurrent_get, signed_in

        self.log("P4 concurrent users against gunicorn (production settings)")
        cookie = signed_in(self.kit.account("so_xay-dung")).cookies[settings.SESSION_COOKIE_NAME]
        port = _free_port()
        env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": SECRET,
               "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
               "DJANGO_SECURE_COOKIES": "0", "DJANGO_SECURE_PROXY_SSL_HEADER": "0",
               "NTM_AUDIT_HMAC_KEYS": "bench:" + secrets.token_hex(32),
               "NTM_AUDIT_SIGNING_KEY": secrets.token_hex(32),
               "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning",
               "GUNICORN_ACCESSLOG": ""}
        py = sys.executable
        subprocess.run([py, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                       env=env, check=True)
        server = subprocess.Popen([py, "-m", "gunicorn", "-c", "config/gunicorn.py",
                                   "--access-logfile", "/dev/null"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/accounts/login/")
            users = self.scale["users"]
            result = concurrent_get(base, ["/accounts/login/", "/"],
                                    cookie=f"{settings.SESSION_COOKIE_NAME}={cookie.value}",
                                    users=users, requests_each=self.scale["requests_each"])
        finally:
            server.terminate()
            server.wait(timeout=30)
        from bench.data import open_tasks_in

        self.results["p4"] = {"users": users, "open_tasks": open_tasks_in(self.province_id),
                              "login": result["/accounts/login/"], "inbox": result["/"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer {url}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--compare", type=Path, help="a previous run's JSON file")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["p1", "boards", "audit", "end_to_end", "p2", "p3", "p4"])
    args = parser.parse_args(argv)
    _environment()
    import django

    django.setup()
    from django.db import connection

    from bench.report import compare, table

    _reset_database()
    bench = Bench(args.scale)
    if "p3" in args.skip:
        bench.scale = {**bench.scale, "sweep": []}
    started = time.perf_counter()
    out = ROOT / "var" / "bench" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    bench.build()
    for name in ("end_to_end", "p2", "p1", "boards", "audit", "p4"):
        if name not in args.skip:
            getattr(bench, name)()
            # Written after each measurement: an interrupted run keeps what it measured.
            out.write_text(json.dumps(bench.results, indent=2, default=str))
    bench.results["machine"] = {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "database": connection.vendor, "server": connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql" else None,
        "seconds": round(time.perf_counter() - started)}
    out.write_text(json.dumps(bench.results, indent=2, default=str))
    print(table(bench.results))
    if args.compare:
        print(compare(json.loads(args.compare.read_text()), bench.results))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
