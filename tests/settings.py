"""Test settings: the project's settings plus the test-only sample workflow app."""

from casework.settings import *  # noqa: F403
from casework.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.caseapp"]

# Personas are created for nearly every test; the default PBKDF2 hasher would cost ~0.3 s each.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
