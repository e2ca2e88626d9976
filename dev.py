#!/usr/bin/env python3
"""One entry point for a fresh machine with only Python 3.11.

    python3 dev.py run     # install, migrate, load demo data, start web + Celery worker + beat
    python3 dev.py test    # install, run the whole test suite (extra arguments go to pytest)
    python3 dev.py lint    # install, run ruff, the missing-migrations check and the import-layer test
    python3 dev.py bench   # install, run the benchmark suite (README, "Benchmarks"; needs a
                           # PostgreSQL database whose name contains "bench" in DATABASE_URL)

Everything is installed into ./.venv; the database and the Celery queue live in ./var.
Set DATABASE_URL and CELERY_BROKER_URL to use PostgreSQL and Redis instead.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def sh(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_env() -> None:
    if not PY.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("Installing dependencies ...", flush=True)
        sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        sh(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        stamp.write_text(wanted)


def manage(*args: str) -> None:
    sh(PY, "manage.py", *args)


def wait_for(url: str, *, seconds: float = 60) -> bool:
    """True once ``url`` answers (any HTTP status), False after ``seconds``."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.5)
    return False


def echo_until(child: subprocess.Popen, marker: str) -> threading.Event:
    """Copy ``child``'s output to ours; the event is set once a line holds ``marker``."""
    seen = threading.Event()

    def pump() -> None:
        for line in child.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if marker in line:
                seen.set()

    threading.Thread(target=pump, daemon=True).start()
    return seen


def development() -> None:
    """dev.py's commands run the development settings: DEBUG on, a development key, local
    hosts. Production sets none of this (see README, "Production")."""
    os.environ.setdefault("DJANGO_DEBUG", "1")


def run(argv: list[str]) -> int:
    ensure_env()
    development()
    port = argv[0] if argv else os.environ.get("PORT", "8000")
    base = f"http://127.0.0.1:{port}"
    # Links in e-mails and calendar feeds follow the port the server runs on.
    env = {**os.environ, "NTM_BASE_URL": os.environ.get("NTM_BASE_URL", base)}
    manage("migrate", "--noinput")
    manage("seed_demo", "--no-logins")
    worker = subprocess.Popen([str(PY), "-m", "celery", "-A", "config", "worker", "--pool=solo",
                               "--loglevel=INFO"], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    worker_ready = echo_until(worker, "ready.")
    children = [
        worker,
        subprocess.Popen([str(PY), "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
                          "--schedule", str(ROOT / "var" / "celerybeat-schedule")], cwd=ROOT,
                         env=env),
        subprocess.Popen([str(PY), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                         cwd=ROOT, env=env),
    ]
    server = children[-1]

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # SIGTERM stops everything, as Ctrl-C does
    try:
        if wait_for(f"{base}/accounts/login/") and worker_ready.wait(timeout=60):
            # After the worker's and beat's banners, so that the logins stay on screen.
            sh(PY, "manage.py", "seed_demo", "--logins-only", env=env)
            print(f"\nOpen {base}/ (Ctrl-C stops the server, the worker and beat). "
                  f"E-mail is written to var/mail/.\n", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium (never a downloaded browser build)."""
    import shutil

    if shutil.which("chromium"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Debian's chromium for the browser tests ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        sh("apt-get", "update", "-qq", env=env)
        sh("apt-get", "install", "-y", "-qq", "chromium", env=env)
    else:
        print("The browser tests need Debian's chromium: sudo apt-get install chromium",
              flush=True)


def test(argv: list[str]) -> int:
    ensure_env()
    ensure_chromium()
    args = list(argv)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    if not on_postgres and not any(a.startswith("-m") for a in args):
        # Tests that need PostgreSQL run in the PostgreSQL pass (.ci/run), never silently here.
        args = ["-m", "not postgres", *args]
    if not any(a.startswith("-n") for a in args):
        args = ["-n", os.environ.get("PYTEST_WORKERS", "auto"), *args]
    return subprocess.call([str(PY), "-m", "pytest", *args], cwd=ROOT)


LINT_CHECKS = [
    ("ruff", [str(PY), "-m", "ruff", "check", "."]),
    ("migrations", [str(PY), "manage.py", "makemigrations", "--check", "--dry-run"]),
    ("import layers", [str(PY), "-m", "pytest", "-q", "-p", "no:randomly",
                       "tests/test_layers.py"]),
]


def lint(argv: list[str]) -> int:
    ensure_env()
    development()
    failed = []
    for name, command in LINT_CHECKS:
        print(f"== lint: {name} ==", flush=True)
        if subprocess.call(command, cwd=ROOT) != 0:
            failed.append(name)
    print(f"== lint: {'failed: ' + ', '.join(failed) if failed else 'all passed'} ==", flush=True)
    return 1 if failed else 0


def bench(argv: list[str]) -> int:
    ensure_env()
    return subprocess.call([str(PY), "-m", "bench.run", *argv], cwd=ROOT)


def main() -> int:
    commands = {"run": run, "test": test, "lint": lint, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
