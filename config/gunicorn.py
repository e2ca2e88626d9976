"""gunicorn settings for production (README, "Production"):

    gunicorn -c config/gunicorn.py

Every value can be changed by an environment variable (GUNICORN_*), or by gunicorn's own
command-line options after `-c config/gunicorn.py`."""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
# Behind the reverse proxy that terminates TLS: listen on the loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Uploads of evidence (20 MiB) and exports take time on provincial networks.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so no slow leak builds up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The proxy's X-Forwarded-Proto is believed only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the application before forking: a wrong setting (no secret key, no allowed hosts)
# stops the master at once instead of every worker in turn.
preload_app = True
