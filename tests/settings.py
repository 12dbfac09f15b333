"""Test settings: the project's settings plus the test-only sample workflow app."""

import os

from casework.settings import *  # noqa: F403
from casework.settings import CACHES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.caseapp"]

# Personas are created for nearly every test; the default PBKDF2 hasher would cost ~0.3 s each.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# make test-services runs the suite on several pytest-xdist workers that share one Redis
# cache database: each worker's keys (rate limits, heartbeats) are its own.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "")

# Django's test client logs in without a request, which django-axes refuses; the login
# throttling tests switch it on (tests/shell/test_login_throttle.py).
AXES_ENABLED = False

# Tests log personas in with force_login(), which passes no second factor; the two-step
# verification tests require it again (tests/shell/test_two_factor.py).
TWO_FACTOR_ROLES: list[str] = []
NOTIFY_QUIET_HOURS = None  # the tests of the quiet hours set their own
