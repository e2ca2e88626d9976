"""The measurements. Each returns plain numbers (milliseconds, statements, rows per second);
``bench.run`` puts each beside its baseline taken in the same run and prints the ratio."""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client


@dataclass(frozen=True)
class Timing:
    """The median of ``runs`` calls (after one warm-up call) and the statements of one call."""

    ms: float
    queries: int
    runs: int


class Statements:
    """Counts the SQL statements run inside the ``with`` block (no limit, unlike Django's
    query log, which keeps the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> Statements:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)


def timing(call: Callable[[], Any], *, runs: int = 5) -> Timing:
    call()  # warm-up: connection, template and translation caches
    with Statements() as captured:
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(round(statistics.median(samples), 2), captured.count, runs)


def page(client: Client, url: str, *, runs: int = 5) -> Timing:
    """A page or API call through Django's test client (the whole stack but the server)."""

    def get() -> None:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")

    return timing(get, runs=runs)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- P2: the database server alone ------------------------------------------------------
def pgbench(*, url: str, select_only: bool, clients: int, seconds: int = 10) -> float | None:
    """pgbench's tps on the same server (``-S`` select-only, ``-N`` simple update), its tables
    initialised once in the benchmark database; None without pgbench."""
    import shutil

    if not shutil.which("pgbench"):
        return None
    subprocess.run(["pgbench", "-i", "-q", "-s", "1", url], check=True,
                   capture_output=True, text=True)
    mode = "-S" if select_only else "-N"
    out = subprocess.run(["pgbench", mode, "-c", str(clients), "-j", str(min(clients, 2)),
                          "-T", str(seconds), url], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if line.startswith("tps"):
            return round(float(line.split("=")[1].split()[0]), 1)
    return None


# --- P3: memory ----------------------------------------------------------------------------
def peak_memory(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """(milliseconds, peak MiB of Python allocations, result) of one call of ``call``."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = call()
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return round((time.perf_counter() - start) * 1000, 1), round(peak / 2**20, 1), result


# --- P4: concurrent users against the production server ------------------------------------
def concurrent_get(base: str, paths: list[str], *, cookie: str, users: int,
                   requests_each: int) -> dict[str, dict[str, float]]:
    """``users`` threads, each sending ``requests_each`` requests for every path in turn;
    per path: p50 and p95 in ms, and errors (status other than 200, or no answer)."""
    import urllib.request

    times: dict[str, list[float]] = {p: [] for p in paths}
    errors = {p: 0 for p in paths}
    lock = threading.Lock()

    def user() -> None:
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", cookie), ("Accept-Language", "vi")]
        for _ in range(requests_each):
            for path in paths:
                start = time.perf_counter()
                ok = False
                try:
                    with opener.open(base + path, timeout=120) as response:
                        response.read()
                        ok = response.status == 200
                except OSError:
                    ok = False
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    times[path].append(elapsed)
                    errors[path] += 0 if ok else 1

    threads = [threading.Thread(target=user) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = {}
    for path in paths:
        ordered = sorted(times[path])
        out[path] = {"p50_ms": round(statistics.median(ordered), 1),
                     "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
                     "requests": len(ordered), "errors": errors[path]}
    return out
