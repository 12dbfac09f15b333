"""Shared by the notification tests of each workflow: a gateway that times out, and
running a step's on-commit hooks more than once, as a retried hook would."""

import pytest

from casework.core.sms import OutboxBackend, SmsError


class TimingOut(OutboxBackend):
    """Every send times out (the provider does not answer)."""

    def send(self, message):
        raise SmsError("timeout", detail="no answer in 5 s", retry=True)


@pytest.fixture
def timing_out(settings):
    settings.SMS_BACKEND = f"{__name__}.TimingOut"


@pytest.fixture
def twice(django_capture_on_commit_callbacks):
    """``with twice(): step()``: the step's on-commit hooks each run two times."""
    from contextlib import contextmanager

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks() as callbacks:
            yield callbacks
        for callback in list(callbacks):
            callback()
            callback()

    return run
