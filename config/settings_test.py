"""Settings for the test suite: the development defaults (DJANGO_DEBUG=1: no HTTPS redirect,
development key, local hosts) unless the environment says otherwise. pytest-django still
runs the tests themselves with DEBUG off. `manage.py check --deploy` with the production
settings is tested in tests/web/test_security.py."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: E402,F403

# High enough that no ordinary test is throttled; tests/web/test_security.py lowers them.
REST_FRAMEWORK = {**REST_FRAMEWORK,  # noqa: F405
                  "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute", "user": "10000/minute"}}
